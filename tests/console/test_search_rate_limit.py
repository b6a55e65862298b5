"""Searches are rate-limited per API token and per user, one count for the API and the console
(docs/rate-limits.md): over it, a 429 with Retry-After and a sentence saying what was limited
and when to try again; other tokens and users go on."""

from typing import Any

import pytest

from accounts.models import Role
from accounts.services import api_token_issue
from tests.conftest import TenantClient, free_port

AREA = {"lat": "34.10", "lon": "-117.38", "radius_m": "100", "mode": "pin"}


@pytest.fixture(autouse=True)
def small_limits(settings: Any) -> None:
    settings.PORCHLIGHT_RATE_LIMITS = {**settings.PORCHLIGHT_RATE_LIMITS, "search": "2/m/token,3/m/user"}


def _officer_tokens(make_staff: Any, client: TenantClient, count: int = 1) -> tuple[list[str], str]:
    """Tokens of a new officer and a purpose stated with the first."""
    officer, _ = make_staff(Role.OFFICER)
    tokens = [api_token_issue(user=officer, name=f"cli-{i}").raw for i in range(count)]
    purpose = client.post(
        "/api/v1/purposes/",
        {"case_number": "RPD-9", "category": "violent_crime", "text": "Robbery"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {tokens[0]}",
    ).json()["id"]
    return tokens, purpose


def _search(client: TenantClient, token: str, purpose: str) -> Any:
    return client.get("/api/v1/cameras/search/", {**AREA, "purpose": purpose}, HTTP_AUTHORIZATION=f"Token {token}")


def test_a_token_over_its_limit_gets_a_429_that_says_when_to_retry_and_another_officer_goes_on(
    make_staff: Any, rialto_client: TenantClient
) -> None:
    (token,), purpose = _officer_tokens(make_staff, rialto_client)
    (other,), other_purpose = _officer_tokens(make_staff, rialto_client)

    answers = [_search(rialto_client, token, purpose) for _ in range(3)]
    others = _search(rialto_client, other, other_purpose)

    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[-1]
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Too many searches: at most 2 every 60 seconds. Try again in ")
    assert others.status_code == 200


def test_a_users_tokens_share_the_users_limit(make_staff: Any, rialto_client: TenantClient) -> None:
    (first, second), purpose = _officer_tokens(make_staff, rialto_client, count=2)

    answers = [_search(rialto_client, token, purpose).status_code for token in (first, first, second, second)]

    assert answers == [200, 200, 200, 429]  # the user's fourth: over 3 a minute


@pytest.fixture
def console_officer(logged_in_staff: Any) -> TenantClient:
    client, _ = logged_in_staff(Role.OFFICER)
    response = client.post(
        "/console/purpose/",
        {"case_number": "RPD-1", "category": "property_crime", "text": "Burglary", "authority": "consent"},
    )
    assert response.status_code == 302
    return client


def test_the_console_search_over_the_limit_answers_the_sentence_where_the_results_go(
    console_officer: TenantClient,
) -> None:
    answers = [console_officer.post("/console/search/", AREA, HTTP_HX_REQUEST="true") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    page = answers[-1].content.decode()
    assert 'id="rate-limited"' in page
    assert "Too many searches: at most 3 every 60 seconds." in page
    assert "<html" not in page  # a fragment for htmx, not a whole page
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60


def test_a_forged_forwarded_for_header_does_not_reset_a_limit(console_officer: TenantClient) -> None:
    answers = [
        console_officer.post("/console/search/", AREA, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(4)
    ]

    assert answers == [200, 200, 200, 429]


def test_a_flood_with_a_bad_token_is_refused_before_the_token_is_looked_up(rialto_client: TenantClient) -> None:
    answers = [
        rialto_client.get("/api/v1/cameras/search/", AREA, HTTP_AUTHORIZATION="Token not-a-token").status_code
        for _ in range(3)
    ]

    assert answers == [401, 401, 429]


def test_searches_go_on_unlimited_while_the_limiter_cannot_reach_redis(
    make_staff: Any, rialto_client: TenantClient, settings: Any
) -> None:
    (token,), purpose = _officer_tokens(make_staff, rialto_client)
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # the limiter's Redis: nothing listens there

    answers = [_search(rialto_client, token, purpose).status_code for _ in range(3)]

    assert answers == [200, 200, 200]  # over 2 a minute: counted, it would have been refused
