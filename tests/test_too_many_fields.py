"""An address with more parameters than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS), or a form
with more fields, is a 400 that says what was wrong, on every path, with DEBUG on or off. Under
DEBUG, Django's technical error page read the parameters again to show them, failed the same
way, and the visitor got a 500."""

from typing import Any

import pytest
from django.conf import settings as django_settings

from accounts.models import Role
from tests.conftest import TenantClient

pytestmark = pytest.mark.django_db

TOO_MANY = "&".join(f"p{n}=1" for n in range(2000))
SENTENCE = "more than 1000 parameters"
PATHS = [
    "/",
    "/transparency/",
    "/transparency.json",
    "/oversight/",
    "/oversight/dashboard/",
    "/oversight/search/",
    "/oversight/report/",
    "/oversight/records/1/",
    "/accounts/login/",
    "/no-such-page/",
    "/api/v1/log/checkpoint/",
]


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request: Any, settings: Any) -> bool:
    settings.DEBUG = request.param
    return bool(request.param)


@pytest.mark.parametrize("path", PATHS)
def test_too_many_query_parameters_are_a_400_that_says_so(debug: bool, rialto_client: TenantClient, path: str) -> None:
    response = rialto_client.get(f"{path}?{TOO_MANY}")

    assert response.status_code == 400
    assert SENTENCE in response.content.decode()


@pytest.mark.parametrize("path", ["/oversight/", "/oversight/report/", "/oversight/search/", "/transparency/"])
def test_a_board_member_gets_the_same_400(debug: bool, logged_in_staff: Any, path: str) -> None:
    client, _user = logged_in_staff(Role.OVERSIGHT)

    response = client.get(f"{path}?{TOO_MANY}")

    assert response.status_code == 400
    assert SENTENCE in response.content.decode()


def test_the_api_answers_json(debug: bool, rialto_client: TenantClient) -> None:
    response = rialto_client.get(f"/api/v1/log/checkpoint/?{TOO_MANY}")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert SENTENCE in response.json()["detail"]


def test_the_public_site_too(debug: bool, public_client: TenantClient) -> None:
    response = public_client.get(f"/?{TOO_MANY}")

    assert response.status_code == 400
    assert SENTENCE in response.content.decode()


def test_a_form_with_too_many_fields_is_a_400_that_says_so(debug: bool, rialto_client: TenantClient) -> None:
    fields = {f"f{n}": "1" for n in range(2000)}

    response = rialto_client.post("/accounts/login/", fields)

    assert response.status_code == 400
    assert "more than 1000 fields" in response.content.decode()


def test_just_under_the_limit_is_read_as_usual(rialto_client: TenantClient) -> None:
    limit = django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    query = "&".join(f"p{n}=1" for n in range(limit))

    response = rialto_client.get(f"/transparency/?{query}")

    # The page's own answer to unknown filters, not the limit's.
    assert response.status_code == 400
    assert "Unknown filter" in response.content.decode()
