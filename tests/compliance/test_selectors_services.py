"""Compliance over the database: the facts loaded for many sites at once, the bridge's real
liveness, ordinance versions refused when they contradict the policy, attestations and appeals."""

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from cameras import services as camera_services
from cameras.models import Site
from compliance import selectors, services
from compliance.models import Appeal, Attestation, OrdinanceVersion
from compliance.rules import CameraFacts, OrdinanceRules, Requirement, SiteFacts, Status, compliance_judge
from tenants.models import DepartmentPolicy
from tenants.services import policy_update
from tests.factories import (
    DEKALB_AFFIDAVIT,
    RIALTO_CONDITIONS,
    UserFactory,
    bridge_online_make,
    camera_make,
    ordinance_make,
    site_make,
)

pytestmark = pytest.mark.django_db


def rialto_ordinance(policy: DepartmentPolicy, **changes: Any) -> OrdinanceVersion:
    return ordinance_make(policy, RIALTO_CONDITIONS, **changes)


def dekalb_ordinance(policy: DepartmentPolicy) -> OrdinanceVersion:
    return ordinance_make(policy, DEKALB_AFFIDAVIT)


def live_business(department: Any, policy: DepartmentPolicy, *, online: bool) -> tuple[Any, Site]:
    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(
        owner, department, kind="business", constructed_on=dt.date(2024, 5, 1), business_category="gas_station"
    )
    camera = camera_make(owner, department, site=site)
    camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
    if online:
        bridge_online_make(owner, site, [camera], schema=department.schema_name)
    return owner, site


def judge(site: Site, policy: DepartmentPolicy, department: Any, name: str = RIALTO_CONDITIONS["name"]) -> Any:
    """The site's judgement under the ordinance ``name`` (browser tests commit ordinances of
    their own to the same database, which may cover these sites too)."""
    compliance = selectors.site_compliance(site=site, policy=policy, schema=department.schema_name, now=timezone.now())
    return next(result for result in compliance.results if result.name == name)


def test_live_consent_without_a_connected_bridge_is_not_compliant(in_rialto: Any, policy: DepartmentPolicy) -> None:
    rialto_ordinance(policy)
    _owner, site = live_business(in_rialto, policy, online=False)

    result = judge(site, policy, in_rialto)

    assert result.status is Status.NOT_COMPLIANT
    assert result.judgement.missing(Requirement.LIVE_CONNECTION)


def test_live_consent_with_a_connected_bridge_is_compliant(in_rialto: Any, policy: DepartmentPolicy) -> None:
    rialto_ordinance(policy)
    _owner, site = live_business(in_rialto, policy, online=True)

    assert judge(site, policy, in_rialto).status is Status.COMPLIANT


def test_compliance_of_many_sites_takes_as_many_queries_as_of_one(in_rialto: Any, policy: DepartmentPolicy) -> None:
    rialto_ordinance(policy)
    dekalb_ordinance(policy)
    sites = [live_business(in_rialto, policy, online=n % 2 == 0)[1] for n in range(4)]

    schema, now = in_rialto.schema_name, timezone.now()
    with CaptureQueriesContext(connection) as one:
        selectors.sites_compliance(sites=sites[:1], policy=policy, schema=schema, now=now)
    with CaptureQueriesContext(connection) as four:
        result = selectors.sites_compliance(sites=sites, policy=policy, schema=schema, now=now)

    assert len(four) == len(one)
    assert [next(r for r in result[s.pk].results if r.name == RIALTO_CONDITIONS["name"]).status for s in sites] == [
        Status.COMPLIANT,
        Status.NOT_COMPLIANT,
        Status.COMPLIANT,
        Status.NOT_COMPLIANT,
    ]


def test_the_version_in_force_on_the_day_judges_the_site(in_rialto: Any, policy: DepartmentPolicy) -> None:
    first = rialto_ordinance(policy, live_connection_required=False)
    services.ordinance_version_add(
        actor=None,
        policy=policy,
        ordinance=first.ordinance,
        effective_on=timezone.now().date() + dt.timedelta(days=30),
        property_kinds=["business"],
        min_consent="live",
        live_connection_required=True,
    )
    _owner, site = live_business(in_rialto, policy, online=False)

    assert judge(site, policy, in_rialto).status is Status.COMPLIANT  # the stricter version is not in force yet


@pytest.mark.parametrize("kinds", [["residential"], []])
def test_an_ordinance_asking_live_view_of_homes_the_policy_never_watches_is_refused(
    in_rialto: Any, policy: DepartmentPolicy, kinds: list[str]
) -> None:
    assert policy.residential_live_view_allowed is False

    with pytest.raises(ValidationError) as refused:
        rialto_ordinance(policy, property_kinds=kinds)

    assert "does not allow live view of" in " ".join(refused.value.message_dict["min_consent"])
    assert not OrdinanceVersion.objects.filter(ordinance__name=RIALTO_CONDITIONS["name"]).exists()


def test_an_attestation_is_stored_with_name_time_ip_and_the_hash_of_its_text(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    version = dekalb_ordinance(policy)
    owner, site = live_business(in_rialto, policy, online=True)

    attestation = services.attestation_file(
        owner=owner,
        site_public_id=site.public_id,
        ordinance_public_id=version.ordinance.public_id,
        signed_name="  Ana   Ruiz ",
        confirmed=["night_vision", "retention", "signage"],
        ip_address="203.0.113.9",
    )

    assert (attestation.signed_name, attestation.ip_address) == ("Ana Ruiz", "203.0.113.9")
    assert attestation.text_sha256 == hashlib.sha256(attestation.text.encode()).hexdigest()
    assert "[retention] The recorder keeps footage at least 60 days." in attestation.text
    assert Attestation.history.filter(id=attestation.pk, history_user=owner).exists()
    assert judge(site, policy, in_rialto, DEKALB_AFFIDAVIT["name"]).status is Status.COMPLIANT


def test_an_attestation_for_another_owners_site_writes_nothing(in_rialto: Any, policy: DepartmentPolicy) -> None:
    version = dekalb_ordinance(policy)
    _owner, site = live_business(in_rialto, policy, online=True)
    intruder = UserFactory(role=Role.BUSINESS)

    with pytest.raises(Site.DoesNotExist):
        services.attestation_file(
            owner=intruder,
            site_public_id=site.public_id,
            ordinance_public_id=version.ordinance.public_id,
            signed_name="Mallory",
            confirmed=["night_vision", "retention", "signage"],
            ip_address=None,
        )

    assert not Attestation.objects.filter(site=site).exists()


def test_an_attestation_missing_a_confirmation_or_a_name_names_the_fields(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    version = dekalb_ordinance(policy)
    owner, site = live_business(in_rialto, policy, online=True)

    with pytest.raises(ValidationError) as refused:
        services.attestation_file(
            owner=owner,
            site_public_id=site.public_id,
            ordinance_public_id=version.ordinance.public_id,
            signed_name=" ",
            confirmed=["night_vision"],
            ip_address=None,
        )

    assert set(refused.value.message_dict) == {"signed_name", "confirmed"}
    assert not Attestation.objects.filter(site=site).exists()


def test_a_pending_appeal_puts_the_site_under_appeal_and_a_second_one_is_refused(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    version = rialto_ordinance(policy)
    owner, site = live_business(in_rialto, policy, online=False)
    ask = {"owner": owner, "site_public_id": site.public_id, "ordinance_public_id": version.ordinance.public_id}

    services.appeal_request(**ask, kind="exemption", reason="Our bridge is on order.")
    with pytest.raises(ValidationError) as again:
        services.appeal_request(**ask, kind="appeal", reason="Again")

    assert judge(site, policy, in_rialto).status is Status.UNDER_APPEAL
    assert "already" in again.value.message_dict["reason"][0]
    assert Appeal.objects.filter(site=site).count() == 1


def test_an_ordinance_of_business_categories_alone_asks_no_home_about_it(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    # The judgement leaves homes outside an ordinance that names business categories and no
    # property kind; the site form asks for the ordinance's facts by the same reading.
    dekalb_ordinance(policy)

    kinds = selectors.ordinance_kinds_in_force(on=timezone.localdate())

    assert "business" in kinds
    assert "residential" not in kinds


def test_turning_residential_live_view_off_is_refused_while_an_ordinance_asks_homes_for_it(in_rialto: Any) -> None:
    policy = policy_update(department=in_rialto, actor=None, residential_live_view_allowed=True)
    ordinance_make(
        policy, RIALTO_CONDITIONS, name="Apartments on live view", property_kinds=["multifamily"], built_after=None
    )

    with pytest.raises(ValidationError) as refused:
        policy_update(department=in_rialto, actor=None, residential_live_view_allowed=False)

    assert "Apartments on live view" in " ".join(refused.value.message_dict["residential_live_view_allowed"])
    assert DepartmentPolicy.objects.get(department=in_rialto).residential_live_view_allowed


def test_turning_residential_live_view_off_is_allowed_when_no_ordinance_asks_homes_for_it(in_rialto: Any) -> None:
    policy = policy_update(department=in_rialto, actor=None, residential_live_view_allowed=True)
    ordinance_make(policy, RIALTO_CONDITIONS, name="Businesses on live view")

    policy = policy_update(department=in_rialto, actor=None, residential_live_view_allowed=False)

    assert not policy.residential_live_view_allowed


def test_the_policy_is_checked_against_the_departments_ordinances_from_the_public_schema_too(
    in_rialto: Any, rialto: Any
) -> None:
    # The operator's commands (and browser tests' set-up) change a policy from the public
    # schema; the check reads the department's own ordinances, in its schema.
    policy = policy_update(department=in_rialto, actor=None, residential_live_view_allowed=True)
    ordinance_make(
        policy, RIALTO_CONDITIONS, name="Apartments live, from public", property_kinds=["multifamily"], built_after=None
    )
    connection.set_schema_to_public()  # type: ignore[attr-defined]  # django-tenants' connection

    with pytest.raises(ValidationError) as refused:
        policy_update(department=rialto, actor=None, residential_live_view_allowed=False)

    assert "Apartments live, from public" in " ".join(refused.value.message_dict["residential_live_view_allowed"])


@pytest.mark.parametrize(("declared_days", "state"), [(None, "not-confirmed"), (30, "missing"), (40000, "met")])
def test_a_stored_version_no_attestation_can_confirm_never_reads_met_unless_the_cameras_declare_it(
    declared_days: int | None, state: str
) -> None:
    # Fontana as it was saved before versions without an attestation schedule were refused.
    fontana = OrdinanceRules(
        key="fontana", name="Fontana", property_kinds=("business",), min_cameras=1, retention_days=30000, signage=True
    )
    camera = CameraFacts(active=True, consent_level="registered", retention_days=declared_days)
    judgement = compliance_judge(
        rules=fontana, site=SiteFacts(kind="business"), cameras=[camera], now=timezone.now(), time_zone="UTC"
    )

    rows = {
        code: row_state
        for code, _sentence, row_state in selectors.requirement_rows(
            selectors.OrdinanceResult(rules=fontana, judgement=judgement)
        )
    }

    assert rows["retention"] == state
    assert rows["signage"] == "not-confirmed"
    assert judgement.status is Status.NOT_COMPLIANT
