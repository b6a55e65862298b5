"""A new officer signs in for the first time and sets up two-factor authentication in a real
browser, while the browser (and the officer) fetch other addresses of the site: the favicon,
a stylesheet, the home page in another tab. The code of the secret on screen must work."""

import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.models import AccessEvent, Action
from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.factories import PASSWORD, UserFactory, has_totp, totp_code
from tests.site_client import committed

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _new_officer() -> Any:
    with tenant_context(Department.objects.get(schema_name="rialto")):
        return UserFactory(role=Role.OFFICER, email=f"new-officer-{uuid.uuid4().hex[:6]}@example.org")


def _fetch(page: Any, path: str) -> dict[str, Any]:
    """Fetch ``path`` from the page, with its cookies, as the browser fetches a favicon or a
    second tab loads a page."""
    return page.evaluate(
        "async (path) => { const r = await fetch(path, {credentials: 'same-origin'});"
        " return {status: r.status, url: r.url, redirected: r.redirected, type: r.headers.get('content-type')}; }",
        path,
    )


def test_new_officer_activates_the_secret_shown_while_the_browser_fetches_other_pages(
    porchlight_server: LiveServer, page: Any, shot: Any
) -> None:
    officer = committed(_new_officer)
    page.goto(porchlight_server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", officer.email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/2fa/totp/activate/")  # the sign-in stands for the password asked again
    secret = page.input_value("#authenticator_secret")
    # The whole secret is on screen, for whoever cannot scan the QR code (the field is disabled:
    # it cannot be scrolled).
    assert page.eval_on_selector("#authenticator_secret", "e => e.scrollWidth <= e.clientWidth")
    shot(page, "activation-page")

    fetched = {path: _fetch(page, path) for path in ("/favicon.ico", "/static/css/porchlight.css", "/", "/my/")}
    icon = page.evaluate("document.querySelector('link[rel=icon]')?.href ?? ''")
    page.fill("[name=code]", totp_code(secret))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    shot(page, "activated")

    assert "Incorrect code" not in page.content()
    assert not page.url.endswith("/accounts/2fa/totp/activate/"), page.url
    with tenant_context(Department.objects.get(schema_name="rialto")):
        assert has_totp(officer)
        refusals = list(
            AccessEvent.objects.filter(actor_id=officer.pk, action=Action.CONSOLE_DENIED).values_list(
                "details", flat=True
            )
        )
    assert fetched["/favicon.ico"]["status"] == 200
    assert not fetched["/favicon.ico"]["redirected"]
    assert fetched["/favicon.ico"]["type"].startswith("image/")
    assert fetched["/static/css/porchlight.css"]["status"] == 200
    assert not fetched["/static/css/porchlight.css"]["redirected"]
    assert fetched["/"]["url"].endswith("/accounts/2fa/totp/activate/")  # still sent to set up MFA first
    assert icon.endswith(".ico")
    assert refusals == []
