"""Sign-in, sign-up and password reset are rate-limited by allauth (ACCOUNT_RATE_LIMITS, each
from the environment: docs/rate-limits.md), per address and per account, in each department
separately. Over a limit: a 429 whose page says what was limited and when to try again, with
Retry-After; the address is REMOTE_ADDR, never a forwarded header the client sends."""

import os
import subprocess
import sys
from typing import Any

import pytest
from allauth.core import ratelimit
from django.test import RequestFactory

from tests.conftest import TenantClient
from tests.factories import PASSWORD, UserFactory

WRONG = {"password": "not the password"}


@pytest.fixture
def limits(settings: Any) -> Any:
    def set_(**rates: str) -> None:
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, **rates}

    return set_


def _login(client: TenantClient, ip: str, email: str = "nobody@example.org", **headers: Any) -> Any:
    return client.post("/accounts/login/", {"login": email, **WRONG}, REMOTE_ADDR=ip, **headers)


def test_sign_in_attempts_over_the_limit_from_one_address_get_a_429_saying_when_to_retry(
    limits: Any, rialto_client: TenantClient
) -> None:
    limits(login="2/m/ip")

    answers = [_login(rialto_client, "203.0.113.5") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1]["Retry-After"] == "60"
    assert "Too many sign-in attempts from your address. Try again in 60 seconds." in answers[-1].content.decode()


def test_another_address_and_another_department_still_sign_in(
    limits: Any, rialto_client: TenantClient, fontana_client: TenantClient
) -> None:
    limits(login="2/m/ip")
    for _ in range(3):
        _login(rialto_client, "203.0.113.6")

    assert _login(rialto_client, "203.0.113.7").status_code == 200
    assert _login(fontana_client, "203.0.113.6").status_code == 200


def test_a_forwarded_for_header_from_the_client_does_not_reset_the_count(
    limits: Any, rialto_client: TenantClient
) -> None:
    limits(login="2/m/ip")

    answers = [
        _login(rialto_client, "203.0.113.8", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(3)
    ]

    assert answers == [200, 200, 429]


def test_failed_sign_ins_for_one_account_lock_it_with_a_429(
    limits: Any, in_rialto: Any, rialto_client: TenantClient
) -> None:
    limits(login_failed="100/m/ip,2/15m/key")
    user = UserFactory()

    answers = [_login(rialto_client, f"203.0.113.{20 + i}", email=user.email) for i in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1]["Retry-After"] == "900"
    assert "Too many failed login attempts" in answers[-1].content.decode()


def test_sign_ups_over_the_limit_from_one_address_get_a_429(limits: Any, rialto_client: TenantClient) -> None:
    limits(signup="1/m/ip")
    form = {"email": "new-resident@example.org", "password1": "x", "password2": "y"}

    answers = [rialto_client.post("/accounts/signup/", form, REMOTE_ADDR="203.0.113.30") for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 429]
    assert "Too many sign-ups from your address. Try again in 60 seconds." in answers[-1].content.decode()
    assert answers[-1]["Retry-After"] == "60"


def test_password_resets_for_one_address_over_the_limit_get_a_429(
    limits: Any, in_rialto: Any, rialto_client: TenantClient
) -> None:
    limits(reset_password="20/m/ip,1/m/key")
    user = UserFactory()

    answers = [
        rialto_client.post("/accounts/password/reset/", {"email": user.email}, REMOTE_ADDR=f"203.0.113.{40 + i}")
        for i in range(2)
    ]

    assert [a.status_code for a in answers] == [302, 429]
    assert "Too many password reset requests" in answers[-1].content.decode()
    assert answers[-1]["Retry-After"] == "60"


# --- An empty value switches a limit off; what the load test's 429s were ------------------------


def test_an_empty_login_limit_in_the_environment_reaches_allauth_as_no_limit() -> None:
    # given the variable set empty, as bench/load/run.py sets it for its server
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", PORCHLIGHT_RATE_LIMIT_LOGIN="")
    script = (
        "import django; django.setup()\n"
        "from allauth.account import app_settings\n"
        "from allauth.core.internal.ratelimit import get_rates\n"
        "print(repr(get_rates(app='allauth.account', action='login')))\n"
    )

    # when the settings are read as a server reads them
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)

    # then allauth has no rate for the action: it lets every sign-in post through uncounted
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_with_the_login_limit_off_many_sign_ins_from_one_address_are_all_let_in(
    limits: Any, in_rialto: Any, rialto_client: TenantClient
) -> None:
    limits(login="")
    user = UserFactory()

    answers = [
        rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.60")
        for _ in range(35)  # more than the default 30 a minute
    ]

    assert {a.status_code for a in answers} == {302}


def _being_checked(count: int, ip: str) -> None:
    """``count`` sign-ins from ``ip`` whose passwords are being checked now: allauth counts each
    against ``login_failed`` before checking it (AccountAdapter.pre_authenticate) and gives it
    back only once the password proved right."""
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)
    for n in range(count):
        assert ratelimit.consume(request, action="login_failed", key=f"someone-{n}@example.org")


@pytest.mark.parametrize(
    ("login_failed", "status"),
    [("20/m/ip,5/15m/key", 429), ("5/15m/key", 302)],
    ids=["per-address-and-account (default)", "per-account only (the load test)"],
)
def test_a_right_password_is_refused_while_many_sign_ins_from_its_address_are_being_checked(
    login_failed: str, status: int, limits: Any, in_rialto: Any, rialto_client: TenantClient
) -> None:
    # given the sign-in limit off, and 20 people at one address signing in at this moment
    limits(login="", login_failed=login_failed)
    user = UserFactory()
    _being_checked(20, "203.0.113.61")

    # when one more signs in with the right password
    answer = rialto_client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.61"
    )

    # then the default refuses it (the failed-login limit per address counts attempts in flight):
    # the load test's 429s; counted per account only, it is let in
    assert answer.status_code == status
