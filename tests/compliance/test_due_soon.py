""" "Due soon" is what a business would call soon (compliance.rules.DUE_SOON_DAYS, 30 days):
a first yearly attestation months away is not due soon. The stored row says so, turns due soon
on its own 30 days before, the owner's checklist says what is still to confirm, and no
certificate certifies what no attestation has confirmed yet."""

import datetime as dt
from typing import Any

import pytest

from accounts.models import Role, User
from compliance import records
from compliance.days import local_today
from compliance.models import ComplianceRecord, OrdinanceVersion
from compliance.rules import DUE_SOON_DAYS, Status
from tenants.models import Department, DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, camera_make, ordinance_make, site_make

pytestmark = pytest.mark.django_db

# A name of our own: browser tests commit ordinances into Rialto for the session.
NAME = "Due-soon test affidavit"


def _noon(day: dt.date) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.fixture
def owner(in_rialto: Department) -> User:
    return UserFactory(role=Role.BUSINESS)


def _affidavit(policy: DepartmentPolicy, due: dt.date) -> OrdinanceVersion:
    """DeKalb's affidavit, due every year on ``due``'s month and day."""
    return ordinance_make(
        policy, {**DEKALB_AFFIDAVIT, "name": NAME}, attestation_month=due.month, attestation_day=due.day
    )


def _station(owner: User, department: Department) -> Any:
    """A gas station whose camera declares 90 days of retention: only the yearly attestation
    (signage, night vision) is left to it."""
    site = site_make(owner, department, kind="business", business_category="gas_station", business_name="Soon Fuel")
    camera_make(owner, department, site=site, retention_days=90)
    return site


def _stored(site: Any) -> ComplianceRecord:
    return ComplianceRecord.objects.get(site=site, ordinance__name=NAME)


def test_a_first_attestation_five_months_away_is_stored_compliant_and_turns_due_soon_thirty_days_before(
    in_rialto: Department, policy: DepartmentPolicy, owner: User
) -> None:
    today = dt.date(2026, 12, 8)
    due = dt.date(2027, 5, 1)  # five months ahead
    _affidavit(policy, due)
    site = _station(owner, in_rialto)

    records.records_refresh(site_ids=[site.pk], now=_noon(today))
    months_before = _stored(site)
    records.records_refresh_stale(now=_noon(due - dt.timedelta(days=DUE_SOON_DAYS)))
    thirty_days_before = _stored(site)

    assert (months_before.status, months_before.unmet) == (Status.COMPLIANT, [])
    assert months_before.next_attestation_due == due
    assert months_before.recheck_on == due - dt.timedelta(days=DUE_SOON_DAYS)
    assert (thirty_days_before.status, thirty_days_before.unmet) == (Status.DUE_SOON, ["attestation"])


def test_the_checklist_says_what_the_first_attestation_must_still_confirm_and_no_certificate_is_offered(
    in_rialto: Department, policy: DepartmentPolicy, owner: User
) -> None:
    # The first due day 100 days after the department's today, whatever today is.
    due = local_today() + dt.timedelta(days=100)
    due = due if (due.month, due.day) != (2, 29) else due + dt.timedelta(days=1)
    _affidavit(policy, due)
    site = _station(owner, in_rialto)
    client = TenantClient("rialto.localhost")
    client.force_login(owner)

    whole = client.get("/my/obligations/").content.decode()
    # Only this ordinance's card: browser tests commit ordinances of their own that may cover it too.
    page = whole[whole.index(f"<h3>{NAME}") : whole.index("</article>", whole.index(f"<h3>{NAME}"))]
    refused = client.post(f"/my/sites/{site.public_id}/certificate/")

    assert "Due soon" not in page
    assert f"the next is due on {due.isoformat()}" in page
    assert 'data-requirement="attestation"><span class="mark" aria-hidden="true">…</span>' in page
    assert "Not due yet" in page
    assert 'data-requirement="signage"' in page
    assert page.count("To confirm in the yearly attestation") == 2  # signage and night vision, not retention
    assert "Download the compliance certificate" not in whole
    assert "available once you have filed the yearly attestation" in whole
    assert refused.status_code == 409
    assert "File the yearly attestation first" in refused.content.decode()
