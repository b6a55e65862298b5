"""An officer has the console map open; an incident that dispatch sends afterwards appears on the
map and in the panel without a reload, docks its cameras on a click, and goes when closed."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import Role, User
from cameras import access
from cameras.mixins import SESSION_PURPOSE
from incidents.models import Incident
from incidents.services import incident_close
from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.factories import UserFactory, console_incident_make, totp_enable

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _in_rialto(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Committed on its own connection, so the server process sees it."""

    def run() -> Any:
        try:
            with tenant_context(Department.objects.get(schema_name="rialto")):
                return fn(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _officer_session() -> tuple[int, str]:
    officer = UserFactory(role=Role.OFFICER, email=f"officer-{uuid.uuid4().hex[:6]}@example.org")
    totp_enable(officer)
    purpose = access.purpose_declare(
        actor=access.Actor(user=officer, mfa=True), case_number="RPD-26-0700", category="violent_crime", text="Patrol"
    )
    session = SessionStore()
    session["_auth_user_id"] = str(officer.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = officer.get_session_auth_hash()
    session["account_authentication_methods_user"] = str(officer.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time()},
    ]
    session[SESSION_PURPOSE] = str(purpose.public_id)
    session.create()
    return officer.pk, session.session_key or ""


def test_an_incident_sent_after_the_map_loaded_appears_without_a_reload_and_goes_when_closed(
    porchlight_server: LiveServer, page: Any
) -> None:
    officer_id, session_key = _in_rialto(_officer_session)
    page.context.add_cookies([{"name": "sessionid", "value": session_key, "domain": HOST, "path": "/"}])
    page.goto(porchlight_server.url(HOST, "/console/"))
    panel = page.locator("#incident-panel")
    expect(panel).to_have_attribute("data-feed", "open", timeout=15_000)

    incident = _in_rialto(
        console_incident_make, incident_type="Shots fired", priority="1", address="200 W Baseline Rd", lon=-117.37
    )
    item = page.locator(f"#incident-list li[data-incident='{incident.public_id}']")

    expect(item).to_contain_text("Shots fired", timeout=10_000)
    expect(item).to_contain_text("200 W Baseline Rd")
    expect(page.locator(".incident-marker")).not_to_have_count(0)
    item.locator("button").click()
    # The dock asks for the purpose of this incident first, prefilled from it.
    expect(page.locator("#incident-dock [name=text]")).to_have_value("Shots fired", timeout=10_000)
    _in_rialto(
        lambda: incident_close(incident=Incident.objects.get(pk=incident.pk), by=User.objects.get(pk=officer_id))
    )
    expect(item).to_have_count(0, timeout=10_000)
