"""After signing in, each role lands on its own page; a safe ?next= still wins, an outside one never."""

from typing import Any

import pytest

from accounts.models import Role
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import PASSWORD, UserFactory, totp_code


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.OFFICER, "/console/"),
        (Role.SUPERVISOR, "/console/"),
        (Role.OVERSIGHT, "/oversight/"),
        (Role.DEPT_ADMIN, "/department/staff/"),
    ],
)
def test_staff_land_on_their_roles_page_after_two_factor(
    make_staff: Any, rialto_client: TenantClient, role: str, landing: str
) -> None:
    user, secret = make_staff(role)

    response = login_with_mfa(rialto_client, user.email, secret)

    assert response.status_code == 302
    assert response["Location"] == landing


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BUSINESS])
def test_owners_land_on_my_cameras(in_rialto: Any, rialto_client: TenantClient, role: str) -> None:
    owner = UserFactory(role=role)

    response = rialto_client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/my/"


def test_a_next_on_the_same_site_is_still_honoured(in_rialto: Any, rialto_client: TenantClient) -> None:
    owner = UserFactory(role=Role.RESIDENT)

    response = rialto_client.post("/accounts/login/?next=/my/access/", {"login": owner.email, "password": PASSWORD})

    assert response["Location"] == "/my/access/"


def test_a_next_through_two_factor_is_still_honoured(make_staff: Any, rialto_client: TenantClient) -> None:
    user, secret = make_staff(Role.OFFICER)

    rialto_client.post("/accounts/login/?next=/console/approvals/", {"login": user.email, "password": PASSWORD})

    response = rialto_client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})

    assert response["Location"] == "/console/approvals/"


@pytest.mark.parametrize(
    "outside", ["https://evil.example.com/", "//evil.example.com/my/", "http://fontana.localhost:8000/my/"]
)
def test_a_next_to_another_site_is_refused_for_the_roles_page(
    in_rialto: Any, rialto_client: TenantClient, outside: str
) -> None:
    owner = UserFactory(role=Role.RESIDENT)

    response = rialto_client.post(f"/accounts/login/?next={outside}", {"login": owner.email, "password": PASSWORD})

    assert response["Location"] == "/my/"
