"""Residents and businesses sign up on their department's portal and must verify their e-mail."""

import re
from typing import Any

import pytest
from django.core import mail

from accounts.models import Role, User
from tests.factories import UserFactory

SIGNUP = {
    "email": "new.owner@example.org",
    "password1": "a-long-passphrase-1",
    "password2": "a-long-passphrase-1",
    "full_name": "Ana Owner",
}


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BUSINESS])
def test_signup_creates_an_owner_who_must_verify_the_email_first(in_rialto: Any, rialto_client: Any, role: str) -> None:
    response = rialto_client.post("/accounts/signup/", dict(SIGNUP, role=role))

    user = User.objects.get(email=SIGNUP["email"])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert user.role == role
    assert "_auth_user_id" not in rialto_client.session
    assert "rialto.localhost" in mail.outbox[-1].body


def test_the_confirmation_mail_names_the_department_not_the_host(in_rialto: Any, rialto_client: Any) -> None:
    rialto_client.post("/accounts/signup/", dict(SIGNUP, role=Role.RESIDENT))

    body = mail.outbox[-1].body
    assert f"Hello from {in_rialto.name}!" in body
    assert f"Thank you for using {in_rialto.name}!" in body


def test_the_password_reset_mail_names_the_department(in_rialto: Any, rialto_client: Any) -> None:
    UserFactory(email="owner@example.org", role=Role.RESIDENT)

    rialto_client.post("/accounts/password/reset/", {"email": "owner@example.org"})

    assert f"Hello from {in_rialto.name}!" in mail.outbox[-1].body


def test_verifying_the_email_from_the_outbox_logs_the_owner_in(in_rialto: Any, rialto_client: Any) -> None:
    rialto_client.post("/accounts/signup/", dict(SIGNUP, role=Role.RESIDENT))
    link = re.search(r"http://rialto\.localhost\S*/accounts/confirm-email/\S+/", str(mail.outbox[-1].body))
    assert link is not None
    path = link.group(0).split("rialto.localhost", 1)[1].removeprefix(":8000")

    response = rialto_client.post(path)

    assert response.status_code == 302
    assert rialto_client.get("/api/v1/me/").json()["email"] == SIGNUP["email"]


def test_an_owner_who_verifies_their_email_lands_on_my_cameras(in_rialto: Any, rialto_client: Any) -> None:
    rialto_client.post("/accounts/signup/", dict(SIGNUP, role=Role.BUSINESS))
    link = re.search(r"http://rialto\.localhost\S*/accounts/confirm-email/\S+/", str(mail.outbox[-1].body))
    assert link is not None
    path = link.group(0).split("rialto.localhost", 1)[1].removeprefix(":8000")

    response = rialto_client.post(path)

    assert response["Location"] == "/my/"


def test_unverified_owner_cannot_log_in(in_rialto: Any, rialto_client: Any) -> None:
    rialto_client.post("/accounts/signup/", dict(SIGNUP, role=Role.RESIDENT))

    response = rialto_client.post("/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in rialto_client.session


@pytest.mark.parametrize("role", [Role.OFFICER, Role.DEPT_ADMIN, Role.OVERSIGHT, "superuser"])
def test_nobody_can_sign_up_as_staff(in_rialto: Any, rialto_client: Any, role: str) -> None:
    response = rialto_client.post("/accounts/signup/", dict(SIGNUP, role=role))

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_signup_is_closed_on_the_public_site(public_client: Any) -> None:
    response = public_client.get("/accounts/signup/")

    assert "account/signup_closed.html" in [t.name for t in response.templates]
