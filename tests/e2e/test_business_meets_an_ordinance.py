"""In a real browser, in English and Spanish: a business under an ordinance sees what is missing,
connects a bridge (the checklist turns to met), and files the yearly attestation. Screenshots go
to tests/e2e/artifacts/."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from accounts.models import Role
from cameras import services
from compliance.models import Attestation
from tenants.models import Department, DepartmentPolicy
from tests.e2e.conftest import LiveServer
from tests.factories import UserFactory, bridge_online_make, ordinance_make
from tests.live.test_consumers import committed

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

HOST = "rialto.localhost"
# The yearly attestation falls due 100 days after today, whatever today is: never "due soon" (30
# days) while this test runs, so its first row reads "Not due yet" in every season.
_DUE = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=100)
_DUE = _DUE if (_DUE.month, _DUE.day) != (2, 29) else _DUE + dt.timedelta(days=1)
ORDINANCE = {
    "name": "Commercial camera ordinance (browser test)",
    "citation": "Ord. 2024-7",
    "text_url": "https://example.org/ordinance-2024-7",
    "effective_on": dt.date(2024, 1, 1),
    "business_categories": ["convenience_store"],
    "min_consent": "live",
    "live_connection_required": True,
    "retention_days": 30,
    "signage": True,
    "attestation_month": _DUE.month,
    "attestation_day": _DUE.day,
}


def _business_under_the_ordinance() -> dict[str, Any]:
    """A convenience store with one live camera and no bridge yet, its owner's session, and
    the ordinance (made once per test: its version's date is the same, so a second is a new one)."""
    department = Department.objects.get(schema_name="rialto")
    policy = DepartmentPolicy.objects.get(department=department)
    version = ordinance_make(policy, ORDINANCE, name=f"{ORDINANCE['name']} {uuid.uuid4().hex[:4]}")
    owner = UserFactory(role=Role.BUSINESS, email=f"store-{uuid.uuid4().hex[:8]}@example.org")
    site = services.site_create(
        owner=owner,
        department=department,
        # In the north of Rialto, away from the console map's centre, where the officers' browser
        # tests click to search (this test's committed stores stay for the session).
        lon=-117.40,
        lat=34.15,
        kind="business",
        business_name="Corner Market",
        business_category="convenience_store",
        address="400 N Riverside Ave",
    )
    camera = services.camera_register(owner=owner, site=site, label="Register")
    services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
    session = SessionStore()
    session["_auth_user_id"] = str(owner.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = owner.get_session_auth_hash()
    session.create()
    return {
        "session": session.session_key,
        "owner": owner,
        "site": site,
        "camera": camera,
        "ordinance": str(version.ordinance.public_id),
        "name": version.ordinance.name,
    }


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_a_business_sees_what_is_missing_connects_and_files_the_attestation(
    porchlight_server: LiveServer, browser: Any, shot: Any, locale: str
) -> None:
    # given a convenience store's owner, one live camera and no bridge, on "Your obligations"
    world = committed(_business_under_the_ordinance)
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale=locale)
    context.add_cookies([{"name": "sessionid", "value": world["session"], "domain": HOST, "path": "/"}])
    page = context.new_page()
    page.goto(porchlight_server.url(HOST, "/my/"))
    expect(page.locator(".ordinance-status").first).to_be_visible()
    shot(page, f"my-cameras-{locale}")
    page.click("#obligations-link")
    page.wait_for_url("**/my/obligations/")
    ordinance = page.locator("article.ordinance", has_text=world["name"])

    # then it says what is missing: the live connection, and what the attestation is to confirm
    expect(ordinance).to_have_attribute("data-status", "not_compliant")
    expect(ordinance.locator("li[data-requirement=live_connection]")).to_have_class("missing")
    expect(ordinance.locator("li[data-requirement=attestation]")).to_have_class("not-yet-due")
    expect(ordinance.locator("li[data-requirement=signage]")).to_have_class("to-confirm")
    expect(ordinance.locator("a[href='https://example.org/ordinance-2024-7']")).to_be_visible()
    shot(page, f"missing-{locale}")

    # when a bridge serving the camera connects, the checklist shows the connection met
    committed(bridge_online_make, world["owner"], world["site"], [world["camera"]])
    page.reload()
    expect(ordinance.locator("li[data-requirement=live_connection]")).to_have_class("met")
    shot(page, f"connected-{locale}")

    # when they file the attestation: the page refuses it unsigned, then takes it
    ordinance.locator("a[href$='/attest/']").click()
    page.wait_for_url("**/attest/")
    shot(page, f"attestation-form-{locale}")
    page.locator("input[name=confirmed]").first.check()
    page.click("main form button[type=submit]")
    expect(page.locator("main .error").first).to_be_visible()
    shot(page, f"attestation-refused-{locale}")
    for box in page.locator("input[name=confirmed]").all():
        box.check()
    page.fill("[name=signed_name]", "Rosa Martínez")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/my/obligations/**")

    # then the ordinance is met, and the signed text is kept with its hash
    expect(ordinance).to_have_attribute("data-status", "compliant")
    expect(ordinance.locator("li.missing, li.due, li.to-confirm")).to_have_count(0)
    shot(page, f"compliant-{locale}")
    attestation = committed(lambda: Attestation.objects.get(site__public_id=world["site"].public_id))
    assert attestation.signed_name == "Rosa Martínez"
    assert len(attestation.text_sha256) == 64

    # and the exemption page is there for what they cannot meet
    ordinance.locator("a[href$='/appeal/']").click()
    page.wait_for_url("**/appeal/")
    shot(page, f"appeal-form-{locale}")
    context.close()
