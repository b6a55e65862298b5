"""An officer signs in with MFA, states a purpose, draws a circle on the console map and sees the
cameras around it; the owner then finds that search in "Who accessed my cameras"."""

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import Role
from cameras import services
from tenants.models import Department, DepartmentPolicy
from tests.e2e.conftest import LiveServer
from tests.factories import PASSWORD, UserFactory, totp_code, totp_enable

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _committed(fn: Any) -> Any:
    """Run ``fn`` on its own thread and connection, so its rows are committed and the
    server process sees them (the test's own connection is inside a transaction)."""

    def run() -> Any:
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def people(porchlight_server: LiveServer) -> dict[str, Any]:
    return _committed(_make_people)  # type: ignore[no-any-return]


def _make_people() -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        policy = DepartmentPolicy.objects.get(department=department)
        officer = UserFactory(role=Role.OFFICER, email=f"officer-{tag}@example.org", badge_number="7731")
        secret = totp_enable(officer)
        owner = UserFactory(role=Role.BUSINESS, email=f"owner-{tag}@example.org")
        site = services.site_create(
            owner=owner, department=department, lon=-117.3650, lat=34.0900, kind="business", address="5 Valley Blvd"
        )
        camera = services.camera_register(owner=owner, site=site, label="Lot camera", bearing_deg=0, range_m=30)
        services.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")
        session = SessionStore()  # the owner's own signed-in browser, later
        session["_auth_user_id"] = str(owner.pk)
        session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
        session["_auth_user_hash"] = owner.get_session_auth_hash()
        session.create()
    return {
        "officer": officer,
        "secret": secret,
        "owner": owner,
        "camera": camera,
        "owner_session": session.session_key,
    }


def test_officer_draws_a_circle_and_the_owner_sees_the_search(
    porchlight_server: LiveServer, page: Any, shot: Any, people: dict[str, Any]
) -> None:
    # Sign in with password, then the TOTP code.
    page.goto(porchlight_server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", people["officer"].email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("[name=code]", totp_code(people["secret"]))
    shot(page, "mfa")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    # The console asks for a purpose first.
    page.goto(porchlight_server.url(HOST, "/console/"))
    page.wait_for_url("**/console/purpose/")
    page.fill("[name=case_number]", "RPD-26-1234")
    page.select_option("[name=category]", "property_crime")
    page.fill("[name=text]", "Catalytic converter theft in the lot")
    shot(page, "purpose")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/console/")
    page.wait_for_selector("#console-map[data-ready='1']")

    # Centre the map on the camera's block and draw a circle with the drawing tool.
    box = page.locator("#console-map").bounding_box()
    page.locator(".leaflet-draw-draw-circle").click()
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(centre_x, centre_y)
    page.mouse.down()
    page.mouse.move(centre_x + 120, centre_y, steps=8)
    page.mouse.up()
    expect(page.locator("#results table.results")).to_be_visible()
    shot(page, "circle-drawn")
    assert page.locator("#results").inner_text() != ""

    # A direct search at the camera's spot lists it.
    page.fill("[name=radius_m]", "200")
    page.evaluate(
        "([lat, lon]) => { const f = document.getElementById('area-form');"
        " f.lat.value = lat; f.lon.value = lon; f.polygon.value = ''; htmx.trigger(f, 'submit'); }",
        ["34.0900", "-117.3650"],
    )
    hit = page.locator(f"tr.hit[data-camera='{people['camera'].public_id}']")
    expect(hit.locator("td").first).to_have_text("0 m")
    expect(page.locator("#console-map")).to_have_attribute("data-results", re.compile(r"[1-9]\d*"))
    shot(page, "results")

    # The owner finds that search in "Who accessed my cameras".
    owner_context = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    owner_context.add_cookies(
        [{"name": "sessionid", "value": people["owner_session"], "domain": "rialto.localhost", "path": "/"}]
    )
    owner_page = owner_context.new_page()
    owner_page.goto(porchlight_server.url(HOST, "/my/access/"))
    expect(owner_page.locator("main")).to_contain_text("RPD-26-1234")
    expect(owner_page.locator("main")).to_contain_text("7731")
    shot(owner_page, "owner-sees-the-search")
    owner_context.close()
