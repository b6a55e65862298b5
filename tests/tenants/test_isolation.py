"""Cross-tenant isolation over HTTP: users, sessions and ids stay in their department."""

from typing import Any

from allauth.account.models import EmailAddress, get_emailconfirmation_model

from accounts.models import Role
from accounts.services import api_token_issue
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import PASSWORD, UserFactory, totp_enable
from tests.tenancy import connection


def test_rialto_user_cannot_log_in_on_fontanas_domain(in_rialto: Any, fontana_client: Any) -> None:
    user = UserFactory(email="only-in-rialto@example.org")

    response = fontana_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert b"not correct" in response.content
    assert "_auth_user_id" not in fontana_client.session


def test_rialto_user_can_log_in_on_rialtos_domain(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory(email="resident-login@example.org")

    response = rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert rialto_client.session["_auth_user_id"] == str(user.pk)


def test_rialto_session_cookie_does_not_authenticate_on_fontana(
    in_rialto: Any, rialto_client: Any, fontana_client: Any
) -> None:
    user = UserFactory()
    rialto_client.force_login(user)
    fontana_client.cookies["sessionid"] = rialto_client.cookies["sessionid"].value

    response = fontana_client.get("/api/v1/me/")

    assert response.status_code == 401


def test_rialto_staff_id_gives_404_to_fontanas_admin(in_rialto: Any, fontana_client: Any, fontana: Any) -> None:
    rialto_officer = UserFactory(pk=777_001, role=Role.OFFICER)
    connection.set_tenant(fontana)
    admin = UserFactory(role=Role.DEPT_ADMIN)
    login_with_mfa(fontana_client, admin.email, totp_enable(admin))

    response = fontana_client.get(f"/department/staff/{rialto_officer.pk}/history/")

    assert response.status_code == 404


def test_api_token_of_rialto_is_unknown_on_fontana(in_rialto: Any, rialto_client: Any, fontana_client: Any) -> None:
    user = UserFactory()
    issued = api_token_issue(user=user, name="cli")

    on_rialto = rialto_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {issued.raw}")
    on_fontana = fontana_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {issued.raw}")

    assert on_rialto.status_code == 200
    assert on_rialto.json()["email"] == user.email
    assert on_fontana.status_code == 401


def test_unknown_host_gets_404(db: None) -> None:
    response = TenantClient("nowhere.localhost").get("/")

    assert response.status_code == 404


def test_password_is_never_what_the_factory_default_leaks(in_rialto: Any) -> None:
    user = UserFactory()

    assert user.password != PASSWORD


def test_an_email_confirmation_link_of_rialto_confirms_nothing_on_fontana(
    in_rialto: Any, rialto: Any, fontana: Any, fontana_client: Any
) -> None:
    # Someone signs up on Fontana with an address they cannot read: it stays unverified.
    fontana_client.post(
        "/accounts/signup/",
        {
            "email": "victim@example.org",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
            "full_name": "Not the victim",
            "role": Role.RESIDENT,
        },
    )
    connection.set_tenant(fontana)
    victim = EmailAddress.objects.get(email__iexact="victim@example.org")
    # On Rialto they are sent the link for an address of their own whose row has the same
    # id (each schema counts its own ids, so ids of two departments meet).
    connection.set_tenant(rialto)
    # (a row that a server or worker test committed in Rialto may hold that id: it makes way,
    # inside this test's transaction only)
    EmailAddress.objects.filter(pk=victim.pk).delete()
    own = EmailAddress.objects.create(pk=victim.pk, user=UserFactory(), email="attacker@example.org", verified=False)
    key = get_emailconfirmation_model().create(own).key

    response = fontana_client.post(f"/accounts/confirm-email/{key}/")

    connection.set_tenant(fontana)
    assert response.status_code == 404
    assert not EmailAddress.objects.get(pk=victim.pk).verified
    assert "_auth_user_id" not in fontana_client.session
