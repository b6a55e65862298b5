"""Registry services: history of consent over time, the ordinance, geometry."""

import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from cameras import services
from cameras.geometry import fov_wedge, point
from cameras.models import Camera, ConsentGrant, Site
from cameras.site_status import SiteStatus, sites_status
from tenants.models import DepartmentPolicy
from tenants.selectors import policy_of
from tests.factories import RIALTO_CONDITIONS, UserFactory, ordinance_make


@pytest.fixture
def policy(in_rialto: Any) -> DepartmentPolicy:
    return DepartmentPolicy.objects.get(department=in_rialto)


def _status(site: Site, policy: DepartmentPolicy) -> SiteStatus:
    """The site's compliance as the owner's API reports it (cameras.site_status)."""
    statuses = sites_status(sites=[site], policy=policy, schema="rialto", now=timezone.now())
    assert statuses is not None
    return statuses[site.pk]


def _camera(owner: Any, department: Any, kind: str = "residential", **site_fields: Any) -> Camera:
    site = services.site_create(
        owner=owner, department=department, lon=-117.38, lat=34.10, kind=kind, address="1 Main St", **site_fields
    )
    return services.camera_register(owner=owner, site=site, label="Front", bearing_deg=90, fov_angle_deg=90, range_m=20)


def test_the_consent_in_force_at_a_past_instant_can_be_read_back(in_rialto: Any, policy: DepartmentPolicy) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    camera = _camera(owner, in_rialto)
    services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
    between = timezone.now()
    time.sleep(0.01)
    services.consent_revoke(owner=owner, camera=camera)

    then = ConsentGrant.history.as_of(between).get(camera_id=camera.pk)

    assert (then.level, then.revoked_at) == ("live", None)
    assert ConsentGrant.objects.get(camera=camera).revoked_at is not None
    assert {h.history_user for h in ConsentGrant.history.filter(camera_id=camera.pk)} == {owner}


def test_wedge_points_the_way_the_camera_faces() -> None:
    wedge = fov_wedge(lon=-117.38, lat=34.10, bearing=90, angle=60, range_m=50)

    assert wedge.contains(point(-117.38 + 0.0003, 34.10))  # ~28 m east
    assert not wedge.contains(point(-117.38 - 0.0003, 34.10))  # west, behind the camera
    assert not wedge.contains(point(-117.38 + 0.0008, 34.10))  # ~74 m east, beyond range


def test_a_360_degree_camera_sees_all_around() -> None:
    disc = fov_wedge(lon=-117.38, lat=34.10, bearing=0, angle=360, range_m=50)

    assert disc.contains(point(-117.38 - 0.0003, 34.10))
    assert disc.contains(point(-117.38, 34.10 + 0.0003))


@pytest.fixture
def ordinance(in_rialto: Any) -> DepartmentPolicy:
    # New or remodelled businesses (from 2024) must allow live view, with a connected bridge.
    policy = policy_of(department=in_rialto)
    ordinance_make(policy, RIALTO_CONDITIONS, name="Test ordinance", citation="", built_after=dt.date(2024, 1, 1))
    return policy


def test_new_business_below_the_ordinance_level_is_reported_non_compliant(
    in_rialto: Any, ordinance: DepartmentPolicy
) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    camera = _camera(owner, in_rialto, kind="business", constructed_on=dt.date(2025, 3, 1))
    services.consent_set(owner=owner, camera=camera, policy=ordinance, level="on_request")

    status = _status(camera.site, ordinance)

    assert status is not None
    assert (status.covered, status.compliant) == (True, False)
    assert "Not compliant" in status.message


def test_lowering_consent_under_the_ordinance_is_allowed_never_blocked(
    in_rialto: Any, ordinance: DepartmentPolicy
) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    camera = _camera(owner, in_rialto, kind="business", constructed_on=dt.date(2025, 3, 1))
    services.consent_set(owner=owner, camera=camera, policy=ordinance, level="live")

    services.consent_set(owner=owner, camera=camera, policy=ordinance, level="registered")

    assert ConsentGrant.objects.get(camera=camera).level == "registered"


@pytest.mark.parametrize(
    ("kind", "constructed_on", "level", "expected"),
    [
        # Live consent without a connected bridge: no live view is possible, so not compliant
        # (the old status line said "Meets the ordinance" here).
        ("business", dt.date(2025, 3, 1), "live", (True, False)),
        ("business", dt.date(2019, 3, 1), "registered", (False, True)),
        ("residential", dt.date(2025, 3, 1), "registered", (False, True)),
    ],
)
def test_ordinance_applies_to_new_businesses_only(
    in_rialto: Any,
    ordinance: DepartmentPolicy,
    kind: str,
    constructed_on: dt.date,
    level: str,
    expected: tuple[bool, bool],
) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    camera = _camera(owner, in_rialto, kind=kind, constructed_on=constructed_on)
    services.consent_set(owner=owner, camera=camera, policy=ordinance, level=level)

    status = _status(camera.site, ordinance)

    assert status is not None
    assert (status.covered, status.compliant) == expected


def test_revoked_consent_makes_an_ordinance_site_non_compliant(in_rialto: Any, ordinance: DepartmentPolicy) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    camera = _camera(owner, in_rialto, kind="business", constructed_on=dt.date(2025, 3, 1))
    services.consent_set(owner=owner, camera=camera, policy=ordinance, level="live")

    services.consent_revoke(owner=owner, camera=camera)

    status = _status(camera.site, ordinance)
    assert status is not None
    assert status.compliant is False


def test_a_service_refuses_another_owners_camera(in_rialto: Any, policy: DepartmentPolicy) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    camera = _camera(owner, in_rialto)
    intruder = UserFactory(role=Role.RESIDENT)

    with pytest.raises(ConsentGrant.DoesNotExist):
        services.consent_set(owner=intruder, camera=camera, policy=policy, level="live")

    assert ConsentGrant.objects.get(camera=camera).level == "registered"


# --- Bad values the services refuse before anything is computed or saved ----------------------

LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def _grant_values(camera: Camera) -> tuple[Any, ...]:
    grant = ConsentGrant.objects.get(camera=camera)
    return (grant.level, grant.windows, grant.expires_at, grant.granted_at)


@pytest.mark.parametrize(
    "expires_at",
    [
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=LOS_ANGELES),
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime.now(dt.UTC) + dt.timedelta(days=3660),
    ],
)
def test_consent_ending_more_than_ten_years_ahead_is_refused(
    in_rialto: Any, policy: DepartmentPolicy, expires_at: dt.datetime
) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    camera = _camera(owner, in_rialto)
    before = _grant_values(camera)

    with pytest.raises(ValidationError) as caught:
        services.consent_set(owner=owner, camera=camera, policy=policy, level="live", expires_at=expires_at)

    assert "at most 10 years ahead" in str(caught.value.message_dict["expires_at"])
    assert _grant_values(camera) == before


def test_consent_ending_just_under_ten_years_ahead_is_saved(in_rialto: Any, policy: DepartmentPolicy) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    camera = _camera(owner, in_rialto)
    expires_at = timezone.now() + dt.timedelta(days=3650)

    grant = services.consent_set(owner=owner, camera=camera, policy=policy, level="live", expires_at=expires_at)

    assert ConsentGrant.objects.get(pk=grant.pk).expires_at == expires_at


@pytest.mark.parametrize("count", [15, 1500])
def test_more_than_fourteen_windows_are_refused_by_the_service(
    in_rialto: Any, policy: DepartmentPolicy, count: int
) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    camera = _camera(owner, in_rialto)
    windows = [{"day": i % 7, "start": "00:00", "end": "00:01"} for i in range(count)]
    before = _grant_values(camera)

    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        services.consent_set(owner=owner, camera=camera, policy=policy, level="live", windows=windows)

    assert caught.value.message_dict["windows"] == ["Give at most 14 schedule windows."]
    assert time.monotonic() - started < 0.5
    assert _grant_values(camera) == before


@pytest.mark.parametrize(("start", "end"), [("10:00:30", "10:00:50"), ("10:00", "11:00:01"), ("10:00:00.5", "11:00")])
def test_window_times_with_seconds_are_refused_by_the_service(
    in_rialto: Any, policy: DepartmentPolicy, start: str, end: str
) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    camera = _camera(owner, in_rialto)
    before = _grant_values(camera)

    with pytest.raises(ValidationError) as caught:
        services.consent_set(
            owner=owner, camera=camera, policy=policy, level="live", windows=[{"day": 1, "start": start, "end": end}]
        )

    assert "whole minutes" in str(caught.value.message_dict["windows"])
    assert _grant_values(camera) == before


@pytest.mark.parametrize("field", ["bearing_deg", "fov_angle_deg", "range_m"])
@pytest.mark.parametrize("value", [10**400, -(10**400), float("nan")], ids=["huge", "hugely-negative", "nan"])
def test_a_camera_with_an_out_of_range_number_is_a_field_error_not_a_crash(
    in_rialto: Any, field: str, value: Any
) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    site = services.site_create(owner=owner, department=in_rialto, lon=-117.38, lat=34.10, address="1 Main St")

    with pytest.raises(ValidationError) as caught:
        services.camera_register(owner=owner, site=site, label="Front", **{field: value})

    assert field in caught.value.message_dict
    assert not Camera.objects.filter(site=site).exists()


@pytest.mark.parametrize("field", ["bearing_deg", "fov_angle_deg", "range_m"])
def test_a_camera_change_with_a_huge_number_is_a_field_error_and_nothing_changes(in_rialto: Any, field: str) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    camera = _camera(owner, in_rialto)

    with pytest.raises(ValidationError) as caught:
        services.camera_update(owner=owner, camera=camera, **{field: 10**400})

    stored = Camera.objects.get(pk=camera.pk)
    assert field in caught.value.message_dict
    assert (stored.bearing_deg, stored.fov_angle_deg, stored.range_m, stored.fov.wkt) == (90, 90, 20, camera.fov.wkt)


# --- The ordinance cannot be left by blanking the date or changing the kind unnoticed ------------


@pytest.mark.parametrize("level", ["live", "registered"])
def test_an_ordinance_kind_site_without_a_construction_date_is_subject_and_needs_the_date(
    in_rialto: Any, ordinance: DepartmentPolicy, level: str
) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    camera = _camera(owner, in_rialto, kind="business")
    services.consent_set(owner=owner, camera=camera, policy=ordinance, level=level)

    status = _status(camera.site, ordinance)

    assert status is not None
    assert (status.covered, status.compliant) == (True, False)
    assert "construction" in status.message


def test_blanking_the_construction_date_keeps_a_business_under_the_ordinance(
    in_rialto: Any, ordinance: DepartmentPolicy
) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    camera = _camera(owner, in_rialto, kind="business", constructed_on=dt.date(2025, 3, 1))
    services.consent_set(owner=owner, camera=camera, policy=ordinance, level="registered")

    services.site_update(owner=owner, site=camera.site, department=in_rialto, constructed_on=None)

    site = Site.objects.get(pk=camera.site.pk)
    status = _status(site, ordinance)
    assert status is not None
    assert (status.covered, status.compliant) == (True, False)


@pytest.mark.parametrize(
    ("change", "field", "old", "new"),
    [
        ({"kind": "residential"}, "kind", "business", "residential"),
        ({"constructed_on": None}, "constructed_on", dt.date(2025, 3, 1), None),
        ({"constructed_on": dt.date(2019, 1, 1)}, "constructed_on", dt.date(2025, 3, 1), dt.date(2019, 1, 1)),
    ],
)
def test_changing_the_kind_or_date_of_a_site_under_the_ordinance_stays_in_its_history(
    in_rialto: Any, ordinance: DepartmentPolicy, change: dict[str, Any], field: str, old: Any, new: Any
) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    camera = _camera(owner, in_rialto, kind="business", constructed_on=dt.date(2025, 3, 1))
    services.consent_set(owner=owner, camera=camera, policy=ordinance, level="registered")

    services.site_update(owner=owner, site=camera.site, department=in_rialto, **change)

    latest, previous = Site.history.filter(id=camera.site.pk).order_by("-history_date", "-history_id")[:2]
    assert (getattr(previous, field), getattr(latest, field)) == (old, new)
    assert latest.history_user == owner
    assert "ordinance" in (latest.history_change_reason or "")


def test_far_expiries_saved_before_the_limit_are_brought_back_into_range(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    from importlib import import_module

    from django.db import connection

    owner = UserFactory(role=Role.RESIDENT)
    camera = _camera(owner, in_rialto)
    services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
    with connection.cursor() as cursor:  # as the old form saved 9999-12-31 23:59:59 in Los Angeles
        for table in ("cameras_consentgrant", "cameras_historicalconsentgrant"):
            sql = f"UPDATE {table} SET expires_at = '10000-01-01 07:59:59+00' WHERE camera_id = %s"  # noqa: S608
            cursor.execute(sql, [camera.pk])
        migration = import_module("cameras.migrations.0005_clamp_far_consent_expiry").Migration
        for operation in migration.operations:
            cursor.execute(operation.sql)

    grant = ConsentGrant.objects.get(camera=camera)  # readable again
    assert grant.expires_at == dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
    assert all(h.expires_at.year == 9999 for h in ConsentGrant.history.filter(camera_id=camera.pk))


def test_what_a_camera_views_is_kept_once_each_in_order(in_rialto: Any) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    camera = _camera(owner, in_rialto)

    services.camera_update(owner=owner, camera=camera, views=["street", "sidewalk", "street"])

    assert Camera.objects.get(pk=camera.pk).views == ["street", "sidewalk"]
