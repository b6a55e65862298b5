"""A mobile camera (body-worn, drone, vehicle) in the officer's search list, the incident's dock,
the canvass CSV and on its camera page reads as what it is: "Mobile camera (body-worn, drone or
vehicle)" and the age of its last position, never its registered type nor the block of the
base where it is kept (as the live tile already does)."""

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from cameras.addresses import address_for_police
from cameras.mobile import Move, camera_position_move
from cameras.models import Camera
from tenants.models import Department
from tests.conftest import TenantClient
from tests.factories import console_incident_make, mobile_source_make

pytestmark = pytest.mark.django_db

# A corner of Rialto of these tests' own, away from the base's default site.
LON, LAT = -117.3905, 34.0805
MOBILE = "Mobile camera (body-worn, drone or vehicle)"


@pytest.fixture
def mobile(in_rialto: Department) -> Camera:
    camera, _issued = mobile_source_make(in_rialto)
    result = camera_position_move(
        camera_pk=camera.pk,
        lon=LON,
        lat=LAT,
        heading=90,
        at=timezone.now() - dt.timedelta(seconds=150),
        max_speed_mps=1e9,
    )
    assert result.outcome == Move.ACCEPTED
    return Camera.objects.select_related("site").get(pk=camera.pk)


@pytest.fixture
def officer_client(logged_in_staff: Any) -> TenantClient:
    client, _user = logged_in_staff(Role.OFFICER)
    response = client.post(
        "/console/purpose/",
        {"case_number": "RPD-M1", "category": "property_crime", "text": "Mobile rows", "authority": "consent"},
    )
    assert response.status_code == 302
    return client


def _row(html: str, camera: Camera) -> str:
    found = re.search(rf'<tr[^>]*data-camera="{camera.public_id}".*?</tr>', html, re.S)
    assert found, html[:3000]
    return found.group(0)


def _base_block(camera: Camera) -> str:
    return address_for_police(camera.site.address, share_contact=camera.site.share_contact)


def test_a_mobile_camera_in_the_search_list_says_it_moves_and_how_old_its_position_is(
    mobile: Camera, officer_client: TenantClient
) -> None:
    page = officer_client.post("/console/search/", {"lat": str(LAT), "lon": str(LON), "radius_m": "200", "mode": "pin"})

    row = _row(page.content.decode(), mobile)
    assert MOBILE in row
    assert mobile.get_camera_type_display() not in row
    assert _base_block(mobile) not in row
    assert "Last position 2\xa0minutes ago" in row


def test_a_mobile_camera_in_an_incidents_dock_says_it_moves_and_how_old_its_position_is(
    mobile: Camera, officer_client: TenantClient
) -> None:
    incident = console_incident_make(case_number="RPD-M2", lon=LON + 0.0001, lat=LAT)

    dock = officer_client.post(
        f"/console/incidents/{incident.public_id}/purpose/",
        {"case_number": "RPD-M2", "category": "violent_crime", "text": "Shots", "authority": "consent"},
    )

    row = _row(dock.content.decode(), mobile)
    assert MOBILE in row
    assert _base_block(mobile) not in row
    assert "Last position 2\xa0minutes ago" in row


def test_the_canvass_csv_names_a_mobile_camera_without_its_bases_block(
    mobile: Camera, officer_client: TenantClient
) -> None:
    response = officer_client.post(
        "/console/search/export.csv", {"lat": str(LAT), "lon": str(LON), "radius_m": "200", "mode": "pin"}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    mine = [row for row in rows if MOBILE in row]
    assert len(mine) == 1
    assert _base_block(mobile) not in mine[0]


def test_the_camera_page_of_a_mobile_camera_shows_how_old_its_position_is(
    mobile: Camera, officer_client: TenantClient
) -> None:
    page = officer_client.get(f"/console/cameras/{mobile.public_id}/")

    html = page.content.decode()
    assert MOBILE in html
    assert "Last position 2\xa0minutes ago" in html
    assert _base_block(mobile) not in html
