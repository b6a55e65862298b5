"""The department administrator's pages of the department's own cameras: list and filters,
register, edit, retire, and the CSV/GeoJSON import (all or nothing, every error listed);
other roles get 404 and a logged refusal; another department's ids are 404."""

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from audit.models import AccessEvent
from cameras.department import CameraSpec, department_camera_register
from cameras.models import Camera, DepartmentCamera, DepartmentCameraImport
from tenants.models import Department
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import UserFactory, totp_enable

pytestmark = pytest.mark.django_db

SECRET_URL = "rtsp://viewer:s3cret@10.20.0.7:554/main"
HEADER = "label,latitude,longitude,bearing,field_of_view,range,stream_url\n"
CLEAN = (
    HEADER
    + "Civic Center NE,34.1001,-117.3801,45,90,60,rtsp://10.0.0.1/a\n"
    + "Library door,34.1010,-117.3710,180,70,40,\n"
    + "Park west,34.1050,-117.3750,270,,,\n"
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def admin_client(logged_in_staff: Any) -> tuple[TenantClient, User]:
    return logged_in_staff(Role.DEPT_ADMIN)


def own_camera(admin: User, department: Department, label: str = "Civic Center", **fields: Any) -> Camera:
    values: dict[str, Any] = {"lat": 34.1001, "lon": -117.3801, "bearing_deg": 45, "fov_angle_deg": 90, "range_m": 60}
    values.update(fields)
    return department_camera_register(actor=admin, department=department, spec=CameraSpec(label=label, **values))


def form(**changes: Any) -> dict[str, Any]:
    data = {
        "label": "Main & 5th",
        "latitude": "34.1001",
        "longitude": "-117.3801",
        "bearing_deg": "45",
        "fov_angle_deg": "90",
        "range_m": "60",
        "address": "",
        "stream_url": SECRET_URL,
    }
    data.update(changes)
    return data


def upload(client: TenantClient, text: str | bytes, name: str = "cameras.csv", capture: Any = None) -> Any:
    body = text.encode() if isinstance(text, str) else text
    payload = {"file": SimpleUploadedFile(name, body)}
    if capture is None:
        return client.post("/console/department-cameras/imports/", payload)
    with capture(execute=True):
        return client.post("/console/department-cameras/imports/", payload)


# --- Register, edit, list, retire ---------------------------------------------------------------


def test_an_administrator_registers_a_camera_and_sees_its_stream_url(admin_client: Any, in_rialto: Department) -> None:
    client, _admin = admin_client

    response = client.post("/console/department-cameras/new/", form())

    record = DepartmentCamera.objects.select_related("camera__site", "camera__consent").get()
    page = client.get(f"/console/department-cameras/{record.camera.public_id}/").content.decode()
    assert response.status_code == 302
    assert (record.camera.label, record.stream_url, record.camera.site.department_owned) == (
        "Main & 5th",
        SECRET_URL,
        True,
    )
    assert record.camera.consent.level == "live"
    assert SECRET_URL in page


def test_the_stream_url_is_never_in_the_access_log_or_the_officer_s_camera_page(
    admin_client: Any, logged_in_staff: Any, in_rialto: Department, rialto_client: TenantClient
) -> None:
    client, _admin = admin_client
    client.post("/console/department-cameras/new/", form())
    camera = Camera.objects.get(label="Main & 5th")
    officer_client = TenantClient("rialto.localhost")
    officer_client, _ = logged_in_staff(Role.OFFICER, client=officer_client)
    officer_client.post(
        "/console/purpose/",
        {"case_number": "RPD-26-0042", "category": "property_crime", "text": "Package theft", "authority": "consent"},
    )

    page = officer_client.get(f"/console/cameras/{camera.public_id}/")

    logged = json.dumps(list(AccessEvent.objects.values()), default=str)
    assert page.status_code == 200
    assert "One of the department's own cameras" in page.content.decode()
    assert "s3cret" not in page.content.decode()
    assert "s3cret" not in logged


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"latitude": "34.10", "longitude": "-117.50"}, "outside"),
        ({"bearing_deg": "360"}, "359"),
        ({"stream_url": "ftp://x"}, "rtsp://"),
    ],
)
def test_a_bad_camera_is_refused_on_the_form_and_nothing_is_stored(
    admin_client: Any, changes: dict[str, str], message: str
) -> None:
    client, _ = admin_client

    response = client.post("/console/department-cameras/new/", form(**changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DepartmentCamera.objects.exists()


def test_the_list_filters_by_label_and_state(admin_client: Any, in_rialto: Department) -> None:
    client, admin = admin_client
    own_camera(admin, in_rialto, "Civic Center")
    own_camera(admin, in_rialto, "Library door")
    retired = own_camera(admin, in_rialto, "Old depot")
    client.post(f"/console/department-cameras/{retired.public_id}/retire/")

    active = client.get("/console/department-cameras/?q=civic").content.decode()
    gone = client.get("/console/department-cameras/?state=retired").content.decode()

    assert "Civic Center" in active
    assert "Library door" not in active
    assert "Old depot" in gone
    assert "Civic Center" not in gone


def test_editing_a_camera_changes_it_and_retiring_keeps_it(admin_client: Any, in_rialto: Department) -> None:
    client, admin = admin_client
    camera = own_camera(admin, in_rialto)

    edited = client.post(f"/console/department-cameras/{camera.public_id}/", form(label="Renamed", bearing_deg="90"))
    retired = client.post(f"/console/department-cameras/{camera.public_id}/retire/")

    camera = Camera.objects.select_related("consent", "department").get(pk=camera.pk)
    assert (edited.status_code, retired.status_code) == (302, 302)
    assert (camera.label, camera.bearing_deg, camera.status) == ("Renamed", 90, "paused")
    assert camera.department.retired_at is not None
    assert camera.consent.revoked_at is not None


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.OVERSIGHT])
@pytest.mark.parametrize("path", ["/console/department-cameras/", "/console/department-cameras/imports/"])
def test_another_role_gets_404_and_the_refusal_is_logged(logged_in_staff: Any, role: str, path: str) -> None:
    client, user = logged_in_staff(role)

    response = client.get(path)

    event = AccessEvent.objects.order_by("-seq").first()
    assert response.status_code == 404
    assert event is not None
    assert (event.action, event.actor_id, event.details) == ("console_denied", user.pk, {"path": path})


def test_a_resident_gets_404(in_rialto: Department, rialto_client: TenantClient) -> None:
    rialto_client.force_login(UserFactory(role=Role.RESIDENT))

    assert rialto_client.get("/console/department-cameras/").status_code == 404


def test_a_fontana_administrator_cannot_see_or_change_rialto_s_cameras(
    in_rialto: Department, fontana: Department, fontana_client: TenantClient
) -> None:
    rialto_admin = UserFactory(role=Role.DEPT_ADMIN)
    camera = own_camera(rialto_admin, in_rialto, stream_url=SECRET_URL)
    job = DepartmentCameraImport.objects.create(
        file_name="x.csv", file_format="csv", file_size=1, created_by=rialto_admin
    )
    with tenant_context(fontana):
        fontana_admin = UserFactory(role=Role.DEPT_ADMIN)
        secret = totp_enable(fontana_admin)
    login_with_mfa(fontana_client, fontana_admin.email, secret)

    answers = [
        fontana_client.get(f"/console/department-cameras/{camera.public_id}/").status_code,
        fontana_client.post(f"/console/department-cameras/{camera.public_id}/", form(label="Taken")).status_code,
        fontana_client.post(f"/console/department-cameras/{camera.public_id}/retire/").status_code,
        fontana_client.get(f"/console/department-cameras/imports/{job.public_id}/").status_code,
        fontana_client.get(f"/console/department-cameras/imports/{job.public_id}/status/").status_code,
        fontana_client.get(f"/console/department-cameras/{uuid.uuid4()}/").status_code,
    ]
    listing = fontana_client.get("/console/department-cameras/?state=").content.decode()

    camera = Camera.objects.select_related("department").get(pk=camera.pk)
    assert answers == [404] * 6
    assert "Civic Center" not in listing
    assert (camera.label, camera.department.retired_at) == ("Civic Center", None)


# --- Import ---------------------------------------------------------------------------------


def test_a_clean_csv_stores_every_camera(admin_client: Any, django_capture_on_commit_callbacks: Any) -> None:
    client, admin = admin_client

    response = upload(client, CLEAN, capture=django_capture_on_commit_callbacks)

    job = DepartmentCameraImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    stored = DepartmentCamera.objects.select_related("camera__consent").order_by("camera__label")
    assert (job.status, job.rows_total, job.rows_created) == ("done", 3, 3)
    assert [r.camera.label for r in stored] == ["Civic Center NE", "Library door", "Park west"]
    assert [(r.camera.fov_angle_deg, r.camera.range_m) for r in stored] == [(90, 60), (70, 40), (90, 50)]
    assert {r.camera.consent.level for r in stored} == {"live"}
    assert stored[0].stream_url == "rtsp://10.0.0.1/a"
    assert {r.registered_by_id for r in stored} == {admin.pk}
    assert "3 cameras stored." in page


def test_a_mobile_column_marks_body_worn_and_vehicle_cameras(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, _ = admin_client
    text = (
        "label,latitude,longitude,bearing,mobile\n"
        "Unit 12 body camera,34.1001,-117.3801,0,yes\n"
        "Patrol car 7,34.1010,-117.3710,0,TRUE\n"
        "Civic Center NE,34.1050,-117.3750,270,\n"
    )

    upload(client, text, capture=django_capture_on_commit_callbacks)

    stored = {r.camera.label: r.camera for r in DepartmentCamera.objects.select_related("camera")}
    assert {label: camera.mobile for label, camera in stored.items()} == {
        "Unit 12 body camera": True,
        "Patrol car 7": True,
        "Civic Center NE": False,
    }
    # Not searched until its bridge reports where it is.
    assert stored["Unit 12 body camera"].position_at is None


def test_a_mobile_value_that_is_not_yes_or_no_is_an_error_of_its_row(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, _ = admin_client
    text = "label,latitude,longitude,bearing,mobile\nDrone 1,34.1001,-117.3801,0,sometimes\n"

    response = upload(client, text, capture=django_capture_on_commit_callbacks)

    job = DepartmentCameraImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert not DepartmentCamera.objects.exists()
    assert [(e["row"], e["column"], e["problem"]) for e in job.errors] == [(2, "mobile", "not_yes_no")]
    assert "Write yes or no" in page


def test_the_form_registers_a_mobile_camera_and_the_edit_page_shows_it(
    admin_client: Any, in_rialto: Department
) -> None:
    client, _ = admin_client

    client.post("/console/department-cameras/new/", form(label="Drone 2", mobile="on"))

    record = DepartmentCamera.objects.select_related("camera").get()
    page = client.get(f"/console/department-cameras/{record.camera.public_id}/").content.decode()
    assert record.camera.mobile is True
    assert re.search(r'<input type="checkbox" name="mobile"[^>]*checked', page)


def test_one_bad_row_stores_nothing_and_the_page_lists_every_error(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, _ = admin_client
    text = (
        CLEAN
        + "Bad one,94.5,-117.3801,400,90,60,\n"  # line 5: latitude and bearing
        + "Far away,34.10,-117.50,10,90,60,\n"  # line 6: Fontana
        + "Library door,34.1011,-117.3711,10,90,60,\n"  # line 7: label of line 3
    )

    response = upload(client, text, capture=django_capture_on_commit_callbacks)

    job = DepartmentCameraImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert not DepartmentCamera.objects.exists()
    assert job.status == "rejected"
    assert {(e["row"], e["column"], e["problem"]) for e in job.errors} == {
        (5, "latitude", "latitude_range"),
        (5, "bearing", "bearing_range"),
        (6, "latitude", "outside"),
        (7, "label", "duplicate_label"),
    }
    assert "Latitude out of range" in page
    assert "The bearing must be a whole number of degrees from 0 to 359." in page
    assert "outside the department" in page
    assert "The same label as row 3" in page


def test_a_label_already_in_use_is_an_error_of_its_row(
    admin_client: Any, in_rialto: Department, django_capture_on_commit_callbacks: Any
) -> None:
    client, admin = admin_client
    own_camera(admin, in_rialto, "Park West")

    upload(client, CLEAN, capture=django_capture_on_commit_callbacks)

    job = DepartmentCameraImport.objects.get()
    assert job.errors == [{"row": 4, "column": "label", "problem": "label_in_use", "params": {}}]
    assert DepartmentCamera.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("label,latitude,longitude\nA,34.1,-117.38\n", "missing_column"),
        ("label,latitude,longitude,bearing\n", "empty"),
        (b"PK\x03\x04 a workbook", "encoding"),
        ('label,latitude,longitude,bearing\n"A,34.1,-117.38,10\n', "unreadable"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(
    admin_client: Any, django_capture_on_commit_callbacks: Any, text: str | bytes, problem: str
) -> None:
    client, _ = admin_client

    upload(client, text, capture=django_capture_on_commit_callbacks)

    job = DepartmentCameraImport.objects.get()
    assert job.status == "rejected"
    assert job.errors[0]["problem"] == problem
    assert not DepartmentCamera.objects.exists()


def test_a_cp1252_file_is_read(admin_client: Any, django_capture_on_commit_callbacks: Any) -> None:
    client, _ = admin_client

    upload(
        client,
        "label,latitude,longitude,bearing\nPlaza Peña,34.1,-117.38,10\n".encode("cp1252"),
        capture=django_capture_on_commit_callbacks,
    )

    assert Camera.objects.get(department__isnull=False).label == "Plaza Peña"


def test_a_geojson_file_is_imported(admin_client: Any, django_capture_on_commit_callbacks: Any) -> None:
    client, _ = admin_client
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-117.3801, 34.1001]},
                "properties": {"label": "Civic Center", "bearing": 45, "field_of_view": 80, "range": 70},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-117.3710, 34.1010]},
                "properties": {"name": "Library", "heading": 180, "stream_url": "https://cams.example/l.mjpg"},
            },
        ],
    }

    upload(client, json.dumps(document), name="cameras.geojson", capture=django_capture_on_commit_callbacks)

    stored = DepartmentCamera.objects.select_related("camera").order_by("camera__label")
    assert [(r.camera.label, r.camera.bearing_deg) for r in stored] == [("Civic Center", 45), ("Library", 180)]
    assert stored[1].stream_url == "https://cams.example/l.mjpg"


def test_a_geojson_feature_that_is_not_a_point_is_an_error_of_its_row(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, _ = admin_client
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-117.38, 34.10]},
                "properties": {"label": "A", "bearing": 1},
            },
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
                "properties": {"label": "B", "bearing": 1},
            },
        ],
    }

    upload(client, json.dumps(document), name="cameras.geojson", capture=django_capture_on_commit_callbacks)

    job = DepartmentCameraImport.objects.get()
    assert (job.status, [(e["row"], e["problem"]) for e in job.errors]) == ("rejected", [(2, "not_a_point")])
    assert not DepartmentCamera.objects.exists()


def test_too_many_rows_are_refused_whole(
    admin_client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, _ = admin_client
    settings.PORCHLIGHT_CAMERA_IMPORT_MAX_ROWS = 2

    upload(client, CLEAN, capture=django_capture_on_commit_callbacks)

    job = DepartmentCameraImport.objects.get()
    assert [e["problem"] for e in job.errors] == ["too_many_rows"]
    assert not DepartmentCamera.objects.exists()


def test_a_file_too_large_or_of_another_kind_is_refused_at_once(admin_client: Any, settings: Any) -> None:
    client, _ = admin_client
    settings.PORCHLIGHT_CAMERA_IMPORT_MAX_BYTES = 100

    large = upload(client, CLEAN * 5)
    settings.PORCHLIGHT_CAMERA_IMPORT_MAX_BYTES = 1024 * 1024
    workbook = upload(client, b"PK\x03\x04", name="cameras.xlsx")

    assert large.status_code in (400, 413)
    assert "at most 100" in large.content.decode()
    assert workbook.status_code == 400
    assert "Upload a CSV file" in workbook.content.decode()
    assert not DepartmentCameraImport.objects.exists()


def test_the_status_fragment_polls_while_queued_and_reloads_the_page_when_done(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, _ = admin_client
    queued = upload(client, CLEAN)  # the task is not run: the job stays queued
    job = DepartmentCameraImport.objects.get()

    waiting = client.get(f"/console/department-cameras/imports/{job.public_id}/status/", HTTP_HX_REQUEST="true")
    DepartmentCameraImport.objects.filter(pk=job.pk).update(status="done", rows_total=3, rows_created=3)
    done = client.get(f"/console/department-cameras/imports/{job.public_id}/status/", HTTP_HX_REQUEST="true")

    assert queued.status_code == 302
    assert 'hx-trigger="every 1s"' in waiting.content.decode()
    assert "<progress" in waiting.content.decode()
    assert "HX-Refresh" not in waiting
    assert done["HX-Refresh"] == "true"
