"""Token authentication does the least per request: ``last_used_at`` is written at most once a
minute per token, and an officer's second factor is looked up once per request."""

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken, Role
from accounts.services import api_token_issue
from tests.conftest import TenantClient
from tests.factories import UserFactory


def _token_writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "accounts_apitoken"')]


def _mfa_lookups(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"mfa_authenticator"' in q["sql"]]


def test_two_calls_within_a_minute_write_last_used_at_once(in_rialto: Any, rialto_client: TenantClient) -> None:
    issued = api_token_issue(user=UserFactory(), name="cli")
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {issued.raw}"}

    with CaptureQueriesContext(connection) as first:
        assert rialto_client.get("/api/v1/me/", **auth).status_code == 200
    used = ApiToken.objects.get(pk=issued.token.pk).last_used_at
    with CaptureQueriesContext(connection) as second:
        assert rialto_client.get("/api/v1/me/", **auth).status_code == 200

    assert len(_token_writes(first)) == 1
    assert used is not None
    assert _token_writes(second) == []
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == used


def test_a_call_a_minute_after_the_last_recorded_use_writes_it_again(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    issued = api_token_issue(user=UserFactory(), name="cli")
    long_ago = timezone.now() - dt.timedelta(seconds=61)
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=long_ago)

    with CaptureQueriesContext(connection) as queries:
        assert rialto_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {issued.raw}").status_code == 200

    assert len(_token_writes(queries)) == 1
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at > long_ago  # type: ignore[operator]


def test_a_use_recorded_by_another_request_meanwhile_is_not_written_over(in_rialto: Any) -> None:
    """Two servers reading the same stale time: the conditional UPDATE lets only one write."""
    from accounts.services import api_token_used

    issued = api_token_issue(user=UserFactory(), name="cli")
    stale = ApiToken.objects.get(pk=issued.token.pk)  # last_used_at None, as both read it
    api_token_used(token=stale)
    first = ApiToken.objects.get(pk=issued.token.pk).last_used_at
    stale.last_used_at = None
    with CaptureQueriesContext(connection) as queries:
        api_token_used(token=ApiToken.objects.get(pk=issued.token.pk))
        api_token_used(token=stale)

    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == first
    assert len(_token_writes(queries)) == 1  # the stale copy tried; its WHERE matched nothing


def test_an_officers_token_search_looks_up_the_second_factor_once(
    in_rialto: Any, rialto_client: TenantClient, make_staff: Any, make_camera: Any
) -> None:
    officer, _ = make_staff(Role.OFFICER)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {api_token_issue(user=officer, name='cli').raw}"}
    purpose = rialto_client.post(
        "/api/v1/purposes/",
        {"case_number": "RPD-9", "category": "violent_crime", "text": "Robbery"},
        content_type="application/json",
        **auth,
    ).json()["id"]
    make_camera()

    with CaptureQueriesContext(connection) as queries:
        response = rialto_client.get(
            "/api/v1/cameras/search/",
            {"lat": 34.10, "lon": -117.38, "radius_m": 500, "purpose": purpose},
            **auth,
        )

    assert response.status_code == 200
    assert response.json()["returned"] == 1
    assert len(_mfa_lookups(queries)) == 1
    assert _token_writes(queries) == []  # the purpose call a moment ago recorded the use


def test_an_officer_whose_second_factor_is_removed_is_refused_at_once(
    in_rialto: Any, rialto_client: TenantClient, make_staff: Any
) -> None:
    from allauth.mfa.models import Authenticator

    officer, _ = make_staff(Role.OFFICER)
    raw = api_token_issue(user=officer, name="cli").raw
    assert rialto_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    Authenticator.objects.filter(user=officer).delete()

    response = rialto_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}")

    assert response.status_code == 401
