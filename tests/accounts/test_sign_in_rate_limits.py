"""Sign-in, sign-up and password reset are rate-limited by allauth (ACCOUNT_RATE_LIMITS, each
from the environment: docs/rate-limits.md), per address and per account, in each department
separately. Over a limit: a 429 whose page says what was limited and when to try again, with
Retry-After; the address is REMOTE_ADDR, never a forwarded header the client sends."""

from typing import Any

import pytest

from tests.conftest import TenantClient
from tests.factories import UserFactory

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
