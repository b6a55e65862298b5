"""The consent page's schedule: rows added and presets applied without saving, labelled fields,
and the schedule in one line on "My cameras"."""

import re
from typing import Any

import pytest

from accounts.models import Role
from cameras import services as camera_services
from cameras.models import Camera, ConsentGrant
from tests.conftest import TenantClient
from tests.factories import UserFactory, camera_make


@pytest.fixture
def owner(in_rialto: Any, rialto_client: TenantClient) -> Any:
    user = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(user)
    return user


@pytest.fixture
def camera(owner: Any, in_rialto: Any) -> Camera:
    return camera_make(owner, in_rialto, site=None)


def _form(level: str = "live", rows: int = 1, **extra: str) -> dict[str, str]:
    return {
        "level": level,
        "w-TOTAL_FORMS": str(rows),
        "w-INITIAL_FORMS": "0",
        "w-MIN_NUM_FORMS": "0",
        "w-MAX_NUM_FORMS": "14",
        "expires_on": "",
        "max_live_minutes": "",
        **extra,
    }


def _rows(page: str) -> list[tuple[str, str, str]]:
    """(day, start, end) of each schedule row shown, from the rendered inputs."""
    rows = []
    for index in range(14):
        day = re.search(rf'name="w-{index}-day"[^>]*>(.*?)</select>', page, re.S)
        if day is None:
            break
        selected = re.search(r'<option value="(\d)" selected>', day.group(1))
        start = re.search(rf'name="w-{index}-start"(?: value="([^"]*)")?', page)
        end = re.search(rf'name="w-{index}-end"(?: value="([^"]*)")?', page)
        rows.append(
            (selected.group(1) if selected else "", (start and start.group(1)) or "", (end and end.group(1)) or "")
        )
    return rows


def test_add_a_row_shows_one_more_row_and_saves_nothing(camera: Camera, rialto_client: TenantClient) -> None:
    data = _form(rows=1, **{"w-0-day": "0", "w-0-start": "08:00", "w-0-end": "12:00", "add_window": "1"})

    response = rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert _rows(page) == [("0", "08:00", "12:00"), ("", "", "")]
    assert ConsentGrant.objects.get(camera=camera).level == "registered"


@pytest.mark.parametrize(
    ("preset", "times", "expected"),
    [
        ("weekdays", ("08:00", "18:00"), [(str(d), "08:00", "18:00") for d in range(5)]),
        ("weekends", ("10:00", "14:00"), [("5", "10:00", "14:00"), ("6", "10:00", "14:00")]),
        ("every_day", ("07:30", "19:00"), [(str(d), "07:30", "19:00") for d in range(7)]),
        ("nights", ("", ""), [(str(d), "22:00", "06:00") for d in range(7)]),
    ],
)
def test_a_preset_fills_the_rows_and_saves_nothing(
    camera: Camera, rialto_client: TenantClient, preset: str, times: tuple[str, str], expected: list[Any]
) -> None:
    preset_fields: dict[str, Any] = {
        "preset-preset": preset,
        "preset-start": times[0],
        "preset-end": times[1],
        "apply_preset": "1",
    }
    data = _form(**preset_fields)

    response = rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", data)

    assert response.status_code == 200
    assert _rows(response.content.decode())[: len(expected)] == expected
    assert ConsentGrant.objects.get(camera=camera).windows == []


def test_every_night_takes_one_save_after_the_preset(camera: Camera, rialto_client: TenantClient) -> None:
    nights = {
        f"w-{d}-{k}": v
        for d in range(7)
        for k, v in {"day": str(d), "start": "22:00", "end": "06:00", "next_day": "on"}.items()
    }

    response = rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _form(rows=7, save="1", **nights))

    assert response.status_code == 302
    assert len(ConsentGrant.objects.get(camera=camera).windows) == 7
    assert "Live view: every day 22:00\u201306:00 (overnight)" in rialto_client.get("/my/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"preset-preset": "fortnightly"}, "preset"),
        ({"preset-preset": "weekdays", "preset-start": "", "preset-end": "18:00"}, "start"),
    ],
)
def test_a_bad_preset_is_a_400_on_its_field_and_keeps_the_rows(
    camera: Camera, rialto_client: TenantClient, data: dict[str, Any], field: str
) -> None:
    rows: dict[str, Any] = {"w-0-day": "2", "w-0-start": "09:00", "w-0-end": "10:00", "apply_preset": "1"}

    response = rialto_client.post(f"/my/cameras/{camera.public_id}/consent/", _form(**rows, **data))

    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="error"' in page
    assert _rows(page)[0] == ("2", "09:00", "10:00")


def test_every_schedule_field_has_a_label(camera: Camera, rialto_client: TenantClient) -> None:
    page = rialto_client.get(f"/my/cameras/{camera.public_id}/consent/").content.decode()
    visible = page.split('<template id="window-template">')[0]

    fields = re.findall(r"<(?:input|select)\b[^>]*>", visible)
    ids = [re.search(r'\bid="([^"]+)"', f).group(1) for f in fields if "id_w-" in f or "id_preset-" in f]  # type: ignore[union-attr]
    ids = [i for i in ids if not i.endswith(("FORMS",))]
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', visible))
    assert ids
    assert [i for i in ids if i not in labelled] == []


def test_my_cameras_shows_the_schedule_in_one_line(
    owner: Any, camera: Camera, policy: Any, rialto_client: TenantClient
) -> None:
    weekdays = [{"day": d, "start": "08:00", "end": "18:00", "next_day": False} for d in range(5)]
    camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="live", windows=weekdays)

    english = rialto_client.get("/my/").content.decode()
    spanish = rialto_client.get("/my/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Live view: weekdays 08:00\u201318:00" in english
    assert "Vista en vivo: entre semana 08:00\u201318:00" in spanish
