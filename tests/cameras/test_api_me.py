"""The owner's own-data API, /api/v1/me/...: sites, cameras and consent of the caller only."""

import datetime as dt
import json
import re
import time
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from accounts.services import api_token_issue
from cameras import selectors, services
from cameras.models import Camera
from tenants.models import Department, DepartmentPolicy
from tenants.selectors import policy_of
from tests.conftest import TenantClient
from tests.factories import (
    RIALTO_CONDITIONS,
    RIALTO_LAT,
    RIALTO_LON,
    UserFactory,
    bridge_online_make,
    camera_make,
    ordinance_make,
    site_make,
    totp_enable,
)


def _errors_of(response: Any, field: str) -> str:
    """The messages about ``field`` and its parts (``views[1]``, ``windows[0].start``), as one text."""
    fields = response.json()["fields"]
    return str([messages for name, messages in fields.items() if re.match(rf"{field}(\[|\.|$)", name)])


STAFF_ROLES = [Role.OFFICER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT]
OWNER_PATHS = [
    ("GET", "/api/v1/me/sites/"),
    ("POST", "/api/v1/me/sites/"),
    ("GET", "/api/v1/me/sites/{site}/"),
    ("PATCH", "/api/v1/me/sites/{site}/"),
    ("DELETE", "/api/v1/me/sites/{site}/"),
    ("POST", "/api/v1/me/sites/{site}/cameras/"),
    ("GET", "/api/v1/me/cameras/"),
    ("GET", "/api/v1/me/cameras/{camera}/"),
    ("PATCH", "/api/v1/me/cameras/{camera}/"),
    ("DELETE", "/api/v1/me/cameras/{camera}/"),
    ("GET", "/api/v1/me/cameras/{camera}/consent/"),
    ("PUT", "/api/v1/me/cameras/{camera}/consent/"),
    ("POST", "/api/v1/me/cameras/{camera}/consent/revoke/"),
]
OBJECT_REQUESTS = [
    ("GET", "/api/v1/me/sites/{site}/", None),
    ("PATCH", "/api/v1/me/sites/{site}/", {"name": "Mine now"}),
    ("DELETE", "/api/v1/me/sites/{site}/", None),
    ("POST", "/api/v1/me/sites/{site}/cameras/", {"label": "Planted"}),
    ("GET", "/api/v1/me/cameras/{camera}/", None),
    ("PATCH", "/api/v1/me/cameras/{camera}/", {"label": "Mine now"}),
    ("DELETE", "/api/v1/me/cameras/{camera}/", None),
    ("GET", "/api/v1/me/cameras/{camera}/consent/", None),
    ("PUT", "/api/v1/me/cameras/{camera}/consent/", {"level": "live"}),
    ("POST", "/api/v1/me/cameras/{camera}/consent/revoke/", None),
]
FONTANA_LON, FONTANA_LAT = -117.47, 34.10
LOS_ANGELES_LON, LOS_ANGELES_LAT = -118.24, 34.05
# Consent may end at most ten years ahead; fixed dates in tests stay inside that.
NEXT_YEAR = dt.datetime.now(dt.UTC).date().year + 1


def call(client: TenantClient, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    payload = "" if body is None else json.dumps(body)
    return client.generic(method, path, payload, content_type="application/json", **extra)


def site_body(**overrides: Any) -> dict[str, Any]:
    return {"address": "246 S Willow Ave", "latitude": RIALTO_LAT, "longitude": RIALTO_LON, **overrides}


def grant_snapshot(owner: User, camera: Camera) -> tuple[Any, ...]:
    grant = selectors.camera_of_owner(owner=owner, public_id=camera.public_id).consent
    return (
        grant.level,
        grant.windows,
        grant.expires_at,
        grant.max_live_minutes,
        grant.notify_on_access,
        grant.granted_at,
        grant.revoked_at,
    )


def camera_snapshot(owner: User) -> list[tuple[Any, ...]]:
    return [
        (c.public_id, c.label, c.bearing_deg, c.fov_angle_deg, c.range_m, c.retention_days, c.fov.wkt)
        for c in selectors.cameras_of_owner(owner=owner)
    ]


@pytest.fixture
def owner(in_rialto: Department) -> User:
    return UserFactory(role=Role.RESIDENT)


@pytest.fixture
def api(rialto_client: TenantClient, owner: User) -> TenantClient:
    """The owner's logged-in session on Rialto's host (owners need no MFA)."""
    rialto_client.force_login(owner)
    return rialto_client


@pytest.fixture
def stranger(in_rialto: Department) -> User:
    """Another Rialto resident, with a camera on a site of their own."""
    user = UserFactory(role=Role.RESIDENT)
    camera_make(user, in_rialto, site=site_make(user, in_rialto, name="Stranger's home"), label="Stranger's door")
    return user


# --- Who may call -----------------------------------------------------------------------


@pytest.mark.parametrize(("method", "template", "body"), OBJECT_REQUESTS)
def test_another_owners_site_or_camera_is_not_found_and_untouched(
    api: TenantClient, stranger: User, method: str, template: str, body: Any
) -> None:
    camera = selectors.cameras_of_owner(owner=stranger).get()
    sites_before = [(s.public_id, s.name) for s in selectors.sites_of_owner(owner=stranger)]
    cameras_before = camera_snapshot(stranger)
    grant_before = grant_snapshot(stranger, camera)

    response = call(api, method, template.format(site=camera.site.public_id, camera=camera.public_id), body)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert [(s.public_id, s.name) for s in selectors.sites_of_owner(owner=stranger)] == sites_before
    assert camera_snapshot(stranger) == cameras_before
    assert grant_snapshot(stranger, camera) == grant_before


@pytest.mark.parametrize(("method", "template", "body"), OBJECT_REQUESTS)
def test_a_missing_id_looks_exactly_like_another_owners(
    api: TenantClient, method: str, template: str, body: Any
) -> None:
    path = template.format(site=uuid.uuid4(), camera=uuid.uuid4())

    response = call(api, method, path, body)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_rialto_token_is_unknown_on_fontanas_host(
    owner: User, in_rialto: Department, fontana_client: TenantClient
) -> None:
    camera = camera_make(owner, in_rialto)
    token = api_token_issue(user=owner, name="cli").raw

    response = fontana_client.get(f"/api/v1/me/cameras/{camera.public_id}/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 401


def test_a_rialto_session_is_unknown_on_fontanas_host(
    api: TenantClient, owner: User, in_rialto: Department, fontana_client: TenantClient
) -> None:
    camera = camera_make(owner, in_rialto)
    fontana_client.cookies = api.cookies

    response = fontana_client.get(f"/api/v1/me/cameras/{camera.public_id}/")

    assert response.status_code == 401


def test_a_fontana_owner_cannot_reach_a_rialto_camera(
    owner: User, in_rialto: Department, fontana: Department, fontana_client: TenantClient
) -> None:
    camera = camera_make(owner, in_rialto)
    with tenant_context(fontana):
        fontana_owner = UserFactory(role=Role.RESIDENT)
        fontana_client.force_login(fontana_owner)

    response = fontana_client.get(f"/api/v1/me/cameras/{camera.public_id}/consent/")

    assert response.status_code == 404


@pytest.mark.parametrize(("method", "template"), OWNER_PATHS)
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_and_oversight_with_a_token_are_forbidden(
    in_rialto: Department, rialto_client: TenantClient, stranger: User, role: str, method: str, template: str
) -> None:
    staff = UserFactory(role=role)
    totp_enable(staff)
    token = api_token_issue(user=staff, name="cli").raw
    camera = selectors.cameras_of_owner(owner=stranger).get()
    path = template.format(site=camera.site.public_id, camera=camera.public_id)

    response = call(rialto_client, method, path, {}, HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have access to this resource.", "code": "permission_denied"}


def test_staff_with_a_two_factor_session_are_forbidden(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.SUPERVISOR)

    response = client.get("/api/v1/me/cameras/")

    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have access to this resource.", "code": "permission_denied"}


@pytest.mark.parametrize(("method", "template"), OWNER_PATHS)
def test_anonymous_callers_must_authenticate(
    rialto_client: TenantClient, stranger: User, method: str, template: str
) -> None:
    camera = selectors.cameras_of_owner(owner=stranger).get()
    path = template.format(site=camera.site.public_id, camera=camera.public_id)

    response = call(rialto_client, method, path, {})

    assert response.status_code == 401


def test_owner_api_works_with_an_api_token(in_rialto: Department, rialto_client: TenantClient) -> None:
    business = UserFactory(role=Role.BUSINESS)
    camera = camera_make(business, in_rialto)
    token = api_token_issue(user=business, name="cli").raw

    response = rialto_client.get("/api/v1/me/cameras/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [str(camera.public_id)]


# --- Sites ----------------------------------------------------------------------------------


def test_owner_registers_a_site(api: TenantClient, owner: User) -> None:
    body = site_body(name="Home", kind="residential", share_contact=True, police_notes="Dog in the yard")

    response = call(api, "POST", "/api/v1/me/sites/", body)

    site = selectors.sites_of_owner(owner=owner).get()
    assert response.status_code == 201
    assert response.json()["id"] == str(site.public_id)
    assert response.json()["latitude"] == pytest.approx(RIALTO_LAT)
    assert response.json()["longitude"] == pytest.approx(RIALTO_LON)
    assert response.json()["cameras"] == []
    assert (site.name, site.address, site.share_contact) == ("Home", "246 S Willow Ave", True)


def test_business_registers_a_site_with_business_details(in_rialto: Department, rialto_client: TenantClient) -> None:
    business = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(business)
    body = site_body(
        kind="business",
        business_name="Palm Ave Market",
        parcel_number="0128-123-45",
        permit_number="B-2024-17",
        property_type="retail",
        constructed_on="2021-05-01",
    )

    response = call(rialto_client, "POST", "/api/v1/me/sites/", body)

    site = selectors.sites_of_owner(owner=business).get()
    assert response.status_code == 201
    assert response.json()["business_name"] == "Palm Ave Market"
    assert (site.kind, site.permit_number, site.constructed_on) == ("business", "B-2024-17", dt.date(2021, 5, 1))


def test_owner_lists_only_their_own_sites(
    api: TenantClient, owner: User, in_rialto: Department, stranger: User
) -> None:
    site = site_make(owner, in_rialto, name="Home")
    camera = camera_make(owner, in_rialto, site=site)

    response = api.get("/api/v1/me/sites/")

    assert response.status_code == 200
    assert [(s["id"], s["name"], s["cameras"]) for s in response.json()] == [
        (str(site.public_id), "Home", [str(camera.public_id)])
    ]


def test_owner_reads_one_site(api: TenantClient, owner: User, in_rialto: Department) -> None:
    site = site_make(owner, in_rialto, name="Home")

    response = api.get(f"/api/v1/me/sites/{site.public_id}/")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["name"]) == (str(site.public_id), "Home")


def test_moving_a_site_moves_its_cameras(api: TenantClient, owner: User, in_rialto: Department) -> None:
    camera = camera_make(owner, in_rialto)

    response = call(
        api,
        "PATCH",
        f"/api/v1/me/sites/{camera.site.public_id}/",
        {"name": "New home", "latitude": 34.12, "longitude": -117.37},
    )

    moved = selectors.camera_of_owner(owner=owner, public_id=camera.public_id)
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["latitude"]) == ("New home", pytest.approx(34.12))
    assert (moved.site.name, moved.location.x, moved.location.y) == ("New home", -117.37, 34.12)
    assert moved.fov.wkt != camera.fov.wkt


def test_patching_a_site_keeps_fields_not_sent(api: TenantClient, owner: User, in_rialto: Department) -> None:
    site = site_make(owner, in_rialto, name="Home", police_notes="Gate code 1234")

    response = call(api, "PATCH", f"/api/v1/me/sites/{site.public_id}/", {"share_contact": True})

    site = selectors.site_of_owner(owner=owner, public_id=site.public_id)
    assert response.status_code == 200
    assert (site.name, site.police_notes, site.share_contact) == ("Home", "Gate code 1234", True)
    assert (site.location.x, site.location.y) == (RIALTO_LON, RIALTO_LAT)


def test_owner_deletes_a_site_with_its_cameras(api: TenantClient, owner: User, in_rialto: Department) -> None:
    camera = camera_make(owner, in_rialto)

    response = call(api, "DELETE", f"/api/v1/me/sites/{camera.site.public_id}/")

    assert response.status_code == 204
    assert not selectors.sites_of_owner(owner=owner).exists()
    assert not selectors.cameras_of_owner(owner=owner).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"latitude": 91}, "latitude", "less than or equal to 90"),
        ({"latitude": -90.5}, "latitude", "greater than or equal to -90"),
        ({"longitude": 181}, "longitude", "less than or equal to 180"),
        ({"longitude": "east"}, "longitude", "A valid number is required"),
        ({"latitude": None}, "latitude", "may not be null"),
        ({"address": ""}, "address", "may not be blank"),
        ({"kind": "castle"}, "kind", "not a valid choice"),
        ({"constructed_on": "last year"}, "constructed_on", "wrong format"),
        ({"police_notes": "x" * 1001}, "police_notes", "no more than 1000 characters"),
        (
            {"latitude": LOS_ANGELES_LAT, "longitude": LOS_ANGELES_LON},
            "location",
            "outside Rialto Police Department, and no Porchlight department covers it yet",
        ),
    ],
)
def test_bad_site_is_refused_on_its_field_and_nothing_is_saved(
    api: TenantClient, owner: User, overrides: dict[str, Any], field: str, message: str
) -> None:
    response = call(api, "POST", "/api/v1/me/sites/", site_body(**overrides))

    assert response.status_code == 400
    assert message in _errors_of(response, field)
    assert "other_department" not in response.json()
    assert not selectors.sites_of_owner(owner=owner).exists()


def test_site_in_fontana_names_fontanas_portal(api: TenantClient, owner: User) -> None:
    body = site_body(latitude=FONTANA_LAT, longitude=FONTANA_LON)

    response = call(api, "POST", "/api/v1/me/sites/", body)

    assert response.status_code == 400
    assert "Fontana Police Department" in response.json()["fields"]["location"][0]
    assert response.json()["other_department"]["name"] == "Fontana Police Department"
    assert response.json()["other_department"]["url"].startswith("http://fontana.localhost")
    assert not selectors.sites_of_owner(owner=owner).exists()


def test_moving_a_site_into_fontana_is_refused_and_nothing_moves(
    api: TenantClient, owner: User, in_rialto: Department
) -> None:
    camera = camera_make(owner, in_rialto)
    body = {"name": "Renamed", "latitude": FONTANA_LAT, "longitude": FONTANA_LON}

    response = call(api, "PATCH", f"/api/v1/me/sites/{camera.site.public_id}/", body)

    unchanged = selectors.camera_of_owner(owner=owner, public_id=camera.public_id)
    assert response.status_code == 400
    assert response.json()["other_department"]["name"] == "Fontana Police Department"
    assert (unchanged.site.name, unchanged.site.location.x, unchanged.site.location.y) == (
        "",
        RIALTO_LON,
        RIALTO_LAT,
    )
    assert unchanged.fov.wkt == camera.fov.wkt


@pytest.mark.parametrize(("sent", "missing"), [("latitude", "longitude"), ("longitude", "latitude")])
def test_a_lone_coordinate_is_refused(
    api: TenantClient, owner: User, in_rialto: Department, sent: str, missing: str
) -> None:
    site = site_make(owner, in_rialto)

    response = call(api, "PATCH", f"/api/v1/me/sites/{site.public_id}/", {sent: 34.12})

    assert response.status_code == 400
    assert "together" in response.json()["fields"][missing][0]


# --- Cameras --------------------------------------------------------------------------------


def test_owner_adds_a_camera_to_a_site(api: TenantClient, owner: User, in_rialto: Department) -> None:
    site = site_make(owner, in_rialto)
    body = {
        "label": "Driveway",
        "camera_type": "fixed",
        "bearing_deg": 90,
        "fov_angle_deg": 110,
        "range_m": 30,
        "views": ["driveway", "street"],
        "mount_height_m": "2.5",
        "retention_days": 30,
    }

    response = call(api, "POST", f"/api/v1/me/sites/{site.public_id}/cameras/", body)

    camera = selectors.cameras_of_owner(owner=owner).get()
    assert response.status_code == 201
    assert response.json()["id"] == str(camera.public_id)
    assert response.json()["site"] == str(site.public_id)
    assert response.json()["consent_level"] == "registered"
    assert response.json()["fov"]["type"] == "Polygon"
    assert response.json()["mount_height_m"] == 2.5
    assert (camera.label, camera.bearing_deg, camera.views) == ("Driveway", 90, ["driveway", "street"])


def test_owner_lists_their_cameras_with_fov_and_consent(
    api: TenantClient, owner: User, in_rialto: Department, stranger: User
) -> None:
    camera = camera_make(owner, in_rialto, label="Porch", bearing_deg=45)

    response = api.get("/api/v1/me/cameras/")

    body = response.json()
    assert response.status_code == 200
    assert [(c["id"], c["site"], c["label"], c["consent_level"]) for c in body] == [
        (str(camera.public_id), str(camera.site.public_id), "Porch", "registered")
    ]
    assert body[0]["fov"] == json.loads(camera.fov.geojson)


@pytest.mark.parametrize("path", ["/api/v1/me/cameras/", "/api/v1/me/sites/"])
def test_list_queries_do_not_grow_with_the_number_of_cameras(
    api: TenantClient, owner: User, in_rialto: Department, path: str
) -> None:
    camera_make(owner, in_rialto)
    api.get(path)
    with CaptureQueriesContext(connection) as one:
        api.get(path)
    camera_make(owner, in_rialto)
    camera_make(owner, in_rialto, site=selectors.sites_of_owner(owner=owner).first())

    with CaptureQueriesContext(connection) as three:
        response = api.get(path)

    assert response.status_code == 200
    assert len(three) == len(one)


def test_owner_updates_a_camera_and_its_view_turns(api: TenantClient, owner: User, in_rialto: Department) -> None:
    camera = camera_make(owner, in_rialto, bearing_deg=0)

    response = call(api, "PATCH", f"/api/v1/me/cameras/{camera.public_id}/", {"bearing_deg": 180, "audio": True})

    updated = selectors.camera_of_owner(owner=owner, public_id=camera.public_id)
    assert response.status_code == 200
    assert (response.json()["bearing_deg"], response.json()["audio"]) == (180, True)
    assert (updated.bearing_deg, updated.label, updated.audio) == (180, "Front door", True)
    assert updated.fov.centroid.y < camera.fov.centroid.y


def test_owner_deletes_a_camera(api: TenantClient, owner: User, in_rialto: Department) -> None:
    camera = camera_make(owner, in_rialto)

    response = call(api, "DELETE", f"/api/v1/me/cameras/{camera.public_id}/")

    assert response.status_code == 204
    assert not selectors.cameras_of_owner(owner=owner).exists()
    assert selectors.sites_of_owner(owner=owner).exists()


BAD_CAMERA_FIELDS = [
    ({"bearing_deg": 400}, "bearing_deg", "less than or equal to 359"),
    ({"bearing_deg": -1}, "bearing_deg", "greater than or equal to 0"),
    ({"fov_angle_deg": 0}, "fov_angle_deg", "greater than or equal to 1"),
    ({"fov_angle_deg": 361}, "fov_angle_deg", "less than or equal to 360"),
    ({"range_m": 0}, "range_m", "greater than or equal to 1"),
    ({"retention_days": -7}, "retention_days", "greater than or equal to 0"),
    ({"mount_height_m": "150"}, "mount_height_m", "less than or equal to 100"),
    ({"frame_rate": 500}, "frame_rate", "less than or equal to 120"),
    ({"views": ["roof"]}, "views", "not a valid choice"),
    ({"camera_type": "spy"}, "camera_type", "not a valid choice"),
    ({"bearing_deg": None}, "bearing_deg", "may not be null"),
    ({"label": ""}, "label", "may not be blank"),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_CAMERA_FIELDS)
def test_bad_new_camera_is_refused_on_its_field_and_nothing_is_saved(
    api: TenantClient, owner: User, in_rialto: Department, fields: dict[str, Any], field: str, message: str
) -> None:
    site = site_make(owner, in_rialto)

    response = call(api, "POST", f"/api/v1/me/sites/{site.public_id}/cameras/", {"label": "Porch", **fields})

    assert response.status_code == 400
    assert message in _errors_of(response, field)
    assert not selectors.cameras_of_owner(owner=owner).exists()


@pytest.mark.parametrize(("fields", "field", "message"), BAD_CAMERA_FIELDS)
def test_bad_camera_change_is_refused_on_its_field_and_nothing_changes(
    api: TenantClient, owner: User, in_rialto: Department, fields: dict[str, Any], field: str, message: str
) -> None:
    camera = camera_make(owner, in_rialto)
    before = camera_snapshot(owner)

    response = call(api, "PATCH", f"/api/v1/me/cameras/{camera.public_id}/", {"label": "Renamed", **fields})

    assert response.status_code == 400
    assert message in _errors_of(response, field)
    assert camera_snapshot(owner) == before


HUGE = 10**400


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("bearing_deg", HUGE, "less than or equal to 359", id="bearing-huge"),
        pytest.param("bearing_deg", -HUGE, "greater than or equal to 0", id="bearing-negative"),
        pytest.param("fov_angle_deg", HUGE, "less than or equal to 360", id="fov-huge"),
        pytest.param("fov_angle_deg", -HUGE, "greater than or equal to 1", id="fov-negative"),
        pytest.param("range_m", HUGE, "less than or equal to 500", id="range-huge"),
        pytest.param("range_m", -HUGE, "greater than or equal to 1", id="range-negative"),
        pytest.param("frame_rate", HUGE, "less than or equal to 120", id="frame-rate-huge"),
        pytest.param("retention_days", HUGE, "less than or equal to 3650", id="retention-huge"),
    ],
)
def test_a_huge_number_for_a_new_camera_is_a_400_on_its_field(
    api: TenantClient, owner: User, in_rialto: Department, field: str, value: int, message: str
) -> None:
    site = site_make(owner, in_rialto)

    response = call(api, "POST", f"/api/v1/me/sites/{site.public_id}/cameras/", {"label": "Porch", field: value})

    assert response.status_code == 400
    assert message in _errors_of(response, field)
    assert not selectors.cameras_of_owner(owner=owner).exists()


@pytest.mark.parametrize("field", ["bearing_deg", "fov_angle_deg", "range_m"])
def test_a_huge_number_for_a_camera_change_is_a_400_and_nothing_changes(
    api: TenantClient, owner: User, in_rialto: Department, field: str
) -> None:
    camera = camera_make(owner, in_rialto)
    before = camera_snapshot(owner)

    response = call(api, "PATCH", f"/api/v1/me/cameras/{camera.public_id}/", {"label": "Renamed", field: HUGE})

    assert response.status_code == 400
    assert "less than or equal to" in _errors_of(response, field)
    assert camera_snapshot(owner) == before


# --- Consent --------------------------------------------------------------------------------


def test_consent_put_round_trip(api: TenantClient, owner: User, in_rialto: Department) -> None:
    camera = camera_make(owner, in_rialto)
    body = {
        "level": "live",
        "windows": [
            {"day": 0, "start": "08:00", "end": "18:00", "next_day": False},
            {"day": 4, "start": "22:00", "end": "06:00", "next_day": True},
        ],
        "expires_at": f"{NEXT_YEAR}-01-01T12:00:00-08:00",
        "max_live_minutes": 10,
        "notify_on_access": True,
    }

    put = call(api, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", body)
    got = api.get(f"/api/v1/me/cameras/{camera.public_id}/consent/")

    assert put.status_code == 200
    assert got.status_code == 200
    assert got.json() == put.json()
    assert {k: got.json()[k] for k in body} == body
    assert got.json()["revoked_at"] is None
    assert "watch live" in got.json()["sentence"]
    assert api.get("/api/v1/me/cameras/").json()[0]["consent_level"] == "live"


def test_consent_expiry_without_offset_is_the_departments_wall_clock(
    api: TenantClient, owner: User, in_rialto: Department
) -> None:
    camera = camera_make(owner, in_rialto)

    response = call(
        api,
        "PUT",
        f"/api/v1/me/cameras/{camera.public_id}/consent/",
        {"level": "on_request", "expires_at": f"{NEXT_YEAR}-07-04T17:00"},
    )

    grant = selectors.camera_of_owner(owner=owner, public_id=camera.public_id).consent
    assert response.status_code == 200
    assert response.json()["expires_at"] == f"{NEXT_YEAR}-07-04T17:00:00-07:00"
    assert grant.expires_at == dt.datetime(NEXT_YEAR, 7, 4, 17, tzinfo=ZoneInfo(in_rialto.time_zone))


def test_put_replaces_the_whole_consent(api: TenantClient, owner: User, in_rialto: Department) -> None:
    camera = camera_make(owner, in_rialto)
    services.consent_set(
        owner=owner,
        camera=camera,
        policy=DepartmentPolicy.objects.get(department=in_rialto),
        level="live",
        windows=[{"day": 1, "start": "09:00", "end": "10:00"}],
        max_live_minutes=5,
        notify_on_access=True,
    )

    response = call(api, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "registered"})

    assert response.status_code == 200
    assert grant_snapshot(owner, camera)[:5] == ("registered", [], None, None, False)


def test_owner_revokes_consent_and_setting_it_again_restores_it(
    api: TenantClient, owner: User, in_rialto: Department
) -> None:
    camera = camera_make(owner, in_rialto)
    call(api, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "on_request"})

    revoked = call(api, "POST", f"/api/v1/me/cameras/{camera.public_id}/consent/revoke/")
    restored = call(api, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "on_request"})

    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert "withdrew consent" in revoked.json()["sentence"]
    assert restored.json()["revoked_at"] is None
    assert grant_snapshot(owner, camera)[6] is None


BAD_CONSENT = [
    ({"level": "forever"}, "level", "not a valid choice"),
    ({"windows": [{"day": 0, "start": "10:00", "end": "09:00"}]}, "windows", "ends before it starts"),
    (
        {"windows": [{"day": 2, "start": "08:00", "end": "12:00"}, {"day": 2, "start": "11:00", "end": "13:00"}]},
        "windows",
        "overlaps",
    ),
    (
        {
            "windows": [
                {"day": 6, "start": "22:00", "end": "02:00", "next_day": True},
                {"day": 0, "start": "01:00", "end": "03:00"},
            ]
        },
        "windows",
        "overlaps",
    ),
    (
        {"windows": [{"day": 7, "start": "08:00", "end": "09:00"}]},
        "windows",
        "the day must be 0 (Monday) to 6 (Sunday)",
    ),
    ({"windows": [{"day": 1, "start": "9am", "end": "10:00"}]}, "windows", "Time has wrong format"),
    ({"windows": [{"day": 1, "end": "10:00"}]}, "windows", "This field is required"),
    ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at", "must be in the future"),
    ({"expires_at": "soon"}, "expires_at", "Datetime has wrong format"),
    ({"expires_at": "9999-12-31T23:59:59"}, "expires_at", "Datetime value out of range"),
    ({"expires_at": "9999-12-31T23:59:59-08:00"}, "expires_at", "Datetime value out of range"),
    ({"expires_at": "9999-12-31T00:00:00Z"}, "expires_at", "at most 10 years ahead"),
    ({"expires_at": f"{NEXT_YEAR + 10}-12-31T00:00:00Z"}, "expires_at", "at most 10 years ahead"),
    ({"windows": [{"day": 1, "start": "10:00:30", "end": "10:00:50"}]}, "windows", "Time has wrong format"),
    (
        {"windows": [{"day": i % 7, "start": f"{i // 7:02d}:00", "end": f"{i // 7:02d}:30"} for i in range(15)]},
        "windows",
        "at most 14 schedule windows",
    ),
    ({"max_live_minutes": 0}, "max_live_minutes", "between 1 and 15"),
    ({"max_live_minutes": 16}, "max_live_minutes", "between 1 and 15"),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_CONSENT)
def test_bad_consent_is_refused_on_its_field_and_consent_is_unchanged(
    api: TenantClient, owner: User, in_rialto: Department, fields: dict[str, Any], field: str, message: str
) -> None:
    camera = camera_make(owner, in_rialto)
    services.consent_set(
        owner=owner,
        camera=camera,
        policy=DepartmentPolicy.objects.get(department=in_rialto),
        level="on_request",
        expires_at=timezone.now() + dt.timedelta(days=30),
        notify_on_access=True,
    )
    before = grant_snapshot(owner, camera)

    response = call(api, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "live", **fields})

    assert response.status_code == 400
    assert message in _errors_of(response, field)
    assert grant_snapshot(owner, camera) == before


def test_live_minutes_above_the_departments_limit_name_the_limit(
    api: TenantClient, owner: User, in_rialto: Department
) -> None:
    camera = camera_make(owner, in_rialto)
    limit = DepartmentPolicy.objects.get(department=in_rialto).live_view_limit_minutes
    before = grant_snapshot(owner, camera)

    response = call(
        api, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "live", "max_live_minutes": limit + 1}
    )

    assert response.status_code == 400
    assert response.json()["fields"]["max_live_minutes"] == [
        f"Choose between 1 and {limit} minutes: the department never allows more."
    ]
    assert grant_snapshot(owner, camera) == before


def test_fifteen_hundred_windows_are_refused_quickly_and_not_stored(
    api: TenantClient, owner: User, in_rialto: Department
) -> None:
    camera = camera_make(owner, in_rialto)
    windows = [
        {
            "day": i % 7,
            "start": f"{(i // 7) // 12:02d}:{(i // 7) % 12 * 5:02d}",
            "end": f"{(i // 7) // 12:02d}:{(i // 7) % 12 * 5 + 4:02d}",
        }
        for i in range(1500)
    ]
    before = grant_snapshot(owner, camera)

    started = time.monotonic()
    response = call(
        api, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "live", "windows": windows}
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 400
    assert "at most 14 schedule windows" in str(response.json()["fields"]["windows"])
    assert grant_snapshot(owner, camera) == before
    assert elapsed < 1.0


# --- The ordinance in the API ----------------------------------------------------------------


@pytest.fixture
def ordinance(in_rialto: Department) -> DepartmentPolicy:
    # New or remodelled businesses (from 2024) must allow live view, with a connected bridge.
    policy = policy_of(department=in_rialto)
    ordinance_make(policy, RIALTO_CONDITIONS, name="Test ordinance", citation="", built_after=dt.date(2024, 1, 1))
    return policy


@pytest.fixture
def business_api(rialto_client: TenantClient, in_rialto: Department) -> tuple[TenantClient, User, Camera]:
    business = UserFactory(role=Role.BUSINESS)
    site = site_make(business, in_rialto, kind="business", constructed_on=dt.date(2025, 3, 1))
    camera = camera_make(business, in_rialto, site=site)
    rialto_client.force_login(business)
    return rialto_client, business, camera


def test_lowering_consent_under_the_ordinance_says_so_in_the_consent_output(
    ordinance: DepartmentPolicy, business_api: tuple[TenantClient, User, Camera]
) -> None:
    client, _, camera = business_api
    call(client, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "live"})

    lowered = call(client, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "on_request"})
    got = client.get(f"/api/v1/me/cameras/{camera.public_id}/consent/")

    assert lowered.status_code == 200
    assert lowered.json()["level"] == "on_request"
    assert lowered.json()["ordinance"]["subject"] is True
    assert lowered.json()["ordinance"]["compliant"] is False
    assert "Not compliant" in lowered.json()["ordinance"]["message"]
    assert got.json()["ordinance"] == lowered.json()["ordinance"]


def test_consent_meeting_the_ordinance_is_reported_compliant(
    ordinance: DepartmentPolicy, business_api: tuple[TenantClient, User, Camera]
) -> None:
    client, _, camera = business_api

    response = call(client, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "live"})

    assert response.json()["ordinance"]["subject"] is True
    assert response.json()["ordinance"]["compliant"] is False  # live consent, but no bridge: no live view
    assert [u["code"] for u in response.json()["ordinance"]["unmet"]] == ["live_connection"]


def test_consent_meeting_the_ordinance_with_a_connected_bridge_is_reported_compliant(
    ordinance: DepartmentPolicy, business_api: tuple[TenantClient, User, Camera]
) -> None:
    client, business, camera = business_api
    bridge_online_make(business, camera.site, [camera])

    response = call(client, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "live"})

    assert response.json()["ordinance"] == {
        "subject": True,
        "compliant": True,
        "status": "compliant",
        "message": "Meets the ordinance.",
        "unmet": [],
        "ordinances": [{"name": "Test ordinance", "citation": "", "status": "compliant"}],
    }


def test_the_site_output_names_each_unmet_requirement_with_its_code_and_sentence(
    ordinance: DepartmentPolicy, business_api: tuple[TenantClient, User, Camera]
) -> None:
    client, _, camera = business_api

    body = client.get(f"/api/v1/me/sites/{camera.site.public_id}/").json()["ordinance"]

    assert (body["status"], body["compliant"]) == ("not_compliant", False)
    assert {u["code"] for u in body["unmet"]} >= {"consent"}
    assert all(u["sentence"] and u["severity"] in ("due", "fail") for u in body["unmet"])
    assert all(u["ordinance"] == "Test ordinance" for u in body["unmet"])
    assert body["message"].startswith("Not compliant:")


def test_the_site_list_judges_every_site_in_as_many_queries_as_one(
    ordinance: DepartmentPolicy, business_api: tuple[TenantClient, User, Camera], in_rialto: Department
) -> None:
    client, business, _camera = business_api
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/me/sites/")
    for _ in range(3):
        camera_make(business, in_rialto, site=site_make(business, in_rialto, kind="business"))

    with CaptureQueriesContext(connection) as four:
        listed = client.get("/api/v1/me/sites/")

    assert len(listed.json()) == 4
    assert all(site["ordinance"]["status"] == "not_compliant" for site in listed.json())
    assert len(four) == len(one)


def test_revoking_consent_under_the_ordinance_says_so(
    ordinance: DepartmentPolicy, business_api: tuple[TenantClient, User, Camera]
) -> None:
    client, _, camera = business_api
    call(client, "PUT", f"/api/v1/me/cameras/{camera.public_id}/consent/", {"level": "live"})

    response = call(client, "POST", f"/api/v1/me/cameras/{camera.public_id}/consent/revoke/")

    assert (response.json()["ordinance"]["subject"], response.json()["ordinance"]["compliant"]) == (True, False)


def test_the_site_output_carries_the_ordinance_status(
    ordinance: DepartmentPolicy, business_api: tuple[TenantClient, User, Camera]
) -> None:
    client, _, camera = business_api

    one = client.get(f"/api/v1/me/sites/{camera.site.public_id}/")
    listed = client.get("/api/v1/me/sites/")
    blanked = call(client, "PATCH", f"/api/v1/me/sites/{camera.site.public_id}/", {"constructed_on": None})

    assert (one.json()["ordinance"]["subject"], one.json()["ordinance"]["compliant"]) == (True, False)
    assert listed.json()[0]["ordinance"] == one.json()["ordinance"]
    assert blanked.json()["ordinance"]["subject"] is True
    assert blanked.json()["ordinance"]["compliant"] is False
    assert "construction" in blanked.json()["ordinance"]["message"]


def test_without_an_ordinance_the_ordinance_field_is_null(
    api: TenantClient, owner: User, in_rialto: Department
) -> None:
    camera = camera_make(owner, in_rialto)

    consent = api.get(f"/api/v1/me/cameras/{camera.public_id}/consent/")
    site = api.get(f"/api/v1/me/sites/{camera.site.public_id}/")

    assert consent.json()["ordinance"] is None
    assert site.json()["ordinance"] is None


# --- Documentation --------------------------------------------------------------------------


def test_openapi_schema_documents_the_owner_api(rialto_client: TenantClient) -> None:
    response = rialto_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = response.json()["paths"]
    assert response.status_code == 200
    assert set(paths["/api/v1/me/sites/"]) == {"get", "post"}
    assert set(paths["/api/v1/me/sites/{public_id}/"]) == {"get", "patch", "delete"}
    assert set(paths["/api/v1/me/sites/{public_id}/cameras/"]) == {"post"}
    assert set(paths["/api/v1/me/cameras/"]) == {"get"}
    assert set(paths["/api/v1/me/cameras/{public_id}/"]) == {"get", "patch", "delete"}
    assert set(paths["/api/v1/me/cameras/{public_id}/consent/"]) == {"get", "put"}
    assert set(paths["/api/v1/me/cameras/{public_id}/consent/revoke/"]) == {"post"}


def test_openapi_schema_documents_the_ordinance_status(rialto_client: TenantClient) -> None:
    response = rialto_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schemas = response.json()["components"]["schemas"]
    for output in ("ConsentOutput", "SiteOutput"):
        ordinance = schemas[output]["properties"]["ordinance"]
        assert ordinance["allOf"] == [{"$ref": "#/components/schemas/OrdinanceOutput"}]
        assert ordinance["nullable"] is True
        assert "ordinance" in schemas[output]["required"]
    fields = {"subject", "compliant", "status", "message", "unmet", "ordinances"}
    assert set(schemas["OrdinanceOutput"]["properties"]) == fields
    assert set(schemas["OrdinanceOutput"]["required"]) == fields
    assert set(schemas["UnmetOutput"]["required"]) == {"ordinance", "code", "severity", "sentence"}
    assert "live_connection" in schemas["RequirementCodeEnum"]["enum"]
    assert "due_soon" in schemas["ComplianceStatusEnum"]["enum"]
