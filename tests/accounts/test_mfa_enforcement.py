"""Every staff role must have MFA: without it, only the MFA set-up page is reachable."""

from typing import Any

import pytest

from accounts.models import Role
from accounts.services import AccountError, api_token_issue
from tests.conftest import login_with_mfa
from tests.factories import PASSWORD, UserFactory, has_totp, totp_code, totp_enable

STAFF = [Role.OFFICER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT]


@pytest.mark.parametrize("role", STAFF)
@pytest.mark.parametrize("path", ["/", "/department/staff/", "/department/policy/", "/me/api-tokens/"])
def test_staff_without_mfa_is_sent_to_mfa_setup(in_rialto: Any, rialto_client: Any, role: str, path: str) -> None:
    user = UserFactory(role=role)
    rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    response = rialto_client.get(path)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("role", STAFF)
def test_staff_without_mfa_gets_403_from_the_api(in_rialto: Any, rialto_client: Any, role: str) -> None:
    user = UserFactory(role=role)
    rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    response = rialto_client.get("/api/v1/me/")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
    assert response.json()["code"] == "mfa_required"


def test_staff_without_mfa_can_set_up_totp_and_then_reach_the_api(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory(role=Role.OFFICER)
    rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    rialto_client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = rialto_client.get("/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret

    response = rialto_client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert page.status_code == 200
    assert response.status_code == 302
    assert has_totp(user)
    assert rialto_client.get("/").status_code == 302  # sign in again, this time with the code
    assert login_with_mfa(rialto_client, user.email, secret).status_code == 302
    assert rialto_client.get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BUSINESS])
def test_owners_do_not_need_mfa(in_rialto: Any, rialto_client: Any, role: str) -> None:
    user = UserFactory(role=role)
    rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    response = rialto_client.get("/api/v1/me/")

    assert response.status_code == 200


def test_staff_login_asks_for_the_totp_code_and_then_lets_them_in(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory(role=Role.OFFICER)
    secret = totp_enable(user)

    response = login_with_mfa(rialto_client, user.email, secret)

    assert response.status_code == 302
    assert rialto_client.get("/api/v1/me/").json()["role"] == "officer"


def test_wrong_totp_code_does_not_log_in(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory(role=Role.OFFICER)
    totp_enable(user)
    rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    response = rialto_client.post("/accounts/2fa/authenticate/", {"code": "000000"})

    assert response.status_code == 200
    assert "_auth_user_id" not in rialto_client.session


def test_staff_session_that_skipped_the_second_factor_is_ended(in_rialto: Any, rialto_client: Any) -> None:
    # A staff session that never passed the second factor (e.g. created before MFA
    # was set up) must not reach anything even once an authenticator exists.
    user = UserFactory(role=Role.OFFICER)
    totp_enable(user)
    rialto_client.force_login(user)

    response = rialto_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "_auth_user_id" not in rialto_client.session


def test_staff_cannot_mint_an_api_token_before_mfa(in_rialto: Any) -> None:
    user = UserFactory(role=Role.OFFICER)

    with pytest.raises(AccountError, match="two-factor"):
        api_token_issue(user=user, name="cli")
