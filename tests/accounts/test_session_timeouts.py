"""Staff sessions end after 30 minutes idle and 12 hours in all (server-side)."""

import time
from typing import Any

import pytest

from accounts.models import Role


def _age_session(client: Any, **seconds_ago: float) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


@pytest.fixture
def officer_client(logged_in_staff: Any) -> Any:
    client, _ = logged_in_staff(Role.OFFICER)
    assert client.get("/api/v1/me/").status_code == 200
    return client


def test_staff_session_ends_after_30_idle_minutes(officer_client: Any) -> None:
    _age_session(officer_client, last_activity_at=31 * 60)

    response = officer_client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert officer_client.get("/api/v1/me/").status_code in (401, 403)


def test_staff_session_survives_29_idle_minutes(officer_client: Any) -> None:
    _age_session(officer_client, last_activity_at=29 * 60)

    response = officer_client.get("/api/v1/me/")

    assert response.status_code == 200


def test_staff_session_ends_after_12_hours_even_when_active(officer_client: Any) -> None:
    _age_session(officer_client, last_activity_at=10, auth_started_at=12 * 3600 + 1)

    response = officer_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert "session has ended" in response.json()["detail"]
    assert response.json()["code"] == "not_authenticated"


def test_resident_session_is_not_cut_after_30_idle_minutes(in_rialto: Any, rialto_client: Any) -> None:
    from tests.factories import UserFactory

    rialto_client.force_login(UserFactory(role=Role.RESIDENT))
    _age_session(rialto_client, last_activity_at=31 * 60)

    response = rialto_client.get("/api/v1/me/")

    assert response.status_code == 200
