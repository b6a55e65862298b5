"""The area search and the map find a mobile source where its last position is, only while
that position is fresher than the policy's mobile_position_max_age_seconds; a stale or
never-positioned one is left out, and fixed cameras are unaffected."""

import datetime as dt
from typing import Any

import pytest
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.utils import timezone

from cameras import access
from cameras.geometry import point
from cameras.mobile import Move, camera_position_move
from cameras.models import Camera
from cameras.search_sql import Area
from tenants.models import Department, DepartmentPolicy
from tests.factories import mobile_source_make

pytestmark = pytest.mark.django_db
# Far from the default sites of the factories, so only this test's cameras are near.
LON, LAT = -117.352, 34.118


def moved(camera: Camera, *, seconds_ago: float, lon: float = LON, lat: float = LAT) -> Camera:
    result = camera_position_move(
        camera_pk=camera.pk,
        lon=lon,
        lat=lat,
        heading=90,
        at=timezone.now() - dt.timedelta(seconds=seconds_ago),
        max_speed_mps=1e9,
    )
    assert result.outcome == Move.ACCEPTED
    return Camera.objects.get(pk=camera.pk)


def circle() -> Area:
    return Area(center=point(LON, LAT), radius_m=150)


def square() -> Area:
    d = 0.001
    ring = [(LON - d, LAT - d), (LON + d, LAT - d), (LON + d, LAT + d), (LON - d, LAT + d), (LON - d, LAT - d)]
    return Area(center=point(LON, LAT), polygon=Polygon(ring, srid=4326))


def found(actor: access.Actor, purpose: Any, area: Area, mode: str) -> set[str]:
    result = access.camera_search(actor=actor, purpose=purpose, area=area, mode=mode)
    return {str(h.camera.public_id) for h in result.hits}


@pytest.mark.parametrize("mode", ["pin", "fov"])
@pytest.mark.parametrize("shape", [circle, square])
def test_a_fresh_mobile_source_is_found_where_it_is_and_a_stale_one_is_not(
    in_rialto: Department,
    policy: DepartmentPolicy,
    make_camera: Any,
    actor: access.Actor,
    purpose: Any,
    mode: str,
    shape: Any,
) -> None:
    max_age = policy.mobile_position_max_age_seconds
    fresh = moved(mobile_source_make(in_rialto)[0], seconds_ago=10)
    stale = moved(mobile_source_make(in_rialto)[0], seconds_ago=max_age + 5)
    fixed = make_camera("live", lon=LON, lat=LAT)

    ids = found(actor, purpose, shape(), mode)

    assert str(fresh.public_id) in ids
    assert str(stale.public_id) not in ids
    assert str(fixed.public_id) in ids


def test_a_mobile_source_that_never_reported_a_position_is_not_found_at_its_site(
    in_rialto: Department, make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    never, _ = mobile_source_make(in_rialto, lon=LON, lat=LAT)
    fixed = make_camera("live", lon=LON, lat=LAT)

    ids = found(actor, purpose, circle(), "pin")

    assert str(never.public_id) not in ids
    assert str(fixed.public_id) in ids


def test_the_policy_age_decides_what_is_fresh(
    in_rialto: Department, policy: DepartmentPolicy, actor: access.Actor, purpose: Any
) -> None:
    camera = moved(mobile_source_make(in_rialto)[0], seconds_ago=60)
    DepartmentPolicy.objects.filter(pk=policy.pk).update(mobile_position_max_age_seconds=30)

    ids = found(actor, purpose, circle(), "pin")

    assert str(camera.public_id) not in ids


def test_the_map_shows_a_fresh_mobile_source_and_not_a_stale_one(
    in_rialto: Department, policy: DepartmentPolicy, actor: access.Actor, purpose: Any
) -> None:
    fresh = moved(mobile_source_make(in_rialto)[0], seconds_ago=10)
    stale = moved(mobile_source_make(in_rialto)[0], seconds_ago=policy.mobile_position_max_age_seconds + 5)

    decision, rows = access.camera_map(
        actor=actor, purpose=purpose, bbox=(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01)
    )

    ids = {row[0] for row in rows}
    assert decision.allowed
    assert str(fresh.public_id) in ids
    assert str(stale.public_id) not in ids


def test_the_search_still_reads_the_location_index_in_distance_order(
    in_rialto: Department, actor: access.Actor, purpose: Any
) -> None:
    # A few thousand rows (a fifth mobile, half of those fresh), as copies of one camera's
    # columns, so the planner has a reason to choose between the index and a scan.
    mobile_source_make(in_rialto)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cameras_camera (public_id, site_id, label, camera_type, placement, bearing_deg, fov_angle_deg,
                range_m, location, fov, views, resolution, recording_mode, audio, recorder_make, recorder_model,
                export_format, status, mobile, position_at, created_at, updated_at, privacy_masks)
            SELECT gen_random_uuid(), c.site_id, 'x', c.camera_type, c.placement, 0, 90, 20,
                ST_SetSRID(ST_MakePoint(-117.38 + random() * 0.1, 34.05 + random() * 0.1), 4326)::geography,
                c.fov, '{}', '', c.recording_mode, false, '', '', '', 'active', i % 5 = 0,
                CASE WHEN i % 10 = 0 THEN now() END, now(), now(), '[]'
            FROM generate_series(1, 4000) AS i, (SELECT * FROM cameras_camera LIMIT 1) AS c
            """
        )
        cursor.execute("ANALYZE cameras_camera")
    from cameras import search_sql

    since = timezone.now() - dt.timedelta(seconds=300)
    params: dict[str, Any] = {
        "c": point(LON, LAT).ewkt,
        "cap": 1000,
        "box": search_sql._envelope(point(LON, LAT), 500),
        "fresh": since,
    }
    sql = search_sql._NEAREST.format(where=search_sql._PIN_IN_BOX, fresh=search_sql._FRESH)

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Index Scan using" in plan
    assert "Order By: (location <-> " in plan
    assert "Seq Scan on cameras_camera" not in plan
    # The retired department cameras (cameras_departmentcamera, a small table) are read once
    # into a hash, not per row.
    assert "hashed SubPlan" in plan


def test_an_incident_s_dock_finds_a_fresh_mobile_source_and_not_a_stale_one(
    in_rialto: Department, policy: DepartmentPolicy, actor: access.Actor, purpose: Any
) -> None:
    max_age = policy.mobile_position_max_age_seconds
    fresh = moved(mobile_source_make(in_rialto)[0], seconds_ago=10)
    stale = moved(mobile_source_make(in_rialto)[0], seconds_ago=max_age + 5)

    result = access.incident_cameras(actor=actor, purpose=purpose, point=point(LON + 0.0001, LAT))

    ids = {str(h.camera.public_id) for h in result.hits}
    assert str(fresh.public_id) in ids
    assert str(stale.public_id) not in ids
