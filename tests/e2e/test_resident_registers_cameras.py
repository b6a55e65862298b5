"""A new resident signs up, verifies the e-mail, registers a site and two cameras, sets consent
and revokes it, in a real browser. Screenshots of each step go to tests/e2e/artifacts/."""

import re
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from accounts.models import Role
from accounts.services import api_token_issue
from cameras import services
from cameras.models import Camera
from tenants.models import Department, DepartmentPolicy
from tests.e2e.conftest import LiveServer
from tests.factories import UserFactory
from tests.live.test_consumers import committed

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

HOST = "rialto.localhost"


def _fill_camera(page: Any, label: str, bearing: str) -> None:
    page.fill("[name=label]", label)
    page.select_option("[name=camera_type]", "doorbell")
    page.fill("[name=bearing_deg]", bearing)
    page.fill("[name=fov_angle_deg]", "120")
    page.fill("[name=range_m]", "25")
    page.check("input[name=views][value=street]")


def test_new_resident_registers_a_site_and_two_cameras_sets_consent_and_revokes_it(
    porchlight_server: LiveServer, page: Any, shot: Any
) -> None:
    email = f"resident-{uuid.uuid4().hex[:8]}@example.org"

    # Sign up as a resident.
    page.goto(porchlight_server.url(HOST, "/accounts/signup/"))
    page.fill("[name=email]", email)
    page.fill("[name=full_name]", "Rosa Resident")
    page.check("input[name=role][value=resident]")
    page.fill("[name=password1]", "a-long-passphrase-9")
    page.fill("[name=password2]", "a-long-passphrase-9")
    shot(page, "signup")
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/")
    shot(page, "verify-your-email")

    # Verify the e-mail from the outbox.
    mail = next(m for m in reversed(porchlight_server.mails()) if email in m)
    link = re.search(r"http://rialto\.localhost:\d+/accounts/confirm-email/\S+/", mail)
    assert link is not None
    page.goto(link.group(0))
    shot(page, "confirm-email")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    # Register a site: address plus a pin placed on the map.
    page.goto(porchlight_server.url(HOST, "/my/sites/new/"))
    page.wait_for_selector("#pick-map[data-ready='1']")
    page.fill("[name=name]", "Home")
    page.fill("[name=address]", "250 W Baseline Rd")
    page.click("#pick-map", position={"x": 300, "y": 250})
    assert page.input_value("[name=latitude]") != ""
    page.fill("[name=latitude]", "34.1100")
    page.fill("[name=longitude]", "-117.3800")
    shot(page, "site-form")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/cameras/new/")

    # First camera: the wedge is drawn live on the map.
    page.wait_for_selector("#wedge-map[data-ready='1']")
    _fill_camera(page, "Front door", "180")
    assert page.locator("#wedge-map path.leaflet-interactive").count() >= 2
    shot(page, "camera-1-form")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/consent/")

    # Consent: the preview sentence follows the choice (htmx), then save.
    page.check("input[name=level][value=on_request]")
    expect(page.locator("#preview")).to_contain_text("they cannot watch live")
    shot(page, "consent-on-request")
    page.click("main form button[name=save]")
    page.wait_for_url("**/my/")
    assert "Police can ask you for footage; they cannot watch live." in page.content()

    # Second camera on the same site.
    page.click("text=Add a camera")
    page.wait_for_selector("#wedge-map[data-ready='1']")
    _fill_camera(page, "Driveway", "90")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/consent/")
    page.check("input[name=level][value=live]")
    page.click("main form button[name=save]")
    page.wait_for_url("**/my/")
    shot(page, "my-cameras-two")
    assert page.locator("tr.camera").count() == 2

    # Revoke the first camera's consent.
    page.locator("tr.camera", has_text="Front door").locator("text=Consent").click()
    page.click("main form button[name=revoke]")
    page.wait_for_url("**/my/")
    shot(page, "after-revoke")
    expect(page.locator("tr.camera", has_text="Front door")).to_contain_text("You withdrew consent")


def _owner_with_a_camera(label: str = "Door", camera_type: str = "fixed", level: str = "registered") -> tuple[str, str]:
    """A business owner's session key and the public id of their camera, committed."""
    department = Department.objects.get(schema_name="rialto")
    owner = UserFactory(role=Role.BUSINESS, email=f"owner-{uuid.uuid4().hex[:8]}@example.org")
    site = services.site_create(owner=owner, department=department, lon=-117.38, lat=34.10, address="1 Main")
    camera = services.camera_register(owner=owner, site=site, label=label, camera_type=camera_type)
    policy = DepartmentPolicy.objects.get(department=department)
    services.consent_set(owner=owner, camera=camera, policy=policy, level=level)
    session = SessionStore()
    session["_auth_user_id"] = str(owner.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = owner.get_session_auth_hash()
    session.create()
    return str(session.session_key), str(camera.public_id)


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_the_consent_page_fits_a_phone(porchlight_server: LiveServer, browser: Any, shot: Any, locale: str) -> None:
    # given an owner with a camera, on a phone
    session_key, camera_id = committed(_owner_with_a_camera)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": HOST, "path": "/"}])
    page = context.new_page()

    # when they open the camera's consent page, with its weekly schedule table
    page.goto(porchlight_server.url(HOST, f"/my/cameras/{camera_id}/consent/"))
    expect(page.locator("table.windows")).to_be_visible()
    shot(page, f"consent-390-{locale}")

    # then the page is no wider than the screen (the schedule table scrolls inside its box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def _owner_with_a_token() -> str:
    """A business owner's session key, the owner holding one API token, committed."""
    session_key, camera_id = _owner_with_a_camera()
    owner = Camera.objects.get(public_id=camera_id).site.owner
    api_token_issue(user=owner, name="The shop's recorder")
    return session_key


def test_the_api_tokens_page_fits_a_phone_with_its_revoke_button(
    porchlight_server: LiveServer, browser: Any, shot: Any
) -> None:
    # given an owner with an API token, on a phone
    session_key = committed(_owner_with_a_token)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": HOST, "path": "/"}])
    page = context.new_page()

    # when they open their API tokens
    page.goto(porchlight_server.url(HOST, "/me/api-tokens/"))
    expect(page.locator("button[name=revoke]")).to_be_visible()
    shot(page, "api-tokens-390")

    # then the page is no wider than the screen (the tokens table scrolls inside its box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_a_new_api_token_wraps_on_a_phone(porchlight_server: LiveServer, browser: Any, shot: Any) -> None:
    # given an owner on a phone who has just created a token
    session_key, _camera_id = committed(_owner_with_a_camera)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": HOST, "path": "/"}])
    page = context.new_page()
    page.goto(porchlight_server.url(HOST, "/me/api-tokens/"))
    page.fill("form.stacked [name=name]", "Recorder")
    page.click("form.stacked button[type=submit]")
    expect(page.locator("#new-token")).to_be_visible()

    # when the token has no hyphen to break at (about half of them: base64url without '-')
    page.eval_on_selector("#new-token", "code => { code.textContent = 'pl_' + 'A'.repeat(43); }")
    shot(page, "api-token-new-390")

    # then it wraps inside the screen instead of widening the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_an_empty_access_log_reads_whole_on_a_phone(porchlight_server: LiveServer, browser: Any, shot: Any) -> None:
    # given a new owner whose cameras nobody has accessed yet, on a phone
    session_key, _camera_id = committed(_owner_with_a_camera)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": HOST, "path": "/"}])
    page = context.new_page()

    # when they open "Who accessed my cameras"
    page.goto(porchlight_server.url(HOST, "/my/access/"))
    message = page.get_by_text("No police access to your cameras has been recorded.")
    expect(message).to_be_visible()
    shot(page, "access-log-empty-390")

    # then the sentence fits the screen, not cut off inside the wide table's scroll box
    box = message.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    context.close()


def test_my_cameras_fits_a_phone_in_spanish(porchlight_server: LiveServer, browser: Any, shot: Any) -> None:
    # given an owner with a camera, reading the portal in Spanish on a phone
    session_key, _camera_id = committed(
        _owner_with_a_camera, label="Driveway", camera_type="doorbell", level="live_exigent"
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": HOST, "path": "/"}])
    page = context.new_page()

    # when they open My cameras (the actions column holds "Consentimiento", one long word)
    page.goto(porchlight_server.url(HOST, "/my/"))
    expect(page.locator("tr.camera")).to_be_visible()
    shot(page, "my-cameras-390-es")

    # then the page is no wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
