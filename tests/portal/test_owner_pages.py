"""The owner portal: registering sites and cameras, consent, and every bad input on its field."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Role
from cameras import services as camera_services
from cameras.models import Camera, ConsentGrant, Site
from tenants.selectors import policy_of
from tenants.services import policy_update
from tests.conftest import TenantClient
from tests.factories import RIALTO_CONDITIONS, UserFactory, ordinance_make

INSIDE_RIALTO = {"latitude": "34.1000", "longitude": "-117.3800"}
INSIDE_FONTANA = {"latitude": "34.1000", "longitude": "-117.4700"}
SOMEWHERE_ELSE = {"latitude": "40.7128", "longitude": "-74.0060"}


@pytest.fixture
def owner(in_rialto: Any, rialto_client: TenantClient) -> Any:
    user = UserFactory(role=Role.RESIDENT)
    rialto_client.force_login(user)
    return user


def _site_post(client: TenantClient, **overrides: str) -> Any:
    data = {"kind": "residential", "name": "Home", "address": "123 Riverside Ave", **INSIDE_RIALTO}
    data.update(overrides)
    return client.post("/my/sites/new/", data)


def _camera_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "label": "Front door",
        "camera_type": "doorbell",
        "placement": "outside",
        "bearing_deg": "180",
        "fov_angle_deg": "110",
        "range_m": "15",
        "views": ["street", "entrance"],
        "recording_mode": "motion",
        "retention_days": "30",
    }
    data.update(overrides)
    return data


@pytest.fixture
def site(owner: Any, rialto_client: TenantClient) -> Site:
    _site_post(rialto_client)
    return Site.objects.get(owner=owner)


@pytest.fixture
def camera(site: Site, rialto_client: TenantClient) -> Camera:
    rialto_client.post(f"/my/sites/{site.public_id}/cameras/new/", _camera_data())
    return Camera.objects.get(site=site)


def test_register_site_then_camera_creates_a_wedge_and_registered_consent(
    site: Site, rialto_client: TenantClient
) -> None:
    response = rialto_client.post(f"/my/sites/{site.public_id}/cameras/new/", _camera_data())

    camera = Camera.objects.get(site=site)
    assert response.status_code == 302
    assert response["Location"] == f"/my/cameras/{camera.public_id}/consent/"
    assert camera.fov.contains(camera.fov.centroid)
    assert camera.consent.level == "registered"


def test_my_cameras_lists_the_camera_with_its_consent_in_words(camera: Camera, rialto_client: TenantClient) -> None:
    response = rialto_client.get("/my/")

    assert response.status_code == 200
    assert b"Front door" in response.content
    assert b"Police know your camera exists" in response.content


def test_site_outside_every_department_is_refused_on_the_location_field(
    owner: Any, rialto_client: TenantClient
) -> None:
    response = _site_post(rialto_client, **SOMEWHERE_ELSE)

    assert response.status_code == 400
    assert "no Porchlight department covers it" in str(response.context["form"].errors["latitude"])
    assert not Site.objects.filter(owner=owner).exists()


def test_site_in_another_department_names_it_and_links_to_its_portal(owner: Any, rialto_client: TenantClient) -> None:
    response = _site_post(rialto_client, **INSIDE_FONTANA)

    assert response.status_code == 400
    assert "Fontana Police Department" in str(response.context["form"].errors["latitude"])
    assert b'href="http://fontana.localhost:8000/"' in response.content
    assert not Site.objects.filter(owner=owner).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": "91"}, "latitude"),
        ({"longitude": "-181"}, "longitude"),
        ({"latitude": ""}, "latitude"),
        ({"latitude": "north"}, "latitude"),
        ({"address": ""}, "address"),
        ({"kind": "castle"}, "kind"),
    ],
)
def test_site_bad_input_is_reported_on_its_field_and_saves_nothing(
    owner: Any, rialto_client: TenantClient, overrides: dict[str, str], field: str
) -> None:
    response = _site_post(rialto_client, **overrides)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Site.objects.filter(owner=owner).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bearing_deg": "400"}, "bearing_deg"),
        ({"bearing_deg": "-1"}, "bearing_deg"),
        ({"fov_angle_deg": "0"}, "fov_angle_deg"),
        ({"fov_angle_deg": "361"}, "fov_angle_deg"),
        ({"range_m": "0"}, "range_m"),
        ({"retention_days": "-3"}, "retention_days"),
        ({"label": ""}, "label"),
        ({"views": ["moon"]}, "views"),
    ],
)
def test_camera_bad_input_is_reported_on_its_field_and_saves_nothing(
    site: Site, rialto_client: TenantClient, overrides: dict[str, Any], field: str
) -> None:
    response = rialto_client.post(f"/my/sites/{site.public_id}/cameras/new/", _camera_data(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Camera.objects.filter(site=site).exists()


def _png(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def test_snapshot_that_is_not_an_image_is_refused(site: Site, rialto_client: TenantClient) -> None:
    fake = SimpleUploadedFile("view.png", b"%PDF-1.4 not an image", content_type="image/png")

    response = rialto_client.post(f"/my/sites/{site.public_id}/cameras/new/", _camera_data(snapshot=fake))

    assert response.status_code == 400
    assert "snapshot" in response.context["form"].errors
    assert not Camera.objects.filter(site=site).exists()


def test_snapshot_that_is_too_large_is_refused(site: Site, rialto_client: TenantClient, settings: Any) -> None:
    settings.PORCHLIGHT_SNAPSHOT_MAX_BYTES = 50
    image = SimpleUploadedFile("view.png", _png((64, 64)), content_type="image/png")

    response = rialto_client.post(f"/my/sites/{site.public_id}/cameras/new/", _camera_data(snapshot=image))

    assert response.status_code == 400
    assert "too large" in str(response.context["form"].errors["snapshot"])


def test_snapshot_image_is_stored(site: Site, rialto_client: TenantClient, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    image = SimpleUploadedFile("view.png", _png(), content_type="image/png")

    rialto_client.post(f"/my/sites/{site.public_id}/cameras/new/", _camera_data(snapshot=image))

    snapshot_name = Camera.objects.get(site=site).snapshot.name
    assert snapshot_name is not None
    assert snapshot_name.endswith(".png")


def _consent_data(
    level: str = "on_request", windows: list[dict[str, str]] | None = None, **overrides: str
) -> dict[str, str]:
    windows = windows or []
    data = {
        "level": level,
        "w-TOTAL_FORMS": str(len(windows)),
        "w-INITIAL_FORMS": "0",
        "w-MIN_NUM_FORMS": "0",
        "w-MAX_NUM_FORMS": "14",
        "expires_on": "",
        "max_live_minutes": "",
        "save": "1",
    }
    for index, window in enumerate(windows):
        for key, value in window.items():
            data[f"w-{index}-{key}"] = value
    data.update(overrides)
    return data


def test_consent_set_with_an_overnight_window_is_saved_and_kept_in_history(
    camera: Camera, owner: Any, rialto_client: TenantClient
) -> None:
    night = {"day": "4", "start": "22:00", "end": "06:00", "next_day": "on"}

    response = rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent_data("live", [night]))

    grant = ConsentGrant.objects.get(camera=camera)
    latest = grant.history.latest()
    assert response.status_code == 302
    assert grant.level == "live"
    assert grant.windows == [{"day": 4, "start": "22:00", "end": "06:00", "next_day": True}]
    assert (latest.level, latest.history_user) == ("live", owner)


@pytest.mark.parametrize(
    ("windows", "overrides", "message"),
    [
        ([{"day": "0", "start": "22:00", "end": "06:00"}], {}, "ends before it starts"),
        (
            [{"day": "0", "start": "08:00", "end": "12:00"}, {"day": "0", "start": "11:00", "end": "13:00"}],
            {},
            "overlap",
        ),
        ([], {"expires_on": "2001-01-01"}, "future"),
        ([], {"max_live_minutes": "999"}, "15 minutes"),
    ],
)
def test_consent_bad_input_gets_a_clear_message_and_changes_nothing(
    camera: Camera, rialto_client: TenantClient, windows: list[dict[str, str]], overrides: dict[str, str], message: str
) -> None:
    response = rialto_client.post(
        f"/my/cameras/{camera.public_id}/consent/", _consent_data("live", windows, **overrides)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ConsentGrant.objects.get(camera=camera).level == "registered"


@pytest.mark.parametrize(
    "windows",
    [
        [{"day": "0", "start": "22:00", "end": "06:00"}],
        [{"day": "0", "start": "08:00", "end": "12:00"}, {"day": "0", "start": "11:00", "end": "13:00"}],
    ],
)
def test_a_schedule_window_error_is_in_the_owners_language(
    camera: Camera, rialto_client: TenantClient, windows: list[dict[str, str]]
) -> None:
    response = rialto_client.post(
        f"/my/cameras/{camera.public_id}/consent/", _consent_data("live", windows), HTTP_ACCEPT_LANGUAGE="es"
    )

    errors = response.content.decode().split('id="windows-errors"')[1].split("</ul>")[0]
    assert response.status_code == 400
    assert "Lunes" in errors
    assert "Monday" not in errors


def test_withdraw_consent_takes_effect_at_once(camera: Camera, rialto_client: TenantClient) -> None:
    rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent_data("live"))

    rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", {"revoke": "1"})

    assert ConsentGrant.objects.get(camera=camera).revoked_at is not None


def test_pause_all_and_revoke_all(camera: Camera, rialto_client: TenantClient) -> None:
    rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent_data("live"))

    rialto_client.post("/my/pause-all/", {"confirm": "yes"})
    rialto_client.post("/my/revoke-all/", {"confirm": "yes"})

    camera.refresh_from_db()
    assert camera.status == "paused"
    assert camera.consent.revoked_at is not None


def test_moving_a_site_moves_its_cameras(site: Site, camera: Camera, rialto_client: TenantClient) -> None:
    data = {
        "kind": "residential",
        "name": "Home",
        "address": "9 Cedar Ave",
        "latitude": "34.1200",
        "longitude": "-117.3900",
    }

    response = rialto_client.post(f"/my/sites/{site.public_id}/", data)

    camera.refresh_from_db()
    assert response.status_code == 302
    assert (round(camera.location.y, 4), round(camera.location.x, 4)) == (34.12, -117.39)
    assert camera.fov.contains(camera.fov.centroid)


def test_deleting_a_site_erases_the_owners_address_from_history(
    site: Site, camera: Camera, rialto_client: TenantClient
) -> None:
    site_id, camera_id = site.pk, camera.pk

    response = rialto_client.post(f"/my/sites/{site.public_id}/delete/")

    assert response.status_code == 302
    assert not Site.objects.filter(pk=site_id).exists()
    assert set(Site.history.filter(id=site_id).values_list("address", flat=True)) == {""}
    assert set(Camera.history.filter(id=camera_id).values_list("label", flat=True)) == {""}
    assert {(h.location.x, h.location.y) for h in Site.history.filter(id=site_id)} == {(0.0, 0.0)}


@pytest.mark.parametrize(
    "path",
    [
        "/my/sites/{site}/",
        "/my/sites/{site}/delete/",
        "/my/sites/{site}/cameras/new/",
        "/my/cameras/{camera}/",
        "/my/cameras/{camera}/consent/",
        "/my/cameras/{camera}/delete/",
    ],
)
def test_another_owners_ids_give_404(camera: Camera, path: str) -> None:
    other = UserFactory(role=Role.RESIDENT)
    client = TenantClient("rialto.localhost")
    client.force_login(other)

    get = client.get(path.format(site=camera.site.public_id, camera=camera.public_id))
    post = client.post(path.format(site=camera.site.public_id, camera=camera.public_id), {"revoke": "1"})

    assert (get.status_code, post.status_code) == (404, 404)
    assert Camera.objects.filter(pk=camera.pk, consent__revoked_at__isnull=True).exists()


def test_a_rialto_camera_id_gives_404_on_fontana(camera: Camera, fontana: Any) -> None:
    from tests.tenancy import connection

    connection.set_tenant(fontana)
    client = TenantClient("fontana.localhost")
    client.force_login(UserFactory(role=Role.RESIDENT))

    response = client.get(f"/my/cameras/{camera.public_id}/consent/")

    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.OFFICER, Role.OVERSIGHT])
def test_staff_cannot_use_the_owner_portal(logged_in_staff: Any, role: str) -> None:
    client, _ = logged_in_staff(role)

    response = client.get("/my/")

    assert response.status_code == 403


def test_consent_preview_sentence_follows_the_level(owner: Any, rialto_client: TenantClient) -> None:
    response = rialto_client.get("/my/consent-preview/", {"level": "on_request"})

    assert response.content.decode() == "Police can ask you for footage; they cannot watch live."


# --- Bad input on the consent and status forms: a clear error, nothing saved, pages still load ---


def _in_years(years: int) -> str:
    today = dt.datetime.now(dt.UTC).date()
    return today.replace(year=today.year + years, day=min(today.day, 28)).isoformat()


@pytest.mark.parametrize("expires_on", ["9999-12-31", "3000-01-01"])
def test_a_consent_end_date_beyond_ten_years_is_refused_and_every_page_still_loads(
    camera: Camera, rialto_client: TenantClient, expires_on: str
) -> None:
    response = rialto_client.post(
        f"/my/cameras/{camera.public_id}/consent/", _consent_data("live", expires_on=expires_on)
    )

    grant = ConsentGrant.objects.get(camera=camera)
    assert response.status_code == 400
    assert "at most 10 years ahead" in str(response.context["form"].errors["expires_on"])
    assert (grant.level, grant.expires_at) == ("registered", None)
    assert rialto_client.get("/my/").status_code == 200
    assert rialto_client.get(f"/my/cameras/{camera.public_id}/consent/").status_code == 200
    assert rialto_client.get("/api/v1/me/cameras/").status_code == 200


def test_a_consent_end_date_within_ten_years_is_saved(camera: Camera, rialto_client: TenantClient) -> None:
    response = rialto_client.post(
        f"/my/cameras/{camera.public_id}/consent/", _consent_data("live", expires_on=_in_years(9))
    )

    assert response.status_code == 302
    assert ConsentGrant.objects.get(camera=camera).expires_at is not None


@pytest.mark.parametrize("level", ["castle", "", "LIVE"])
def test_an_unknown_consent_level_reshows_the_form_with_its_error(
    camera: Camera, rialto_client: TenantClient, level: str
) -> None:
    response = rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent_data(level))

    assert response.status_code == 400
    assert "level" in response.context["form"].errors
    assert response.context["preview"].startswith("Police know your camera exists")
    assert ConsentGrant.objects.get(camera=camera).level == "registered"


def _windows(count: int) -> list[dict[str, str]]:
    """``count`` non-overlapping one-hour windows spread over the week."""
    return [{"day": str(i % 7), "start": f"{i // 7:02d}:00", "end": f"{i // 7:02d}:30"} for i in range(count)]


def test_fourteen_schedule_windows_are_accepted(camera: Camera, rialto_client: TenantClient) -> None:
    response = rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent_data("live", _windows(14)))

    assert response.status_code == 302
    assert len(ConsentGrant.objects.get(camera=camera).windows) == 14


@pytest.mark.parametrize("count", [15, 200])
def test_more_than_fourteen_schedule_windows_are_refused(
    camera: Camera, rialto_client: TenantClient, count: int
) -> None:
    response = rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent_data("live", _windows(count)))

    grant = ConsentGrant.objects.get(camera=camera)
    assert response.status_code == 400
    assert "at most 14 schedule windows" in response.content.decode()
    assert (grant.level, grant.windows) == ("registered", [])


@pytest.mark.parametrize(
    ("start", "end"),
    [("10:00:30", "10:00:50"), ("10:00:30", "11:00"), ("10:00", "11:00:59")],
)
def test_window_times_with_seconds_are_refused_as_minutes_only(
    camera: Camera, rialto_client: TenantClient, start: str, end: str
) -> None:
    window = {"day": "2", "start": start, "end": end}

    response = rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent_data("live", [window]))

    grant = ConsentGrant.objects.get(camera=camera)
    assert response.status_code == 400
    assert "whole minutes" in response.content.decode()
    assert "starts and ends" not in response.content.decode()
    assert (grant.level, grant.windows) == ("registered", [])


@pytest.mark.parametrize(("before", "sent", "after"), [("active", "paused", "paused"), ("paused", "active", "active")])
def test_pause_and_resume_set_the_status_asked_for(
    camera: Camera, owner: Any, rialto_client: TenantClient, before: str, sent: str, after: str
) -> None:
    camera_services.camera_status_set(owner=owner, camera=camera, status=before)

    response = rialto_client.post(f"/my/cameras/{camera.public_id}/status/", {"status": sent})

    camera.refresh_from_db()
    assert response.status_code == 302
    assert camera.status == after


@pytest.mark.parametrize("data", [{"status": "garbled"}, {"status": ""}, {"status": "PAUSED"}, {}])
def test_an_unknown_camera_status_is_a_400_and_a_paused_camera_stays_paused(
    camera: Camera, owner: Any, rialto_client: TenantClient, data: dict[str, str]
) -> None:
    camera_services.camera_status_set(owner=owner, camera=camera, status="paused")

    response = rialto_client.post(f"/my/cameras/{camera.public_id}/status/", data)

    camera.refresh_from_db()
    assert response.status_code == 400
    assert "status" in response.content.decode()
    assert camera.status == "paused"


def _ordinance_in_force(department: Any, *, kinds: list[str]) -> None:
    """An ordinance requiring footage on request of these kinds of property built since 2024."""
    ordinance_make(
        policy_of(department=department),
        RIALTO_CONDITIONS,
        name="Test ordinance",
        property_kinds=kinds,
        built_after=dt.date(2024, 1, 1),
        min_consent="on_request",
        live_connection_required=False,
    )


def test_a_business_that_blanks_its_construction_date_is_still_shown_under_the_ordinance(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    _ordinance_in_force(in_rialto, kinds=["business"])
    business = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(business)
    _site_post(rialto_client, kind="business", business_name="Palm Market", constructed_on="2025-03-01")
    site = Site.objects.get(owner=business)
    data = {"kind": "business", "name": "Home", "address": "123 Riverside Ave", "constructed_on": "", **INSIDE_RIALTO}

    response = rialto_client.post(f"/my/sites/{site.public_id}/", data)
    page = rialto_client.get("/my/").content.decode()

    assert response.status_code == 302
    assert Site.objects.get(pk=site.pk).constructed_on is None
    assert "Not compliant until you give the date of construction" in page
    assert "ordinance" in (Site.history.filter(id=site.pk).latest().history_change_reason or "")


def test_a_resident_whose_site_falls_under_the_ordinance_can_give_its_construction_date(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    _ordinance_in_force(in_rialto, kinds=["multifamily"])
    resident = UserFactory(role=Role.RESIDENT)
    rialto_client.force_login(resident)
    _site_post(rialto_client, kind="multifamily", name="Our building")
    site = Site.objects.get(owner=resident)
    assert "Not compliant until you give the date of construction" in rialto_client.get("/my/").content.decode()

    # the edit form asks for the date the status asks for, and takes it
    form = rialto_client.get(f"/my/sites/{site.public_id}/").content.decode()
    assert 'name="constructed_on"' in form
    data = {"kind": "multifamily", "name": "Our building", "address": "1 Main St", "constructed_on": "2020-05-01"}
    response = rialto_client.post(f"/my/sites/{site.public_id}/", {**data, **INSIDE_RIALTO})

    assert response.status_code == 302
    assert Site.objects.get(pk=site.pk).constructed_on == dt.date(2020, 5, 1)
    assert "Not compliant until you give the date" not in rialto_client.get("/my/").content.decode()


def test_a_resident_with_a_home_is_not_asked_about_the_ordinance(in_rialto: Any, rialto_client: TenantClient) -> None:
    _ordinance_in_force(in_rialto, kinds=["multifamily"])
    resident = UserFactory(role=Role.RESIDENT)
    rialto_client.force_login(resident)
    _site_post(rialto_client, kind="residential", name="Home")
    site = Site.objects.get(owner=resident)

    assert 'name="constructed_on"' not in rialto_client.get(f"/my/sites/{site.public_id}/").content.decode()


@pytest.mark.parametrize("page", ["consent", "my-cameras"])
def test_a_home_camera_owner_is_told_police_never_watch_it_live_here(
    camera: Camera, rialto_client: TenantClient, in_rialto: Any, page: str
) -> None:
    policy_update(department=in_rialto, actor=None, residential_live_view_allowed=False)
    rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent_data("live_exigent"))

    path = f"/my/cameras/{camera.public_id}/consent/" if page == "consent" else "/my/"
    content = rialto_client.get(path).content.decode()

    assert "never watches home cameras live" in content


@pytest.mark.parametrize(("kind", "allowed"), [("residential", True), ("business", False)])
def test_no_live_view_note_where_police_may_watch_live(
    owner: Any, rialto_client: TenantClient, in_rialto: Any, kind: str, allowed: bool
) -> None:
    policy_update(department=in_rialto, actor=None, residential_live_view_allowed=allowed)
    _site_post(rialto_client, kind=kind)
    site = Site.objects.get(owner=owner)
    rialto_client.post(f"/my/sites/{site.public_id}/cameras/new/", _camera_data())
    camera = Camera.objects.get(site=site)
    rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _consent_data("live"))

    consent_page = rialto_client.get(f"/my/cameras/{camera.public_id}/consent/").content.decode()
    my_cameras = rialto_client.get("/my/").content.decode()

    assert "never watches home cameras live" not in consent_page + my_cameras


def test_the_property_forms_address_box_speaks_spanish_with_a_proper_plural(
    owner: Any, rialto_client: TenantClient
) -> None:
    page = rialto_client.get("/my/sites/new/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = rialto_client.get("/my/sites/new/").content.decode()

    assert 'data-count-one="{count} sugerencia: use las flechas arriba y abajo y luego Intro."' in page
    assert 'data-count-other="{count} sugerencias: use las flechas arriba y abajo y luego Intro."' in page
    assert 'data-picked-text="Marcador colocado en {place}; arrástrelo si hace falta."' in page
    assert 'data-count-one="{count} suggestion: use the up and down arrows, then Enter."' in english
