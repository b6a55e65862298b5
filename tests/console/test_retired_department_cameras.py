"""A retired department camera (cameras.department.department_camera_retire) is kept for the
log but is gone from the officer's console: not on the map, not in a search (circle or polygon,
pins or fields of view), not in an incident's dock; a camera still in service next to it is."""

from typing import Any

import pytest
from django.contrib.gis.geos import Polygon

from accounts.models import Role
from cameras import access
from cameras.department import CameraSpec, department_camera_register, department_camera_retire
from cameras.geometry import point
from cameras.models import Camera, DepartmentCamera
from cameras.search_sql import Area
from tenants.models import Department
from tests.conftest import TenantClient
from tests.factories import UserFactory, console_incident_make

pytestmark = pytest.mark.django_db

# A corner of Rialto of these tests' own; both cameras look east at the point.
LON, LAT = -117.4005, 34.0705
INCIDENT = (LON + 0.0001, LAT)


@pytest.fixture
def cameras(in_rialto: Department) -> tuple[Camera, Camera]:
    """(retired, in service): two department cameras side by side, the first retired."""
    admin = UserFactory(role=Role.DEPT_ADMIN)
    made = [
        department_camera_register(
            actor=admin,
            department=in_rialto,
            spec=CameraSpec(
                label=f"Retire test {n}", lat=LAT, lon=LON + n * 0.00002, bearing_deg=90, fov_angle_deg=90, range_m=60
            ),
        )
        for n in range(2)
    ]
    department_camera_retire(actor=admin, record=DepartmentCamera.objects.get(camera=made[0]))
    return made[0], made[1]


def _ids(rows: Any) -> set[str]:
    return {str(row) for row in rows}


def _square() -> Area:
    d = 0.001
    ring = [(LON - d, LAT - d), (LON + d, LAT - d), (LON + d, LAT + d), (LON - d, LAT + d), (LON - d, LAT - d)]
    return Area(center=point(LON, LAT), polygon=Polygon(ring, srid=4326))


@pytest.mark.parametrize("mode", ["pin", "fov"])
@pytest.mark.parametrize(
    "area", [lambda: Area(center=point(LON, LAT), radius_m=200), _square], ids=["circle", "polygon"]
)
def test_a_retired_department_camera_is_not_found_by_a_search(
    cameras: tuple[Camera, Camera], actor: access.Actor, purpose: Any, mode: str, area: Any
) -> None:
    retired, serving = cameras

    result = access.camera_search(actor=actor, purpose=purpose, area=area(), mode=mode)

    found = _ids(h.camera.public_id for h in result.hits)
    assert str(retired.public_id) not in found
    assert str(serving.public_id) in found
    assert result.total == len(result.hits)


def test_a_retired_department_camera_is_not_on_the_map(
    cameras: tuple[Camera, Camera], actor: access.Actor, purpose: Any
) -> None:
    retired, serving = cameras

    decision, rows = access.camera_map(
        actor=actor, purpose=purpose, bbox=(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01)
    )

    found = {row[0] for row in rows}
    assert decision.allowed
    assert str(retired.public_id) not in found
    assert str(serving.public_id) in found


def test_a_retired_department_camera_is_not_docked_beside_an_incident(
    cameras: tuple[Camera, Camera], actor: access.Actor, purpose: Any
) -> None:
    retired, serving = cameras

    result = access.incident_cameras(actor=actor, purpose=purpose, point=point(*INCIDENT))

    found = _ids(h.camera.public_id for h in result.hits)
    assert str(retired.public_id) not in found
    assert str(serving.public_id) in found


# --- The same through the console's pages ------------------------------------------------------


@pytest.fixture
def officer_client(logged_in_staff: Any) -> TenantClient:
    client, _user = logged_in_staff(Role.OFFICER)
    response = client.post(
        "/console/purpose/",
        {"case_number": "RPD-R1", "category": "property_crime", "text": "Retired cameras", "authority": "consent"},
    )
    assert response.status_code == 302
    return client


def test_the_console_map_data_leaves_a_retired_department_camera_out(
    cameras: tuple[Camera, Camera], officer_client: TenantClient
) -> None:
    retired, serving = cameras

    data = officer_client.post("/console/map-data/", {"bbox": f"{LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"})

    found = {row[0] for row in data.json()["cameras"]}
    assert (str(retired.public_id) in found, str(serving.public_id) in found) == (False, True)


def test_the_console_search_leaves_a_retired_department_camera_out(
    cameras: tuple[Camera, Camera], officer_client: TenantClient
) -> None:
    retired, serving = cameras

    page = officer_client.post("/console/search/", {"lat": str(LAT), "lon": str(LON), "radius_m": "200", "mode": "pin"})

    html = page.content.decode()
    assert page.status_code == 200
    assert (str(retired.public_id) in html, str(serving.public_id) in html) == (False, True)


def test_the_console_dock_leaves_a_retired_department_camera_out(
    cameras: tuple[Camera, Camera], logged_in_staff: Any, in_rialto: Department
) -> None:
    retired, serving = cameras
    client, _user = logged_in_staff(Role.OFFICER)
    incident = console_incident_make(case_number="RPD-R2", lon=INCIDENT[0], lat=INCIDENT[1])

    dock = client.post(
        f"/console/incidents/{incident.public_id}/purpose/",
        {"case_number": "RPD-R2", "category": "violent_crime", "text": "Shots", "authority": "consent"},
    )

    html = dock.content.decode()
    assert dock.status_code == 200
    assert (str(retired.public_id) in html, str(serving.public_id) in html) == (False, True)


def test_a_retired_department_camera_stays_on_its_administrators_list(
    cameras: tuple[Camera, Camera], logged_in_staff: Any
) -> None:
    retired, _serving = cameras
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)

    listing = client.get("/console/department-cameras/", {"state": "retired"})

    assert retired.label in listing.content.decode()
