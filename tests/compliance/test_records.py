"""Stored compliance (compliance.models.ComplianceRecord): kept current after each change to a
site, after an ordinance change, and right at read time when time alone changes a status."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from cameras import services as camera_services
from compliance import records, services
from compliance.models import ComplianceRecord, Notice
from compliance.rules import Requirement, Status
from tenants.models import DepartmentPolicy, OutboxMessage
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, camera_make, ordinance_make, site_make

pytestmark = pytest.mark.django_db

# A name of our own: browser tests commit ordinances into Rialto for the session.
DEKALB = {**DEKALB_AFFIDAVIT, "name": "Stored-compliance test ordinance"}


def _gas_station(department: Any, **fields: Any) -> Any:
    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(owner, department, kind="business", business_category="gas_station", **fields)
    return owner, site


def _record(site: Any) -> ComplianceRecord:
    return ComplianceRecord.objects.get(site=site, ordinance__name=DEKALB["name"])


def test_a_new_site_under_an_ordinance_is_stored_after_its_commit(
    in_rialto: Any, policy: DepartmentPolicy, django_capture_on_commit_callbacks: Any
) -> None:
    ordinance_make(policy, DEKALB)

    with django_capture_on_commit_callbacks(execute=True):
        _owner, site = _gas_station(in_rialto)

    record = _record(site)
    assert record.status == Status.NOT_COMPLIANT
    assert Requirement.MIN_CAMERAS in record.unmet
    assert record.version is not None
    assert record.computed_at is not None


def test_a_camera_registered_later_updates_the_stored_row(
    in_rialto: Any, policy: DepartmentPolicy, django_capture_on_commit_callbacks: Any
) -> None:
    ordinance_make(policy, DEKALB)
    with django_capture_on_commit_callbacks(execute=True):
        owner, site = _gas_station(in_rialto)

    with django_capture_on_commit_callbacks(execute=True):
        camera_make(owner, in_rialto, site=site)

    assert Requirement.MIN_CAMERAS not in _record(site).unmet


def test_the_change_owes_its_task_through_the_outbox_in_the_same_transaction(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    ordinance_make(policy, DEKALB)
    before = OutboxMessage.objects.filter(task_name="compliance.tasks.site_compliance_refresh").count()

    _owner, site = _gas_station(in_rialto)

    owed = OutboxMessage.objects.filter(task_name="compliance.tasks.site_compliance_refresh").order_by("-pk")
    assert owed.count() == before + 1
    newest = owed.first()
    assert newest is not None
    assert newest.kwargs == {"site_ids": [site.pk]}
    assert newest.department.schema_name == in_rialto.schema_name


def test_an_ordinance_added_later_judges_every_existing_site(
    in_rialto: Any, policy: DepartmentPolicy, django_capture_on_commit_callbacks: Any
) -> None:
    _owner, site = _gas_station(in_rialto)
    assert not ComplianceRecord.objects.filter(site=site).exists()

    with django_capture_on_commit_callbacks(execute=True):
        ordinance_make(policy, DEKALB)

    assert _record(site).status == Status.NOT_COMPLIANT


def test_a_site_that_leaves_the_covered_category_loses_its_row(
    in_rialto: Any, policy: DepartmentPolicy, django_capture_on_commit_callbacks: Any
) -> None:
    ordinance_make(policy, DEKALB)
    with django_capture_on_commit_callbacks(execute=True):
        owner, site = _gas_station(in_rialto)

    with django_capture_on_commit_callbacks(execute=True):
        camera_services.site_update(owner=owner, site=site, department=in_rialto, business_category="bar")

    assert not ComplianceRecord.objects.filter(site=site, ordinance__name=DEKALB["name"]).exists()


def test_an_attestation_that_expires_is_read_as_expired_without_waiting_for_the_nightly_run(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    version = ordinance_make(policy, DEKALB)
    owner, site = _gas_station(in_rialto)
    camera_make(owner, in_rialto, site=site)
    signed = dt.datetime(2026, 4, 20, 12, tzinfo=dt.UTC)  # counts for 1 May 2026: valid until 1 May 2027
    services.attestation_file(
        owner=owner,
        site_public_id=site.public_id,
        ordinance_public_id=version.ordinance.public_id,
        signed_name="Dana Owner",
        confirmed=["night_vision", "retention", "signage"],
        ip_address=None,
        now=signed,
    )
    records.records_refresh(site_ids=[site.pk], now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert _record(site).status == Status.COMPLIANT
    assert _record(site).recheck_on == dt.date(2027, 4, 1)  # 30 days before it falls due

    current = records.records_refresh_stale(now=dt.datetime(2027, 5, 2, tzinfo=dt.UTC))

    assert current is True
    assert _record(site).status == Status.NOT_COMPLIANT
    assert Requirement.ATTESTATION in _record(site).failed


def test_a_version_coming_into_force_asks_for_a_full_run_instead_of_a_slow_read(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    ordinance_make(policy, DEKALB)
    _owner, site = _gas_station(in_rialto)
    records.records_refresh(site_ids=[site.pk], now=timezone.now())
    # Within the 20 years ahead a version may be dated (compliance.selectors.YEARS_AHEAD).
    ordinance_make(policy, {**DEKALB, "name": "Stored-compliance future"}, effective_on=dt.date(2045, 1, 1))

    current = records.records_refresh_stale(now=dt.datetime(2045, 1, 2, tzinfo=dt.UTC))

    assert current is False


def test_refreshing_twice_stores_the_same_rows(in_rialto: Any, policy: DepartmentPolicy) -> None:
    ordinance_make(policy, DEKALB)
    _owner, site = _gas_station(in_rialto)
    now = timezone.now()

    records.records_refresh(site_ids=[site.pk], now=now)
    first = list(ComplianceRecord.objects.filter(site=site).values("ordinance_key", "status", "unmet", "rank"))
    records.records_refresh(site_ids=[site.pk], now=now)

    assert list(ComplianceRecord.objects.filter(site=site).values("ordinance_key", "status", "unmet", "rank")) == first


def test_a_notice_cured_by_the_last_representable_day_does_not_stop_the_refresh(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    # Defence in depth: notice_issue bounds the date, but a row from before that bound (or
    # from the admin) must not make every site's refresh fail on date overflow.
    ordinance = ordinance_make(policy, DEKALB).ordinance
    _owner, site = _gas_station(in_rialto)
    Notice.objects.create(
        site=site,
        ordinance=ordinance,
        issued_on=dt.date(2026, 12, 7),
        cure_by=dt.date.max,
        text="x",
        issued_by=UserFactory(role=Role.SUPERVISOR),
    )

    records.records_refresh(site_ids=[site.pk], now=timezone.now())

    assert _record(site).status == Status.NOT_COMPLIANT


@pytest.mark.parametrize("operation", ["revoke_all", "pause_all", "resume_all"])
def test_revoking_pausing_or_resuming_every_camera_at_once_owes_the_sites_recomputation(
    in_rialto: Any, policy: DepartmentPolicy, operation: str
) -> None:
    """The attack on issue 16: after "Revoke all" the dashboard, its CSV and the public page kept
    the site "Compliant" until the nightly run, while the owner's own page said consent unmet."""
    from cameras.suspensions import cameras_pause_all, consents_revoke_all, suspensions_resume_all

    ordinance_make(policy, DEKALB)
    owner, site = _gas_station(in_rialto)
    other_site = site_make(owner, in_rialto, kind="business", business_category="gas_station")
    for where in (site, site, other_site):
        camera_make(owner, in_rialto, site=where)
    if operation == "resume_all":
        consents_revoke_all(owner=owner)
    owed = OutboxMessage.objects.filter(task_name="compliance.tasks.site_compliance_refresh")
    before = set(owed.values_list("pk", flat=True))

    {"revoke_all": consents_revoke_all, "pause_all": cameras_pause_all, "resume_all": suspensions_resume_all}[
        operation
    ](owner=owner)

    sites = sorted(s for m in owed.exclude(pk__in=before) for s in m.kwargs["site_ids"])
    assert sites == sorted([site.pk, other_site.pk])


def test_after_revoke_all_the_stored_row_says_consent_is_unmet(
    in_rialto: Any, policy: DepartmentPolicy, django_capture_on_commit_callbacks: Any
) -> None:
    from cameras.suspensions import consents_revoke_all

    ordinance_make(policy, DEKALB, min_consent="on_request")
    with django_capture_on_commit_callbacks(execute=True):
        owner, site = _gas_station(in_rialto)
        camera = camera_make(owner, in_rialto, site=site)
        camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")
    assert Requirement.CONSENT not in _record(site).unmet

    with django_capture_on_commit_callbacks(execute=True):
        consents_revoke_all(owner=owner)

    assert Requirement.CONSENT in _record(site).unmet


# --- Days are the department's: a version takes effect at its midnight, not UTC's ---------


def _at_local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    from zoneinfo import ZoneInfo

    # In UTC, as timezone.now() gives it: the day must come from the department's zone.
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo("America/Los_Angeles"))
    return local.astimezone(dt.UTC)


def _stricter_version(policy: DepartmentPolicy, first: Any, effective: dt.date) -> Any:
    """A version of ``first``'s ordinance in force from ``effective``, asking three cameras."""
    same = {name: value for name, value in DEKALB.items() if name not in ("name", "effective_on")}
    return services.ordinance_version_add(
        actor=None, policy=policy, ordinance=first.ordinance, effective_on=effective, **same, min_cameras=3
    )


def test_a_new_version_is_not_in_force_at_23_30_on_its_eve_where_the_department_is(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    assert in_rialto.time_zone == "America/Los_Angeles"  # behind UTC: 23:30 there is 07:30 UTC the next day
    first = ordinance_make(policy, {**DEKALB, "name": "Midnight test ordinance"})
    effective = services.local_today() + dt.timedelta(days=30)
    second = _stricter_version(policy, first, effective)
    _owner, site = _gas_station(in_rialto)

    records.records_refresh(site_ids=[site.pk], now=_at_local(effective - dt.timedelta(days=1), 23, 30))
    on_the_eve = ComplianceRecord.objects.get(site=site, ordinance=first.ordinance)
    records.records_refresh(site_ids=[site.pk], now=_at_local(effective, 0, 30))
    on_the_day = ComplianceRecord.objects.get(site=site, ordinance=first.ordinance)

    assert on_the_eve.version == first
    assert on_the_day.version == second


def test_rows_judged_on_the_eve_are_judged_again_once_the_version_is_in_force_where_the_department_is(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    first = ordinance_make(policy, {**DEKALB, "name": "Midnight read test ordinance"})
    effective = services.local_today() + dt.timedelta(days=30)
    _stricter_version(policy, first, effective)
    _gas_station(in_rialto)
    records.records_refresh(now=_at_local(effective - dt.timedelta(days=1), 23, 30))

    current_on_the_eve = records.records_refresh_stale(now=_at_local(effective - dt.timedelta(days=1), 23, 45))
    current_after_midnight = records.records_refresh_stale(now=_at_local(effective, 0, 30))

    assert current_on_the_eve is True
    assert current_after_midnight is False  # a version came into force: a full run is asked
