"""The policy's old single-ordinance fields, once on, become an ordinance of their own that judges
the same sites the same way; nothing saved is lost, and the policy page no longer shows them."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from cameras import services as camera_services
from cameras.models import Site
from compliance import selectors
from compliance.models import ComplianceRecord, Ordinance, OrdinanceVersion
from compliance.policy_ordinance import policy_ordinance_move
from compliance.rules import Requirement, Status
from tenants.models import DepartmentPolicy
from tests.factories import UserFactory, bridge_online_make, camera_make, site_make

pytestmark = pytest.mark.django_db

LEGACY = {
    "ordinance_enabled": True,
    "ordinance_name": "Rialto Ord. 1640",
    "ordinance_minimum_level": "live",
    "ordinance_effective_date": dt.date(2024, 1, 1),
    "ordinance_site_kinds": ["business"],
}


def _legacy(department: Any, **fields: Any) -> DepartmentPolicy:
    """A policy as the old policy page saved it (no service writes these fields any more)."""
    DepartmentPolicy.objects.filter(department=department).update(**{**LEGACY, **fields})
    return DepartmentPolicy.objects.get(department=department)


def _move(policy: DepartmentPolicy, today: dt.date = dt.date(2026, 12, 8)) -> Ordinance | None:
    return policy_ordinance_move(
        policy=policy,
        ordinance_model=Ordinance,
        version_model=OrdinanceVersion,
        historical_ordinance_model=Ordinance.history.model,
        historical_version_model=OrdinanceVersion.history.model,
        historical_policy_model=DepartmentPolicy.history.model,
        record_model=ComplianceRecord,
        now=timezone.now(),
        today=today,
    )


def _business(department: Any, policy: DepartmentPolicy, *, online: bool, built: dt.date) -> Site:
    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(owner, department, kind="business", constructed_on=built, business_category="gas_station")
    camera = camera_make(owner, department, site=site)
    camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
    if online:
        bridge_online_make(owner, site, [camera], schema=department.schema_name)
    return site


def _judged(site: Site, policy: DepartmentPolicy, department: Any, name: str) -> Any:
    compliance = selectors.site_compliance(site=site, policy=policy, schema=department.schema_name, now=timezone.now())
    return next(r for r in compliance.results if r.name == name)


def test_the_policys_ordinance_becomes_an_ordinance_with_the_same_requirements(in_rialto: Any) -> None:
    policy = _legacy(in_rialto)

    ordinance = _move(policy)

    assert ordinance is not None
    version = ordinance.versions.get()
    assert (ordinance.name, version.effective_on, version.built_after) == (
        "Rialto Ord. 1640",
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 1),
    )
    assert (version.property_kinds, version.min_consent, version.live_connection_required) == (
        ["business"],
        "live",
        True,
    )
    assert [h.history_change_reason for h in ordinance.history.all()] == [
        "Moved from the department policy's ordinance fields"
    ]


def test_it_judges_the_sites_the_policy_judged_as_it_judged_them(in_rialto: Any) -> None:
    # given the policy's live-view ordinance for businesses built from 2024, and three businesses
    policy = _legacy(in_rialto)
    offline = _business(in_rialto, policy, online=False, built=dt.date(2024, 5, 1))
    online = _business(in_rialto, policy, online=True, built=dt.date(2024, 5, 1))
    older = _business(in_rialto, policy, online=False, built=dt.date(2020, 5, 1))

    # when it is moved
    _move(policy)
    policy.refresh_from_db()

    # then the ordinance judges them: no bridge is not compliant, one is; an older one is not covered
    no_bridge = _judged(offline, policy, in_rialto, "Rialto Ord. 1640")
    assert no_bridge.status is Status.NOT_COMPLIANT
    assert no_bridge.judgement.missing(Requirement.LIVE_CONNECTION)
    assert _judged(online, policy, in_rialto, "Rialto Ord. 1640").status is Status.COMPLIANT
    assert _judged(older, policy, in_rialto, "Rialto Ord. 1640").status is Status.NOT_COVERED


def test_nothing_saved_is_lost_and_the_switch_is_off_so_it_is_never_judged_twice(in_rialto: Any) -> None:
    policy = _legacy(in_rialto)

    _move(policy)
    again = _move(DepartmentPolicy.objects.get(department=in_rialto))

    stored = DepartmentPolicy.objects.get(department=in_rialto)
    assert again is None
    assert Ordinance.objects.filter(name="Rialto Ord. 1640").count() == 1
    assert stored.ordinance_enabled is False
    assert (stored.ordinance_name, stored.ordinance_minimum_level, stored.ordinance_site_kinds) == (
        "Rialto Ord. 1640",
        "live",
        ["business"],
    )
    assert stored.history.first().history_change_reason == "Moved from the department policy's ordinance fields"


def test_the_stored_judgements_of_the_policys_ordinance_are_the_new_ordinances(in_rialto: Any) -> None:
    policy = _legacy(in_rialto)
    site = _business(in_rialto, policy, online=False, built=dt.date(2024, 5, 1))
    # A row the old code stored for the policy's ordinance (it keyed them "policy").
    ComplianceRecord.objects.create(
        site=site,
        ordinance_key="policy",
        status="not_compliant",
        rank=5,
        site_rank=5,
        primary=True,
        computed_at=timezone.now(),
    )

    ordinance = _move(policy)

    assert ordinance is not None
    record = ComplianceRecord.objects.get(site=site)
    assert (record.ordinance_key, record.ordinance_id, record.version_id) == (
        str(ordinance.public_id),
        ordinance.pk,
        ordinance.versions.get().pk,
    )


def test_a_later_built_after_date_still_puts_it_in_force_from_the_move(in_rialto: Any) -> None:
    policy = _legacy(in_rialto, ordinance_effective_date=dt.date(2027, 3, 1), ordinance_name="")

    ordinance = _move(policy, today=dt.date(2026, 12, 8))

    assert ordinance is not None
    version = ordinance.versions.get()
    assert (ordinance.name, version.effective_on, version.built_after) == (
        "Registration ordinance",
        dt.date(2026, 12, 8),
        dt.date(2027, 3, 1),
    )


def test_a_policy_without_the_ordinance_changes_nothing(in_rialto: Any) -> None:
    policy = _legacy(in_rialto, ordinance_enabled=False)

    assert _move(policy) is None
    assert not Ordinance.objects.filter(name="Rialto Ord. 1640").exists()
