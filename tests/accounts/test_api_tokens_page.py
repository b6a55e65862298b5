"""The user's API tokens page: every bad input is a 400 naming what was wrong, and nothing changes."""

from typing import Any

import pytest

from accounts.models import ApiToken, Role, User
from accounts.services import api_token_issue, api_token_revoke
from tests.conftest import TenantClient
from tests.factories import UserFactory


@pytest.fixture
def owner(in_rialto: Any, rialto_client: TenantClient) -> User:
    user = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(user)
    return user


def _live_tokens() -> list[tuple[int, str]]:
    return sorted(ApiToken.objects.filter(revoked_at__isnull=True).values_list("pk", "name"))


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_named_token_is_issued_and_shown_once(owner: User, rialto_client: TenantClient) -> None:
    response = rialto_client.post("/me/api-tokens/", {"name": "  backup script  "})

    token = ApiToken.objects.get(user=owner)
    assert response.status_code == 200
    assert token.name == "backup script"
    assert response.context["new_token"].startswith(token.prefix)


def test_revoking_ones_own_token_says_so(owner: User, rialto_client: TenantClient) -> None:
    token = api_token_issue(user=owner, name="cli").token

    response = rialto_client.post("/me/api-tokens/", {"revoke": str(token.pk)}, follow=True)

    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert _messages(response) == ["Token revoked."]


@pytest.mark.parametrize("value", ["abc", "1.5", "", "-1", "0", "9" * 400, "1\x00"])
def test_a_revoke_value_that_is_not_a_token_id_is_a_400(owner: User, rialto_client: TenantClient, value: str) -> None:
    api_token_issue(user=owner, name="cli")
    before = _live_tokens()

    response = rialto_client.post("/me/api-tokens/", {"revoke": value})

    assert response.status_code == 400
    assert any("token" in message.lower() for message in _messages(response))
    assert _live_tokens() == before


def test_revoking_another_users_token_revokes_nothing_and_says_no_such_token(
    owner: User, rialto_client: TenantClient
) -> None:
    other = api_token_issue(user=UserFactory(role=Role.RESIDENT), name="theirs").token
    before = _live_tokens()

    response = rialto_client.post("/me/api-tokens/", {"revoke": str(other.pk)})

    assert response.status_code == 404
    assert _messages(response) == ["No such token."]
    assert _live_tokens() == before


def test_revoking_an_already_revoked_token_says_no_such_token(owner: User, rialto_client: TenantClient) -> None:
    token = api_token_issue(user=owner, name="cli").token
    api_token_revoke(user=owner, token_id=token.pk)

    response = rialto_client.post("/me/api-tokens/", {"revoke": str(token.pk)})

    assert response.status_code == 404
    assert _messages(response) == ["No such token."]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 10_000, "at most 100 characters"),
        ("x" * 101, "at most 100 characters"),
        ("cli\x00", "Null characters are not allowed"),
    ],
)
def test_a_bad_token_name_is_a_400_naming_the_field_and_issues_nothing(
    owner: User, rialto_client: TenantClient, name: str, message: str
) -> None:
    response = rialto_client.post("/me/api-tokens/", {"name": name})

    assert response.status_code == 400
    assert any(message in text and "Name" in text for text in _messages(response))
    assert not ApiToken.objects.filter(user=owner).exists()
    assert "new_token" not in response.context


@pytest.mark.parametrize(("role", "shown"), [(Role.RESIDENT, False), (Role.BUSINESS, True)])
def test_the_menu_offers_api_tokens_to_businesses_not_to_residents(
    in_rialto: Any, rialto_client: TenantClient, role: str, shown: bool
) -> None:
    rialto_client.force_login(UserFactory(role=role))

    page = rialto_client.get("/my/").content.decode()

    assert ('href="/me/api-tokens/"' in page) is shown


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT])
def test_the_menu_offers_api_tokens_to_staff(logged_in_staff: Any, role: str) -> None:
    client, _ = logged_in_staff(role)

    page = client.get("/me/api-tokens/").content.decode()

    assert 'href="/me/api-tokens/"' in page
    assert 'name="name"' in page


def test_a_resident_is_refused_the_tokens_page_and_issues_no_token_there(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    rialto_client.force_login(UserFactory(role=Role.RESIDENT))

    page = rialto_client.get("/me/api-tokens/")
    issue = rialto_client.post("/me/api-tokens/", {"name": "mine"})

    assert (page.status_code, issue.status_code) == (403, 403)
    assert _live_tokens() == []


def test_a_resident_who_holds_a_token_sees_it_and_can_revoke_it_but_not_issue_another(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    resident = UserFactory(role=Role.RESIDENT)
    token = api_token_issue(user=resident, name="old script").token
    rialto_client.force_login(resident)

    page = rialto_client.get("/me/api-tokens/").content.decode()
    rialto_client.post("/me/api-tokens/", {"revoke": str(token.pk)})

    assert "old script" in page
    assert 'name="name"' not in page
    assert _live_tokens() == []
