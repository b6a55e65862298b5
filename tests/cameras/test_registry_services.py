"""Registry services: history of consent over time, the ordinance, geometry."""

import datetime as dt
import time
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from cameras import selectors, services
from cameras.geometry import fov_wedge, point
from cameras.models import Camera, ConsentGrant
from tenants.models import DepartmentPolicy
from tenants.services import policy_update
from tests.factories import UserFactory


@pytest.fixture
def policy(in_rialto: Any) -> DepartmentPolicy:
    return DepartmentPolicy.objects.get(department=in_rialto)


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
    return policy_update(
        department=in_rialto,
        actor=None,
        ordinance_enabled=True,
        ordinance_name="Test ordinance",
        ordinance_minimum_level="live",
        ordinance_effective_date=dt.date(2024, 1, 1),
        ordinance_site_kinds=["business"],
    )


def test_new_business_below_the_ordinance_level_is_reported_non_compliant(
    in_rialto: Any, ordinance: DepartmentPolicy
) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    camera = _camera(owner, in_rialto, kind="business", constructed_on=dt.date(2025, 3, 1))
    services.consent_set(owner=owner, camera=camera, policy=ordinance, level="on_request")

    status = selectors.site_ordinance_status(site=camera.site, policy=ordinance, time_zone="America/Los_Angeles")

    assert status is not None
    assert (status.subject, status.compliant) == (True, False)
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
        ("business", dt.date(2025, 3, 1), "live", (True, True)),
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

    status = selectors.site_ordinance_status(site=camera.site, policy=ordinance, time_zone="America/Los_Angeles")

    assert status is not None
    assert (status.subject, status.compliant) == expected


def test_revoked_consent_makes_an_ordinance_site_non_compliant(in_rialto: Any, ordinance: DepartmentPolicy) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    camera = _camera(owner, in_rialto, kind="business", constructed_on=dt.date(2025, 3, 1))
    services.consent_set(owner=owner, camera=camera, policy=ordinance, level="live")

    services.consent_revoke(owner=owner, camera=camera)

    status = selectors.site_ordinance_status(site=camera.site, policy=ordinance, time_zone="America/Los_Angeles")
    assert status is not None
    assert status.compliant is False


def test_a_service_refuses_another_owners_camera(in_rialto: Any, policy: DepartmentPolicy) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    camera = _camera(owner, in_rialto)
    intruder = UserFactory(role=Role.RESIDENT)

    with pytest.raises(ConsentGrant.DoesNotExist):
        services.consent_set(owner=intruder, camera=camera, policy=policy, level="live")

    assert ConsentGrant.objects.get(camera=camera).level == "registered"
