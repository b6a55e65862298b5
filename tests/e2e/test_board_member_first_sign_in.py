"""A new member of the oversight board signs in for the first time, in a real browser, the way
the platform's operator invites them: the invitation e-mail's link, a password chosen once, an
authenticator app set up, and the board's first page. The password is asked for once (the
reviewer was asked for it when choosing it, again to sign in, again before the authenticator
and again after it), and the sign-in page does not tell staff to sign up."""

import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django_tenants.utils import tenant_context

from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.factories import has_totp, totp_code
from tests.site_client import committed

HOST = "rialto.localhost"
PASSPHRASE = "board member's own long passphrase"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _invited() -> tuple[str, str]:
    """The operator invites a board member (manage.py invite_board_member); their e-mail's link."""
    email = f"board-{uuid.uuid4().hex[:6]}@example.org"
    call_command("invite_board_member", schema="rialto", email=email, name="Bea Board", language="en")
    body = next(m.body for m in reversed(mail.outbox) if email in m.to)
    return email, next(line for line in body.splitlines() if "/accounts/password/reset/key/" in line)


def test_a_new_board_member_is_asked_for_the_password_once_and_reaches_the_boards_first_page(
    porchlight_server: LiveServer, page: Any, shot: Any
) -> None:
    email, link = committed(_invited)
    asked: list[str] = []  # every page that asked for a password, by its path

    def note(response: Any) -> None:
        # The documents as served: a field of type password on one is a request for it.
        if response.request.resource_type == "document" and response.ok and 'type="password"' in response.text():
            asked.append(response.url.split(HOST, 1)[1].split(":", 1)[-1])

    page.on("response", note)

    # The invitation's link, on the department's site: choose a password.
    page.goto(porchlight_server.url(HOST, "/" + link.split("/", 3)[3]))
    shot(page, "choose-a-password")
    page.fill("[name=password1]", PASSPHRASE)
    page.fill("[name=password2]", PASSPHRASE)
    page.click("main button[type=submit]")

    # Signed in, straight to the authenticator's set-up (no sign-in, no "enter your password again").
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    shot(page, "set-up-the-authenticator")
    secret = page.input_value("#authenticator_secret")
    page.fill("[name=code]", totp_code(secret))
    page.click("main button[type=submit]")

    # The recovery codes, and on to the board's first page.
    page.wait_for_url("**/accounts/2fa/recovery-codes/**")
    shot(page, "recovery-codes")
    page.click("#continue")
    page.wait_for_url("**/oversight/")
    shot(page, "the-boards-first-page")

    with tenant_context(Department.objects.get(schema_name="rialto")):
        from accounts.models import User

        member = User.objects.get(email=email)
        assert has_totp(member)
    assert page.locator("h1").first.inner_text().startswith("Access log")
    assert len(asked) == 1, asked  # the page that chose it, and no other
    assert "/accounts/password/reset/key/" in asked[0]

    # Signing in later asks for the password and the code, as always.
    page.goto(porchlight_server.url(HOST, "/accounts/logout/"))
    page.click("main button[type=submit]")
    page.goto(porchlight_server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", email)
    page.fill("[name=password]", PASSPHRASE)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("[name=code]", totp_code(secret))
    page.click("main button[type=submit]")
    page.wait_for_url("**/oversight/")


def test_the_sign_in_page_does_not_tell_staff_to_sign_up(porchlight_server: LiveServer, page: Any) -> None:
    page.goto(porchlight_server.url(HOST, "/accounts/login/"))

    text = page.locator("main").inner_text()

    assert "If you have not created an account yet" not in text
    assert "Residents and businesses" in text
    assert "Staff and oversight board members do not sign up" in text
    assert "invitation" in text
    assert page.locator("main a[href='/accounts/signup/']").count() == 1  # for residents and businesses
