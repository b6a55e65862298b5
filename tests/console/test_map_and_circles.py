"""The console map's viewport and circle searches anywhere on the globe: wide views, the
antimeridian, the poles; and the consent level the map shows is the one in force."""

import datetime as dt
from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from accounts.models import Role
from cameras import access, services
from cameras.models import ConsentGrant
from cameras.search_sql import Area
from tests.conftest import TenantClient


@pytest.fixture
def with_purpose(logged_in_staff: Any) -> TenantClient:
    client, _ = logged_in_staff(Role.OFFICER)
    response = client.post(
        "/console/purpose/",
        {"case_number": "RPD-1", "category": "property_crime", "text": "Burglary on Cedar", "authority": "consent"},
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def anywhere(in_rialto: Any) -> Any:
    """Cameras may be made anywhere on Earth: Rialto's boundary is lifted for this test only
    (in memory; nothing is saved)."""
    in_rialto.boundary = None
    return in_rialto


def _ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content[:300]
    return {row[0] for row in response.json()["cameras"]}


@pytest.mark.parametrize(
    "bbox",
    [
        "-170,20,60,50",  # wider than 180 degrees: a great-circle box would take the other way round
        "-180,20,0,50",  # exactly 180 degrees wide: "Antipodal edge" in PostGIS
        "-180,-90,180,90",  # the whole world
        "-160.3,-10,64.7,62",
    ],
)
def test_a_wide_map_view_shows_the_cameras_in_it(with_purpose: TenantClient, make_camera: Any, bbox: str) -> None:
    camera = make_camera("on_request")

    response = with_purpose.post("/console/map-data/", {"bbox": bbox})

    assert str(camera.public_id) in _ids(response)


def test_a_map_view_edge_is_a_parallel_not_a_great_circle(with_purpose: TenantClient, make_camera: Any) -> None:
    # A camera 30 m inside the southern edge of a 2-degree-wide view: the great circle between
    # the view's southern corners passes ~400 m north of it.
    camera = make_camera("on_request", lon=-117.38, lat=34.1)

    response = with_purpose.post("/console/map-data/", {"bbox": "-118.38,34.0997,-116.38,34.5"})

    assert str(camera.public_id) in _ids(response)


def test_a_camera_outside_the_view_is_not_shown(with_purpose: TenantClient, make_camera: Any) -> None:
    camera = make_camera("on_request", lon=-117.38, lat=34.1)

    response = with_purpose.post("/console/map-data/", {"bbox": "-116,20,60,50"})

    assert str(camera.public_id) not in _ids(response)


@pytest.mark.parametrize(
    "change",
    ["expired", "revoked", "paused"],
)
def test_the_map_shows_consent_that_no_longer_applies_as_registered(
    with_purpose: TenantClient, make_camera: Any, change: str
) -> None:
    camera = make_camera("live")
    owner = camera.site.owner
    if change == "expired":
        # consent_set refuses a past end date; the clock is what expires consent.
        ConsentGrant.objects.filter(pk=camera.consent.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    elif change == "revoked":
        services.consent_revoke(owner=owner, camera=camera)
    else:
        services.camera_status_set(owner=owner, camera=camera, status="paused")

    response = with_purpose.post("/console/map-data/", {"bbox": "-117.42,34.05,-117.33,34.17"})

    levels = {row[0]: row[3] for row in response.json()["cameras"]}
    assert levels[str(camera.public_id)] == "registered"


def test_the_map_shows_consent_that_expires_later_at_its_level(with_purpose: TenantClient, make_camera: Any) -> None:
    camera = make_camera("live", expires_at=timezone.now() + dt.timedelta(days=1))

    response = with_purpose.post("/console/map-data/", {"bbox": "-117.42,34.05,-117.33,34.17"})

    levels = {row[0]: row[3] for row in response.json()["cameras"]}
    assert levels[str(camera.public_id)] == "live"


@pytest.mark.parametrize(
    ("camera_at", "centre", "radius_m"),
    [
        ((100, 89.995), (-80, 89.995), 2_000),  # across the North Pole, ~1.1 km away
        ((100, -89.995), (-80, -89.995), 2_000),  # across the South Pole
        ((10, 89.5), (0, 89.5), 10_000),  # ~9.7 km east, 10 degrees of longitude this close to the pole
        ((0, 89.99), (0, 89.9999), 1_200),  # from just off the pole
        ((179.998, 0), (-179.999, 0), 1_000),  # across the antimeridian
        ((-179.998, 0), (179.999, 0), 1_000),
    ],
)
def test_circles_near_the_poles_and_the_antimeridian_find_the_cameras_in_them(
    anywhere: Any,
    make_camera: Any,
    actor: access.Actor,
    purpose: Any,
    camera_at: tuple[float, float],
    centre: tuple[float, float],
    radius_m: float,
) -> None:
    camera = make_camera("on_request", lon=camera_at[0], lat=camera_at[1])
    area = Area(center=Point(*centre, srid=4326), radius_m=radius_m)

    result = access.camera_search(actor=actor, purpose=purpose, area=area, mode="pin")

    found = {hit.camera.public_id: hit.distance_m for hit in result.hits}
    assert camera.public_id in found
    assert found[camera.public_id] <= radius_m
