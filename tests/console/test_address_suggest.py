"""The console's address box: suggestions for MFA-passed officers only, from this
department's addresses only, logging no access (it reads no camera data)."""

from typing import Any

import pytest

from accounts.models import Role
from audit.models import AccessEvent
from places.readers import AddressIn
from places.services import address_points_upsert
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import PASSWORD, UserFactory, totp_enable
from tests.tenancy import connection


@pytest.fixture
def addresses(in_rialto: Any) -> None:
    address_points_upsert(
        points=[
            AddressIn(
                number="1200",
                street="W Baseline Rd",
                unit="",
                city="Rialto",
                postcode="92376",
                lon=-117.375,
                lat=34.0956,
            ),
        ]
    )


def test_an_officer_gets_suggestions_and_no_access_is_logged(addresses: None, logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)
    events = AccessEvent.objects.count()

    response = client.get("/console/addresses/", {"q": "1200 w baseline", "near": "34.1,-117.37"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [{"label": "1200 W Baseline Rd, Rialto 92376", "lat": 34.0956, "lon": -117.375, "kind": "address"}]
    }
    assert AccessEvent.objects.count() == events


def test_typed_coordinates_are_offered_as_the_place_to_centre_on(addresses: None, logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.SUPERVISOR)

    response = client.get("/console/addresses/", {"q": "34.1, -117.4"})

    assert response.json()["results"] == [
        {"label": "34.100000, -117.400000", "lat": 34.1, "lon": -117.4, "kind": "coordinates"}
    ]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BUSINESS, Role.OVERSIGHT])
def test_people_who_are_not_officers_get_no_suggestions(
    addresses: None, rialto_client: TenantClient, role: str
) -> None:
    rialto_client.force_login(UserFactory(role=role))

    response = rialto_client.get("/console/addresses/", {"q": "1200 w baseline"})

    assert response.status_code in (302, 403)  # staff without MFA are sent to set it up first
    assert b"Baseline" not in response.content


def test_an_officer_whose_session_has_not_passed_mfa_gets_no_suggestions(
    addresses: None, rialto_client: TenantClient
) -> None:
    officer = UserFactory(role=Role.OFFICER)
    rialto_client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})

    response = rialto_client.get("/console/addresses/", {"q": "1200 w baseline"})

    assert response.status_code in (302, 403)
    assert b"Baseline" not in response.content


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(addresses: None, rialto_client: TenantClient) -> None:
    response = rialto_client.get("/console/addresses/", {"q": "1200 w baseline"})

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_officer_of_another_department_sees_only_their_own_addresses(
    addresses: Any, fontana: Any, fontana_client: TenantClient
) -> None:
    connection.set_tenant(fontana)
    officer = UserFactory(role=Role.OFFICER)
    secret = totp_enable(officer)
    login_with_mfa(fontana_client, officer.email, secret)

    response = fontana_client.get("/console/addresses/", {"q": "1200 w baseline rd"})

    assert response.status_code == 200
    assert response.json() == {"results": []}
