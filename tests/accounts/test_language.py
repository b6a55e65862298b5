"""Each user's language: set at sign-up from the browser, chosen on their settings page, used
for their pages after sign-in and for every e-mail sent to them later, whoever caused it.
(tests/portal/test_access_digest_worker.py checks the same from a real Celery worker.)"""

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from accounts.language import in_language_of, user_language
from accounts.models import Role, User
from tenants.models import Department
from tenants.services import policy_update
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import PASSWORD, UserFactory, totp_enable

SIGNUP = {
    "email": "nueva@example.org",
    "password1": "a-long-passphrase-1",
    "password2": "a-long-passphrase-1",
    "full_name": "Ana Dueña",
    "role": Role.RESIDENT,
}


@pytest.mark.parametrize(("accept_language", "expected"), [("es-MX,es;q=0.9", "es"), ("en-US,en;q=0.8", "en")])
def test_sign_up_keeps_the_browsers_language_as_the_users(
    in_rialto: Department, accept_language: str, expected: str
) -> None:
    client = TenantClient("rialto.localhost", HTTP_ACCEPT_LANGUAGE=accept_language)

    client.post("/accounts/signup/", SIGNUP)

    assert User.objects.get(email=SIGNUP["email"]).language == expected
    assert ("confirme" in mail.outbox[-1].subject.lower()) is (expected == "es")


def test_a_user_chooses_their_language_on_their_settings_page(
    in_rialto: Department, rialto_client: TenantClient
) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    rialto_client.force_login(owner)

    response = rialto_client.post("/me/settings/", {"language": "es"})

    owner.refresh_from_db()
    assert response.status_code == 302
    assert owner.language == "es"
    assert owner.history.latest().history_user == owner
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = rialto_client.get("/me/settings/").content.decode()
    assert '<html lang="es"' in page
    assert 'for="id_language"' in page


def test_a_language_porchlight_does_not_speak_is_refused_by_name(
    in_rialto: Department, rialto_client: TenantClient
) -> None:
    owner = UserFactory(role=Role.RESIDENT, language="en")
    rialto_client.force_login(owner)

    response = rialto_client.post("/me/settings/", {"language": "fr"})

    owner.refresh_from_db()
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert owner.language == "en"


def test_signing_in_switches_the_pages_to_the_users_language(in_rialto: Department) -> None:
    officer = UserFactory(role=Role.OFFICER, language="es")
    secret = totp_enable(officer)
    client = TenantClient("rialto.localhost", HTTP_ACCEPT_LANGUAGE="en")

    response = login_with_mfa(client, officer.email, secret, PASSWORD)

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


@pytest.mark.parametrize(("chosen", "expected"), [("es", "Ha sido invitado"), ("", "You have been invited")])
def test_the_invitation_is_written_in_the_language_the_inviter_chose_else_the_departments(
    logged_in_staff: Any, django_capture_on_commit_callbacks: Any, chosen: str, expected: str
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    form_page = client.get("/department/staff/").content.decode()

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/department/staff/invite/",
            {"email": "agente@example.org", "full_name": "Agente", "role": "officer", "language": chosen},
        )

    assert '<option value="en" selected>' in form_page
    assert expected in mail.outbox[-1].subject


def test_a_user_without_a_language_is_written_to_in_the_departments(in_rialto: Department) -> None:
    policy_update(department=in_rialto, actor=None, language="es")
    owner = UserFactory(role=Role.RESIDENT)

    with translation.override("en"), in_language_of(owner) as language:
        said = str(translation.gettext("Case number"))

    assert (user_language(owner), language, said) == ("es", "es", "Número de caso")


def test_the_password_reset_mail_is_in_the_account_holders_language_not_the_pages(
    in_rialto: Department, rialto_client: TenantClient
) -> None:
    UserFactory(email="duena@example.org", role=Role.RESIDENT, language="es")

    rialto_client.post("/accounts/password/reset/", {"email": "duena@example.org"}, HTTP_ACCEPT_LANGUAGE="en")

    assert "contraseña" in mail.outbox[-1].subject.lower()


def test_a_footage_request_reaches_each_owner_in_their_own_language(
    make_camera: Any, actor: Any, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from accounts.services import user_language_set
    from footage import services
    from tests.factories import RIALTO_LAT, RIALTO_LON

    spanish, english = make_camera("on_request"), make_camera("on_request", lon=RIALTO_LON + 0.0005, lat=RIALTO_LAT)
    user_language_set(user=spanish.site.owner, language="es")
    user_language_set(user=english.site.owner, language="en")
    end = timezone.now() - dt.timedelta(hours=1)

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.footage_request_send(
            actor=actor,
            purpose=purpose,
            camera_ids=[spanish.public_id, english.public_id],
            window_start=end - dt.timedelta(hours=1),
            window_end=end,
            message="Please",
        )

    by_owner = {m.to[0]: m.subject for m in mail.outbox}
    assert "le pide grabaciones" in by_owner[spanish.site.owner.email]
    assert "asks for footage" in by_owner[english.site.owner.email]
