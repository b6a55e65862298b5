"""The property form's address suggestions: signed-in owners only, this department only."""

from typing import Any

import pytest

from accounts.models import Role
from places.readers import AddressIn
from places.services import address_points_upsert
from tests.conftest import TenantClient
from tests.factories import UserFactory
from tests.tenancy import connection

CEDAR = AddressIn(number="455", street="Cedar Ave", unit="", city="Rialto", postcode="92376", lon=-117.4, lat=34.1)


@pytest.fixture
def addresses(in_rialto: Any) -> None:
    address_points_upsert(points=[CEDAR])


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BUSINESS])
def test_an_owner_gets_address_suggestions(addresses: None, rialto_client: TenantClient, role: str) -> None:
    rialto_client.force_login(UserFactory(role=role))

    response = rialto_client.get("/my/addresses/", {"q": "455 cedar"})

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"label": "455 Cedar Ave, Rialto 92376", "lat": 34.1, "lon": -117.4, "kind": "address"}
    ]


def test_a_visitor_who_is_not_signed_in_gets_no_suggestions(addresses: None, rialto_client: TenantClient) -> None:
    response = rialto_client.get("/my/addresses/", {"q": "455 cedar"})

    assert response.status_code == 302
    assert b"Cedar" not in response.content


def test_staff_get_no_owner_suggestions(addresses: None, logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)

    response = client.get("/my/addresses/", {"q": "455 cedar"})

    assert response.status_code == 403


def test_an_owner_of_another_department_never_gets_these_addresses(
    addresses: None, fontana: Any, fontana_client: TenantClient
) -> None:
    connection.set_tenant(fontana)
    fontana_client.force_login(UserFactory(role=Role.RESIDENT))

    response = fontana_client.get("/my/addresses/", {"q": "455 cedar ave"})

    assert response.json() == {"results": []}
