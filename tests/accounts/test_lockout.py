"""Five failed logins in 15 minutes lock the account; failures are logged."""

import logging
from typing import Any

from tests.factories import PASSWORD, UserFactory


def _fail(client: Any, email: str, times: int) -> None:
    for _ in range(times):
        client.post("/accounts/login/", {"login": email, "password": "wrong password"})


def test_five_failures_lock_the_account_even_for_the_right_password(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory()
    _fail(rialto_client, user.email, 5)

    response = rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    # a 429 saying so, with when to retry (docs/rate-limits.md, login_failed)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in rialto_client.session


def test_four_failures_still_allow_the_right_password(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory()
    _fail(rialto_client, user.email, 4)

    response = rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302


def test_lockout_in_one_department_does_not_lock_the_same_email_in_another(
    in_rialto: Any, rialto_client: Any, fontana_client: Any, fontana: Any
) -> None:
    from tests.tenancy import connection

    UserFactory(email="same@example.org")
    connection.set_tenant(fontana)
    UserFactory(email="same@example.org")
    _fail(rialto_client, "same@example.org", 5)

    response = fontana_client.post("/accounts/login/", {"login": "same@example.org", "password": PASSWORD})

    assert response.status_code == 302


def test_failed_login_is_logged(in_rialto: Any, rialto_client: Any, caplog: Any) -> None:
    user = UserFactory()

    with caplog.at_level(logging.WARNING, logger="porchlight.security"):
        _fail(rialto_client, user.email, 1)

    record = next(r for r in caplog.records if r.getMessage() == "login failed")
    assert record.email == user.email
