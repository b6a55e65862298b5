"""A message round trip in the browser: an officer writes to a camera's owner from the
console, the owner reads it (and its e-mail) and answers in the portal, and the officer sees
the answer in the console, never learning who the owner is."""

import uuid
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import Role
from cameras import services
from tenants.models import Department, DepartmentPolicy
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import HOST, _committed, _sign_in_and_state_a_purpose
from tests.factories import UserFactory, totp_enable

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _make_people() -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        policy = DepartmentPolicy.objects.get(department=department)
        officer = UserFactory(role=Role.OFFICER, email=f"officer-{tag}@example.org", badge_number="7731")
        secret = totp_enable(officer)
        owner = UserFactory(role=Role.RESIDENT, email=f"owner-{tag}@example.org", full_name="Imogen Vasquez")
        site = services.site_create(
            owner=owner, department=department, lon=-117.3650, lat=34.0900, kind="residential", address="88 Cedar Ave"
        )
        camera = services.camera_register(owner=owner, site=site, label="Porch camera")
        services.consent_set(owner=owner, camera=camera, policy=policy, level="registered")
        session = SessionStore()
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


@pytest.fixture
def people(porchlight_server: LiveServer) -> dict[str, Any]:
    return _committed(_make_people)


def test_an_officer_messages_an_owner_who_answers_and_the_officer_reads_the_answer(
    porchlight_server: LiveServer, page: Any, browser: Any, shot: Any, people: dict[str, Any]
) -> None:
    server, camera, owner = porchlight_server, people["camera"], people["owner"]

    # The officer writes to the owner from the camera's page.
    _sign_in_and_state_a_purpose(page, server, people)
    page.goto(server.url(HOST, f"/console/cameras/{camera.public_id}/"))
    page.get_by_label("Message to the owner").fill("Did your porch camera see a red bicycle around 8 pm?")
    shot(page, "officer-writes")
    page.get_by_role("button", name="Send message (logged)").click()
    page.wait_for_url("**/console/messages/*/")
    expect(page.locator("#thread")).to_contain_text("red bicycle")

    # The owner is told by e-mail and reads the message in the portal.
    assert any("sent you a message" in mail and "red bicycle" in mail for mail in server.mails())
    owner_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    owner_context.add_cookies(
        [{"name": "sessionid", "value": people["owner_session"], "domain": "rialto.localhost", "path": "/"}]
    )
    owner_page = owner_context.new_page()
    owner_page.goto(server.url(HOST, "/my/"))
    expect(owner_page.locator("#menu-messages")).to_contain_text("(1 unread)")
    owner_page.locator("#menu-messages").click()
    owner_page.get_by_role("link", name="Read and answer").click()
    expect(owner_page.locator("#thread")).to_contain_text("red bicycle")
    expect(owner_page.locator("#thread")).to_contain_text("Badge 7731")
    shot(owner_page, "owner-reads")

    # The owner answers without sharing who they are.
    owner_page.get_by_label("Your answer").fill("Yes, at 8:10 pm, heading north.")
    owner_page.get_by_role("button", name="Send answer").click()
    expect(owner_page.locator(".messages")).to_contain_text("Answer sent")
    shot(owner_page, "owner-answered")
    owner_context.close()

    # The officer sees there is an answer, and reads it.
    page.goto(server.url(HOST, "/console/"))
    expect(page.locator("#menu-messages")).to_contain_text("(1 unread)")
    page.locator("#menu-messages").click()
    page.get_by_role("link", name="Open").click()
    expect(page.locator("#thread")).to_contain_text("Yes, at 8:10 pm, heading north.")
    shot(page, "officer-reads-answer")
    text = page.locator("main").inner_text()
    for secret in (owner.email, owner.full_name, "88 Cedar Ave", "Porch camera"):
        assert secret not in text
    expect(page.locator("#menu-messages")).not_to_contain_text("unread")
