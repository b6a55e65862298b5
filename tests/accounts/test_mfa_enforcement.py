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
    """The set-up proves the authenticator right after the password: the session has passed both
    factors (accounts.mfa_views), with no sign-in again and no password asked again."""
    user = UserFactory(role=Role.OFFICER)
    rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    page = rialto_client.get("/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret

    response = rialto_client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert page.status_code == 200
    assert response.status_code == 302
    assert has_totp(user)
    assert rialto_client.get("/").status_code == 200
    assert rialto_client.get("/api/v1/me/").status_code == 200
    rialto_client.post("/accounts/logout/")
    assert login_with_mfa(rialto_client, user.email, secret).status_code == 302  # later: both factors


def test_a_wrong_code_at_set_up_passes_no_second_factor(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory(role=Role.OFFICER)
    rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    rialto_client.get("/accounts/2fa/totp/activate/")

    response = rialto_client.post("/accounts/2fa/totp/activate/", {"code": "000000"})

    assert response.status_code == 200
    assert not has_totp(user)
    assert rialto_client.get("/api/v1/me/").json()["code"] == "mfa_required"


def test_an_old_sign_in_does_not_stand_for_the_password_at_set_up(in_rialto: Any, rialto_client: Any) -> None:
    """The sign-in stands for the password asked again only while it is fresh (the staff idle
    timeout): here its record says it was 31 minutes ago."""
    user = UserFactory(role=Role.OFFICER)
    rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    session = rialto_client.session
    session["account_authentication_methods"] = [
        {**record, "at": record["at"] - 31 * 60} for record in session["account_authentication_methods"]
    ]
    session.save()

    response = rialto_client.get("/accounts/2fa/totp/activate/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_changing_an_existing_authenticator_still_asks_for_the_password(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory(role=Role.OFFICER)
    secret = totp_enable(user)
    login_with_mfa(rialto_client, user.email, secret)

    response = rialto_client.get("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_choosing_a_password_from_the_link_signs_in_and_leads_to_the_set_up(in_rialto: Any, rialto_client: Any) -> None:
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    user = UserFactory(role=Role.OVERSIGHT)
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    form = rialto_client.get(f"/accounts/password/reset/key/{key}/", follow=True)

    response = rialto_client.post(
        form.redirect_chain[-1][0], {"password1": "a long new passphrase", "password2": "a long new passphrase"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert rialto_client.get("/accounts/2fa/totp/activate/").status_code == 200  # no password asked again


def test_choosing_a_password_still_asks_a_staff_member_with_mfa_for_the_code(
    in_rialto: Any, rialto_client: Any
) -> None:
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    user = UserFactory(role=Role.OFFICER)
    totp_enable(user)
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    form = rialto_client.get(f"/accounts/password/reset/key/{key}/", follow=True)

    response = rialto_client.post(
        form.redirect_chain[-1][0], {"password1": "a long new passphrase", "password2": "a long new passphrase"}
    )

    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert rialto_client.get("/api/v1/me/").status_code == 401


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


def test_the_sign_in_page_tells_residents_to_sign_up_and_staff_that_they_are_invited(
    in_rialto: Any, rialto_client: Any
) -> None:
    page = rialto_client.get("/accounts/login/").content.decode()

    assert "If you have not created an account yet" not in page
    assert 'Residents and businesses: if you have no account yet, <a href="/accounts/signup/">sign up</a>' in page
    assert "Staff and oversight board members do not sign up" in page


def test_the_public_sites_sign_in_page_offers_no_sign_up(public_client: Any) -> None:
    page = public_client.get("/accounts/login/").content.decode()

    assert "/accounts/signup/" not in page
    assert "Staff and oversight board members do not sign up" in page
