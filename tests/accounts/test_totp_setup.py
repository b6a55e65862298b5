"""Setting up TOTP: the secret on the activation page stays the same until it is activated or
renewed on purpose, and what the browser fetches by itself is never sent to MFA set-up."""

from typing import Any

import pytest

from accounts.models import Role
from audit.models import AccessEvent, Action
from tests.conftest import TenantClient
from tests.factories import PASSWORD, UserFactory, has_totp, totp_code

ACTIVATE = "/accounts/2fa/totp/activate/"
RENEW = "/accounts/2fa/totp/renew/"


@pytest.fixture
def new_officer(in_rialto: Any, rialto_client: TenantClient) -> Any:
    """An officer signed in with a password, before any second factor (the sign-in stands for
    allauth's asking for the password again: accounts.adapter)."""
    user = UserFactory(role=Role.OFFICER)
    rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return user


def _secret(client: TenantClient) -> str:
    response = client.get(ACTIVATE)
    assert response.status_code == 200
    return str(response.context["form"].secret)


def test_activation_page_offers_the_same_secret_on_every_visit(new_officer: Any, rialto_client: TenantClient) -> None:
    first = _secret(rialto_client)

    rialto_client.get("/")  # redirected to the activation page, as any other address is
    second = _secret(rialto_client)

    assert second == first


def test_the_code_of_the_secret_first_shown_activates_after_other_visits(
    new_officer: Any, rialto_client: TenantClient
) -> None:
    secret = _secret(rialto_client)
    _secret(rialto_client)

    response = rialto_client.post(ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert has_totp(new_officer)


def test_a_new_secret_is_made_only_when_asked_for(new_officer: Any, rialto_client: TenantClient) -> None:
    old = _secret(rialto_client)

    response = rialto_client.post(RENEW)
    new = _secret(rialto_client)

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    assert new != old
    assert rialto_client.post(ACTIVATE, {"code": totp_code(old)}).status_code == 200  # refused
    assert not has_totp(new_officer)
    assert rialto_client.post(ACTIVATE, {"code": totp_code(new)}).status_code == 302
    assert has_totp(new_officer)


def test_renewing_the_secret_is_not_done_by_a_get(new_officer: Any, rialto_client: TenantClient) -> None:
    old = _secret(rialto_client)

    response = rialto_client.get(RENEW)

    assert response.status_code == 405
    assert _secret(rialto_client) == old


@pytest.mark.parametrize("path", ["/favicon.ico", "/static/css/porchlight.css"])
def test_staff_without_mfa_get_the_favicon_and_static_files_unredirected_and_unlogged(
    new_officer: Any, rialto_client: TenantClient, path: str
) -> None:
    response = rialto_client.get(path)

    assert response.status_code == 200
    assert response.get("Location") is None
    assert not AccessEvent.objects.filter(actor_id=new_officer.pk, action=Action.CONSOLE_DENIED).exists()


def test_the_favicon_is_an_icon_linked_from_every_page(in_rialto: Any, rialto_client: TenantClient) -> None:
    icon = rialto_client.get("/favicon.ico")

    page = rialto_client.get("/").content.decode()

    assert icon.status_code == 200
    assert icon["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    # The ICO header (streamed: the test client's response type does not say so).
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # type: ignore[attr-defined]
    assert '<link rel="icon" href="/favicon.ico">' in page
