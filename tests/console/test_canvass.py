"""The canvass list (screen, CSV, search API): each site's address to the block unless the
owner shares contact details, nothing for a refused search, and pages without new searches."""

import csv
import io
import re
from typing import Any

import pytest

from accounts.models import Role
from accounts.services import api_token_issue
from audit.models import AccessEvent
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import UserFactory, totp_enable
from tests.tenancy import connection

AREA = {"lat": "34.10", "lon": "-117.38", "radius_m": "300", "mode": "pin"}


@pytest.fixture
def officer_client(logged_in_staff: Any) -> TenantClient:
    client, _ = logged_in_staff(Role.OFFICER)
    return client


@pytest.fixture
def with_purpose(officer_client: TenantClient) -> TenantClient:
    response = officer_client.post(
        "/console/purpose/",
        {"case_number": "RPD-1", "category": "property_crime", "text": "Burglary on Cedar", "authority": "consent"},
    )
    assert response.status_code == 302
    return officer_client


def _csv(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# Browser tests commit cameras of their own near the same spot: look at this test's rows only.
def _csv_row(response: Any, camera: Any) -> dict[str, str]:
    return next(row for row in _csv(response) if row["camera_id"] == str(camera.public_id))


def _row(page: str, camera: Any) -> str:
    match = re.search(rf'<tr class="hit" data-camera="{camera.public_id}".*?</tr>', page, re.S)
    assert match is not None
    return match.group(0)


def test_the_canvass_list_shows_the_block_not_the_house_number_when_the_owner_does_not_share(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    make_camera("on_request", address="1234 W Baseline Rd Apt 4", share_contact=False)

    page = with_purpose.post("/console/search/", AREA).content.decode()

    assert "1200 block of W Baseline Rd" in page
    assert "1234 W" not in page
    assert "Apt 4" not in page


def test_the_canvass_list_shows_the_whole_address_when_the_owner_shares_contact_details(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    make_camera("on_request", address="1234 W Baseline Rd", share_contact=True)

    page = with_purpose.post("/console/search/", AREA).content.decode()

    assert "1234 W Baseline Rd" in page


@pytest.mark.parametrize(("share", "shown"), [(False, "1200 block of W Baseline Rd"), (True, "1234 W Baseline Rd")])
def test_the_canvass_csv_has_the_address_to_the_block_unless_shared(
    with_purpose: TenantClient, make_camera: Any, share: bool, shown: str
) -> None:
    camera = make_camera("on_request", address="1234 W Baseline Rd", share_contact=share)

    row = _csv_row(with_purpose.post("/console/search/export.csv", AREA), camera)

    assert row["address"] == shown
    assert ("1234 W" in row["contact"]) is share


@pytest.mark.parametrize(("share", "shown"), [(False, "1200 block of W Baseline Rd"), (True, "1234 W Baseline Rd")])
def test_the_search_api_gives_the_address_to_the_block_unless_shared(
    in_rialto: Any, rialto_client: TenantClient, make_staff: Any, make_camera: Any, share: bool, shown: str
) -> None:
    officer, _ = make_staff(Role.OFFICER)
    camera = make_camera("on_request", address="1234 W Baseline Rd", share_contact=share)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {api_token_issue(user=officer, name='cli').raw}"}
    purpose = rialto_client.post(
        "/api/v1/purposes/",
        {"case_number": "RPD-9", "category": "violent_crime", "text": "Robbery"},
        content_type="application/json",
        **auth,
    ).json()

    response = rialto_client.get("/api/v1/cameras/search/", {**AREA, "purpose": purpose["id"]}, **auth)

    feature = next(f for f in response.json()["features"] if f["properties"]["id"] == str(camera.public_id))
    assert feature["properties"]["address"] == shown
    assert ("1234 W" in response.content.decode()) is share


def test_a_refused_search_shows_no_address(officer_client: TenantClient, make_camera: Any) -> None:
    # given an officer who stated no purpose
    make_camera("on_request", address="1234 W Baseline Rd", share_contact=True)

    page = officer_client.post("/console/search/", AREA)
    export = officer_client.post("/console/search/export.csv", AREA)

    assert page.status_code == 403
    assert "Baseline" not in page.content.decode()
    assert export.status_code == 403
    assert "Baseline" not in export.content.decode()


def test_another_department_sees_no_address_of_this_one(
    make_camera: Any, fontana_client: TenantClient, fontana: Any, rialto: Any
) -> None:
    # given a Rialto camera, and a Fontana officer searching the same spot on Fontana's host
    make_camera("on_request", address="1234 W Baseline Rd", share_contact=True)
    connection.set_tenant(fontana)
    fontana_officer = UserFactory(role=Role.OFFICER)
    login_with_mfa(fontana_client, fontana_officer.email, totp_enable(fontana_officer))
    fontana_client.post(
        "/console/purpose/",
        {"case_number": "F-1", "category": "property_crime", "text": "Burglary", "authority": "consent"},
    )

    page = fontana_client.post("/console/search/", AREA).content.decode()

    assert "Baseline" not in page


def test_a_long_canvass_list_is_paged_on_screen_by_one_search_and_exported_whole(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    for offset in range(30):
        make_camera("on_request", lon=-117.38 + offset * 0.00005, address=f"{1200 + offset} W Baseline Rd")
    searches_before = AccessEvent.objects.filter(action="search").count()

    page = with_purpose.post("/console/search/", AREA).content.decode()
    rows = _csv(with_purpose.post("/console/search/export.csv", AREA))

    hits = len(re.findall(r'<tr class="hit"', page))
    assert hits >= 30
    assert len(re.findall(r'<tr class="hit"[^>]*data-page="0">', page)) == 25
    assert len(re.findall(r'<tr class="hit"[^>]*data-page="[1-9]\d*" hidden>', page)) == hits - 25
    assert 'id="results-pager"' in page
    assert f"Cameras 1\u201325 of {hits}" in page
    assert AccessEvent.objects.filter(action="search").count() == searches_before + 1
    assert len(rows) == hits


def test_a_short_canvass_list_has_no_pager(with_purpose: TenantClient, make_camera: Any) -> None:
    make_camera("on_request")

    page = with_purpose.post("/console/search/", AREA).content.decode()

    assert 'id="results-pager"' not in page


def test_a_camera_whose_bridge_is_offline_is_not_offered_for_live_view_in_the_results(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    offline = make_camera("live")

    page = with_purpose.post("/console/search/", AREA).content.decode()
    row = _csv_row(with_purpose.post("/console/search/export.csv", AREA), offline)

    assert 'name="camera"' not in _row(page, offline)
    assert "no bridge online" in _row(page, offline)
    assert row["live_view"] == "no bridge online"


def test_a_camera_whose_bridge_is_connected_is_offered_for_live_view_in_the_results(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    online = make_camera("live", bridge_online=True)

    page = with_purpose.post("/console/search/", AREA).content.decode()
    row = _csv_row(with_purpose.post("/console/search/export.csv", AREA), online)

    assert f'name="camera" value="{online.public_id}"' in _row(page, online)
    assert 'id="open-live-wall"' in page
    assert row["live_view"] == "yes"


def test_the_camera_page_offers_no_live_view_while_its_bridge_is_offline(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    camera = make_camera("live")

    body = with_purpose.get(f"/console/cameras/{camera.public_id}/").content.decode()

    assert 'id="open-live"' not in body
    assert "no bridge (the owner&#x27;s computer that relays the camera) is connected for it" in body


@pytest.mark.parametrize(("share", "shown"), [(False, "1200 block of W Baseline Rd"), (True, "1234 W Baseline Rd")])
def test_the_camera_page_shows_the_address_to_the_block_unless_shared(
    with_purpose: TenantClient, make_camera: Any, share: bool, shown: str
) -> None:
    camera = make_camera("on_request", address="1234 W Baseline Rd", share_contact=share)

    body = with_purpose.get(f"/console/cameras/{camera.public_id}/").content.decode()

    assert re.search(r'<dd id="camera-address">(.*?)</dd>', body).group(1) == shown  # type: ignore[union-attr]
    assert ("1234 W" in body) is share
