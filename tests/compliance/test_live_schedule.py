"""A consent limited by a schedule under an ordinance asking for live view: set through the
owner's consent form, the stored judgement is recomputed (cameras.events.site_changed), the
owner's obligations page and the department's dashboard say why it falls short, and removing
the schedule makes the site compliant again."""

import datetime as dt
from typing import Any

import pytest

from accounts.models import Role, User
from cameras import services as camera_services
from compliance import records
from compliance.models import ComplianceRecord
from compliance.rules import Requirement, Status
from tenants.models import Department, DepartmentPolicy
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import RIALTO_CONDITIONS, UserFactory, bridge_online_make, camera_make, ordinance_make, site_make

pytestmark = pytest.mark.django_db

# A name of our own: browser tests commit ordinances into Rialto for the session.
CONDITIONS = {**RIALTO_CONDITIONS, "name": "Live-schedule conditions"}
WEEKDAYS_NINE_TO_FIVE = [{"day": str(day), "start": "09:00", "end": "17:00"} for day in range(5)]


def _consent(level: str, windows: list[dict[str, str]]) -> dict[str, str]:
    """The owner's consent form as the page posts it."""
    data = {
        "level": level,
        "w-TOTAL_FORMS": str(len(windows)),
        "w-INITIAL_FORMS": "0",
        "w-MIN_NUM_FORMS": "0",
        "w-MAX_NUM_FORMS": "14",
        "expires_on": "",
        "max_live_minutes": "",
        "save": "1",
    }
    for index, window in enumerate(windows):
        data.update({f"w-{index}-{key}": value for key, value in window.items()})
    return data


@pytest.fixture
def owner(in_rialto: Department) -> User:
    return UserFactory(role=Role.BUSINESS)


@pytest.fixture
def owner_client(owner: User) -> TenantClient:
    client = TenantClient("rialto.localhost")
    client.force_login(owner)
    return client


@pytest.fixture
def live_site(policy: DepartmentPolicy, owner: User, in_rialto: Department) -> tuple[Any, Any]:
    """A business under the conditions, with a live camera whose bridge is connected: compliant."""
    ordinance_make(policy, CONDITIONS)
    site = site_make(
        owner, in_rialto, kind="business", business_name="Schedule Fuel", constructed_on=dt.date(2024, 3, 1)
    )
    camera = camera_make(owner, in_rialto, site=site, label="Pumps")
    camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
    bridge_online_make(owner, site, [camera], schema=in_rialto.schema_name)
    records.records_refresh(site_ids=[site.pk])
    return site, camera


def _stored(site: Any) -> ComplianceRecord:
    return ComplianceRecord.objects.get(site=site, ordinance__name=CONDITIONS["name"])


def test_a_schedule_set_on_the_consent_form_is_judged_and_said_in_words_until_it_is_removed(
    live_site: tuple[Any, Any],
    owner_client: TenantClient,
    make_staff: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    site, camera = live_site
    assert _stored(site).status == Status.COMPLIANT
    admin, secret = make_staff(Role.DEPT_ADMIN)
    admin_client = TenantClient("rialto.localhost")
    assert login_with_mfa(admin_client, admin.email, secret).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        saved = owner_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent("live", WEEKDAYS_NINE_TO_FIVE))
    scheduled = _stored(site)
    obligations = owner_client.get("/my/obligations/").content.decode()
    dashboard = admin_client.get("/console/compliance/", {"q": "Schedule Fuel"}).content.decode()
    site_page = admin_client.get(f"/console/compliance/sites/{site.public_id}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent("live", []))

    assert saved.status_code == 302
    assert (scheduled.status, scheduled.unmet) == (Status.NOT_COMPLIANT, [Requirement.LIVE_SCHEDULE])
    sentence = "Camera “Pumps” allows live view only on a schedule, 40 of the week&#x27;s 168 hours"
    assert sentence in obligations
    assert sentence in site_page
    assert 'data-requirement="live_schedule"' in obligations
    assert "Live view only on a schedule (the ordinance asks for every hour)" in dashboard
    assert _stored(site).status == Status.COMPLIANT
