"""An owner whose browser speaks English chooses Spanish on their settings page, in a real
browser: the pages switch at once, and they are in Spanish again after signing in anew
(the choice is the account's, not the browser's)."""

import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.factories import PASSWORD, UserFactory
from tests.site_client import committed

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _owner() -> Any:
    with tenant_context(Department.objects.get(schema_name="rialto")):
        return UserFactory(role=Role.RESIDENT, email=f"owner-lang-{uuid.uuid4().hex[:6]}@example.org")


def _language_of(user_id: int) -> str:
    with tenant_context(Department.objects.get(schema_name="rialto")):
        return User.objects.get(pk=user_id).language


def _sign_in(page: Any, server: LiveServer, email: str) -> None:
    page.goto(server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_an_owner_chooses_spanish_and_finds_it_again_after_signing_in(
    porchlight_server: LiveServer, browser: Any, page: Any, shot: Any
) -> None:
    owner = committed(_owner)
    _sign_in(page, porchlight_server, owner.email)

    page.click("nav >> text=Settings")
    page.get_by_label("Your language").select_option("es")
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/settings/")
    shot(page, "saved-in-spanish")
    heading = page.inner_text("main h1")

    fresh = browser.new_context(locale="en-US")  # another browser, which asks for English
    try:
        again = fresh.new_page()
        _sign_in(again, porchlight_server, owner.email)
        again.goto(porchlight_server.url(HOST, "/me/settings/"))
        heading_after_sign_in = again.inner_text("main h1")
    finally:
        fresh.close()

    assert heading == "Su configuración"
    assert committed(lambda: _language_of(owner.pk)) == "es"
    assert heading_after_sign_in == "Su configuración"
