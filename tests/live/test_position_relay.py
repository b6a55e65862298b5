"""Positions of mobile sources over the real WebSockets: a bridge reports them, the server
keeps at most one a second, ignores glitches without disconnecting the bridge, refuses a
camera the bridge does not relay (of this department or another), and an officer watching
the camera live receives each accepted one. A view of a mobile source is gated and logged
as any live view."""

import asyncio
import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.models import AccessEvent
from cameras import access
from cameras.models import Camera
from live.models import LiveSession, PositionSample
from tenants.models import Department
from tests.factories import UserFactory, mobile_source_make, totp_enable
from tests.live.test_consumers import bridge, closed_with, json_of, viewer

pytestmark = pytest.mark.django_db


def committed_in(schema: str, fn: Callable[[], Any]) -> Any:
    """Run in a department's schema on another connection, so the consumers' threads see it."""

    def run() -> Any:
        try:
            with tenant_context(Department.objects.get(schema_name=schema)):
                return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@dataclass
class MobileScene:
    officer_id: int
    session_key: str
    purpose_id: str
    camera_id: str
    camera_pk: int
    bridge_token: str


def _mobile_scene() -> MobileScene:
    department = Department.objects.get(schema_name="rialto")
    camera, issued = mobile_source_make(department)
    officer = UserFactory(role=Role.OFFICER, badge_number="7021")
    totp_enable(officer)
    purpose = access.purpose_declare(
        actor=access.Actor(user=officer, mfa=True), case_number="RPD-17", category="violent_crime", text="Pursuit"
    )
    session = SessionStore()
    session["_auth_user_id"] = str(officer.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = officer.get_session_auth_hash()
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time()},
    ]
    session.create()
    return MobileScene(
        officer.pk,
        session.session_key or "",
        str(purpose.public_id),
        str(camera.public_id),
        camera.pk,
        issued.token,
    )


@pytest.fixture
def scene() -> MobileScene:
    return committed_in("rialto", _mobile_scene)


def position(camera_id: str, *, lat: Any, lon: float = -117.38, seconds_ago: float = 0.0, **extra: Any) -> str:
    at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    return json.dumps(
        {"type": "position", "camera": camera_id, "lat": lat, "lon": lon, "time": at.isoformat(), **extra}
    )


def camera_row(pk: int, schema: str = "rialto") -> Camera:
    camera: Camera = committed_in(schema, lambda: Camera.objects.get(pk=pk))
    return camera


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not await asyncio.to_thread(predicate):
            await asyncio.sleep(0.05)


def moved_to(pk: int, lat: float, schema: str = "rialto") -> Callable[[], bool]:
    return lambda: round(camera_row(pk, schema).location.y, 6) == lat


async def test_an_officer_watching_a_mobile_source_receives_its_positions_and_its_track_is_kept(
    scene: MobileScene,
) -> None:
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)  # hello
    view = viewer(scene)  # type: ignore[arg-type]
    await view.connect()
    session = await json_of(view)
    start = await json_of(cam)

    await cam.send_to(text_data=position(scene.camera_id, lat=34.1012, heading=270, accuracy=3))
    received = await json_of(view)

    assert session["type"] == "session"
    # The tile says it moves, and not its base's address (the track shows where it is).
    assert session["camera"] == {"name": "Mobile camera (body-worn, drone or vehicle)", "address": ""}
    assert (start["type"], start["camera"]) == ("start", scene.camera_id)
    assert (received["type"], received["lat"], received["lon"]) == ("position", 34.1012, -117.38)
    assert (received["heading"], received["accuracy"]) == (270, 3)
    track = committed_in("rialto", lambda: list(PositionSample.objects.filter(camera_id=scene.camera_pk)))
    assert [round(p.point.y, 4) for p in track] == [34.1012]
    await view.disconnect()
    await cam.disconnect()


async def test_a_view_of_a_mobile_source_is_gated_logged_and_counted_as_any_live_view(scene: MobileScene) -> None:
    view = viewer(scene)  # type: ignore[arg-type]
    await view.connect()
    await json_of(view)
    await view.disconnect()

    events = committed_in(
        "rialto", lambda: list(AccessEvent.objects.filter(targets__contains=[f"camera:{scene.camera_id}"]))
    )
    views = committed_in("rialto", lambda: list(LiveSession.objects.filter(camera_id=scene.camera_pk)))
    assert [(e.action, e.outcome) for e in events] == [("live_start", "allowed"), ("live_end", "allowed")]
    assert events[0].case_number == "RPD-17"
    assert [(v.officer_id, v.end_reason) for v in views] == [(scene.officer_id, "viewer_left")]


async def test_without_a_purpose_a_mobile_source_is_not_shown_and_the_refusal_is_logged(scene: MobileScene) -> None:
    view = viewer(scene, purpose="")  # type: ignore[arg-type]

    await view.connect()

    assert (await json_of(view))["reason"] == "purpose_required"
    assert await closed_with(view, within=1.0) == 4400
    last = committed_in("rialto", lambda: AccessEvent.objects.order_by("-seq").first())
    assert (last.action, last.outcome) == ("live_start", "denied")


async def test_at_most_one_position_a_second_is_kept(scene: MobileScene) -> None:
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)

    for i, lat in enumerate((34.1001, 34.1002, 34.1003)):
        await cam.send_to(text_data=position(scene.camera_id, lat=lat, seconds_ago=3 - i))
    await until(lambda: camera_row(scene.camera_pk).position_at is not None)
    await asyncio.sleep(0.3)  # what the later two would have needed

    assert round(camera_row(scene.camera_pk).location.y, 6) == 34.1001
    await cam.disconnect()


async def test_a_glitch_or_garbage_is_ignored_and_the_bridge_stays_connected(
    scene: MobileScene, caplog: pytest.LogCaptureFixture
) -> None:
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)
    await cam.send_to(text_data=position(scene.camera_id, lat=34.10, seconds_ago=5))
    await until(moved_to(scene.camera_pk, 34.10))
    await asyncio.sleep(1.0)  # past the one-a-second limit

    await cam.send_to(text_data=position(scene.camera_id, lat=34.20, seconds_ago=1))  # 11 km in 4 s
    await cam.send_to(text_data=position(scene.camera_id, lat="north"))

    assert await cam.receive_nothing(timeout=0.5)  # not closed
    assert round(camera_row(scene.camera_pk).location.y, 6) == 34.10
    messages = [r.getMessage() for r in caplog.records if r.name == "porchlight.live"]
    assert any("impossible jump" in m for m in messages)
    assert any("lat must be a number" in m for m in messages)
    await cam.disconnect()


async def test_a_position_of_a_camera_the_bridge_does_not_relay_is_refused(scene: MobileScene) -> None:
    other = committed_in("rialto", _mobile_scene)
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)

    await cam.send_to(text_data=position(other.camera_id, lat=34.105))

    assert await closed_with(cam, within=1.0) == 4409
    assert camera_row(other.camera_pk).position_at is None


async def test_a_bridge_cannot_move_another_departments_camera(scene: MobileScene) -> None:
    fontana_camera = committed_in(
        "fontana",
        lambda: mobile_source_make(Department.objects.get(schema_name="fontana"), lon=-117.47, lat=34.10)[0],
    )
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)

    await cam.send_to(text_data=position(str(fontana_camera.public_id), lat=34.105))

    assert await closed_with(cam, within=1.0) == 4409
    assert camera_row(fontana_camera.pk, "fontana").position_at is None


async def test_a_position_of_an_unknown_camera_id_is_refused_like_a_frame(scene: MobileScene) -> None:
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)

    await cam.send_to(text_data=position(str(uuid.uuid4()), lat=34.105))

    assert await closed_with(cam, within=1.0) == 4409
