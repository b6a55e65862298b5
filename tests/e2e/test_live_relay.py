"""The whole live path with real parts: uvicorn with the Redis channel layer, the bridge
program reading an HTTP MJPEG stream that Debian's ffmpeg serves from its test source, and a
WebSocket client as the viewer."""

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from websockets.exceptions import ConnectionClosed

from audit.models import AccessEvent
from bridge.net import ws_connect
from cameras import services
from cameras.models import Camera
from live import presence
from live.models import LiveSession
from tenants.models import DepartmentPolicy
from tests.conftest import free_port
from tests.e2e.conftest import ROOT, LiveServer
from tests.factories import bridge_heartbeat
from tests.live.test_consumers import Scene, _scene, committed, last_event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
FFMPEG = "/usr/bin/ffmpeg"


@pytest.fixture
def camera_stream() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    if not Path(FFMPEG).exists():
        pytest.fail("ffmpeg is not installed at /usr/bin/ffmpeg: `make test` installs the Debian package ffmpeg.")
    port = free_port()
    url = f"http://127.0.0.1:{port}/cam.mjpg"
    process = subprocess.Popen(
        [
            FFMPEG,
            "-hide_banner",
            "-loglevel",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360:rate=15",
            "-q:v",
            "5",
            "-f",
            "mpjpeg",
            "-listen",
            "1",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield url, process
    process.kill()
    process.wait()


@pytest.fixture
def bridge_process(
    porchlight_server: LiveServer, camera_stream: Any, tmp_path: Path
) -> Iterator[tuple[Scene, subprocess.Popen[str]]]:
    scene = committed(_scene, level="live")
    config = tmp_path / "bridge.toml"
    config.write_text(f'[cameras]\n"{scene.camera_id}" = "{camera_stream[0]}"\n')
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bridge",
            "--url",
            f"ws://rialto.localhost:{porchlight_server.port}",
            "--token",
            scene.bridge_token,
            "--config",
            str(config),
            "--log-level",
            "INFO",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # The console offers live view only once the bridge is connected (live.presence).
    deadline = time.monotonic() + 20
    while not presence.bridges_connected(schema="rialto", bridges=[scene.bridge_id]) and time.monotonic() < deadline:
        time.sleep(0.1)
    yield scene, process
    process.terminate()
    process.wait(timeout=10)


async def _frames(ws: Any, count: int, timeout: float) -> list[bytes]:
    frames: list[bytes] = []
    deadline = time.monotonic() + timeout
    while len(frames) < count:
        message = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
        if isinstance(message, bytes):
            frames.append(message)
    return frames


async def _drain(ws: Any) -> None:
    """Read until the server closes the socket (frames may still be in flight)."""
    while True:
        await asyncio.wait_for(ws.recv(), timeout=3)


async def test_frames_flow_from_the_camera_to_the_viewer_until_consent_is_revoked(
    porchlight_server: LiveServer, bridge_process: Any, camera_stream: Any
) -> None:
    scene, _ = bridge_process
    url = f"ws://rialto.localhost:{porchlight_server.port}/ws/live/{scene.camera_id}/?purpose={scene.purpose_id}"
    await asyncio.sleep(1.0)  # the bridge connects and says hello
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"

    async with ws_connect(url, additional_headers={"Cookie": f"sessionid={scene.session_key}"}) as ws:
        session = json.loads(await ws.recv())
        frames = await _frames(ws, count=10, timeout=20)
        started = committed(lambda: LiveSession.objects.get(public_id=session["session"]))
        revoke_at = time.monotonic()
        committed(
            lambda: services.consent_revoke(
                owner=Camera.objects.get(pk=scene.camera_pk).site.owner, camera=Camera.objects.get(pk=scene.camera_pk)
            )
        )
        with pytest.raises(ConnectionClosed) as closed:
            await _drain(ws)
        closed_after = time.monotonic() - revoke_at

    assert session["type"] == "session"
    assert all(f[8:10] == b"\xff\xd8" and f.rstrip(b"\x00")[-2:] == b"\xff\xd9" for f in frames)
    assert started.ended_at is None
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4410
    assert closed_after <= 1.5  # within a second of the revocation, plus the client's own latency
    ended = committed(lambda: LiveSession.objects.get(public_id=session["session"]))
    assert (ended.end_reason, ended.frames >= 10) == ("consent", True)
    assert (last_event(scene).action, last_event(scene).reason) == ("live_end", "consent")
    # With no viewer left, the bridge is told to stop and lets go of the camera stream:
    # ffmpeg's one-client server exits when its client disconnects.
    camera_stream[1].wait(timeout=10)
    assert camera_stream[1].returncode is not None


def _console_purpose(scene: Scene) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore(scene.session_key)
    session["console_purpose"] = scene.purpose_id
    session.save()


def test_the_console_live_view_draws_frames_with_a_watermark(
    porchlight_server: LiveServer, bridge_process: Any, browser: Any, shot: Any
) -> None:
    scene, _ = bridge_process
    committed(_console_purpose, scene)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": scene.session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()

    page.goto(porchlight_server.url("rialto.localhost", f"/console/cameras/{scene.camera_id}/"))
    page.click("#open-live")
    page.wait_for_function("() => Number(document.querySelector('.live-tile').dataset.frames || 0) >= 5", timeout=20000)
    shot(page, "live-view")

    caption = page.locator(".live-tile figcaption").inner_text()
    assert "left" in caption
    assert page.locator(".live-tile").get_attribute("data-closed") is None

    # A reload does not resubmit the POST nor open a second live view: it says the view ended.
    page.reload()
    page.wait_for_selector("#live-ended")
    assert page.locator(".live-tile").count() == 0
    assert page.locator("#open-camera-page").get_attribute("href") == f"/console/cameras/{scene.camera_id}/"
    shot(page, "live-view-ended")
    starts = committed(
        lambda: AccessEvent.objects.filter(action="live_start", targets=[f"camera:{scene.camera_id}"]).count()
    )
    assert starts == 1
    context.close()


def _watching(porchlight_server: LiveServer, browser: Any, scene: Scene) -> tuple[Any, Any]:
    committed(_console_purpose, scene)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": scene.session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()
    page.goto(porchlight_server.url("rialto.localhost", f"/console/cameras/{scene.camera_id}/"))
    page.click("#open-live")
    page.wait_for_function("() => Number(document.querySelector('.live-tile').dataset.frames || 0) >= 3", timeout=20000)
    return context, page


def _ended_tile(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => { const t = document.querySelector('.live-tile');
        const gone = (s) => getComputedStyle(t.querySelector(s)).display === 'none';
        return { code: t.dataset.closed, canvas: gone('canvas'),
                 reason: t.querySelector('.tile-ended').textContent, left: t.querySelector('.left').textContent,
                 extend: gone('.extend'), end: gone('.end') }; }"""
    )


def test_the_tile_names_its_camera_and_the_end_button_ends_the_view(
    porchlight_server: LiveServer, bridge_process: Any, browser: Any, shot: Any
) -> None:
    # given an officer watching a camera live
    scene, _ = bridge_process
    context, page = _watching(porchlight_server, browser, scene)
    shot(page, "live-tile-named")
    title = page.locator(".live-tile .tile-title").inner_text()

    # when they press End
    page.locator(".live-tile .end").click()
    page.wait_for_function("() => document.querySelector('.live-tile').dataset.closed", timeout=5000)
    shot(page, "live-tile-ended-by-officer")

    # then the tile named the camera and its block; now the reason replaces the picture, the
    # countdown and the buttons are gone, and the end is logged as the officer's
    assert "Fixed camera" in title
    assert "0 block of Main" in title
    assert _ended_tile(page) == {
        "code": "1000",
        "canvas": True,
        "reason": "You ended this live view.",
        "left": "",
        "extend": True,
        "end": True,
    }
    assert committed(lambda: LiveSession.objects.get(officer_id=scene.officer_id).end_reason) == "viewer_left"
    assert (last_event(scene).action, last_event(scene).reason) == ("live_end", "viewer_left")
    context.close()


def test_when_the_owner_ends_the_view_the_picture_is_replaced_by_the_reason(
    porchlight_server: LiveServer, bridge_process: Any, browser: Any, shot: Any
) -> None:
    # given an officer watching a camera live
    scene, _ = bridge_process
    context, page = _watching(porchlight_server, browser, scene)

    # when the owner ends the view from their bridge page
    def owner_ends() -> None:
        from live import services as live_services

        session = LiveSession.objects.get(officer_id=scene.officer_id, ended_at__isnull=True)
        owner = Camera.objects.get(pk=scene.camera_pk).site.owner
        live_services.live_session_owner_end(owner=owner, session_public_id=session.public_id)

    committed(owner_ends)
    page.wait_for_function("() => document.querySelector('.live-tile').dataset.closed", timeout=5000)
    shot(page, "live-tile-ended-by-owner")

    # then the picture gives way to the reason in words, not a frozen frame
    ended = _ended_tile(page)
    assert (ended["code"], ended["canvas"], ended["left"], ended["extend"], ended["end"]) == (
        "4412",
        True,
        "",
        True,
        True,
    )
    assert ended["reason"] == "The owner ended this live view."
    context.close()


def test_a_picture_that_stops_coming_is_covered_not_left_frozen(
    porchlight_server: LiveServer, bridge_process: Any, browser: Any, shot: Any
) -> None:
    # given an officer watching a camera live
    scene, process = bridge_process
    context, page = _watching(porchlight_server, browser, scene)

    # when the owner's bridge goes away in the middle of the view
    process.terminate()
    process.wait(timeout=10)
    page.wait_for_function("() => document.querySelector('.live-tile').dataset.stale", timeout=15000)
    shot(page, "live-tile-stale")

    # then the last picture is covered by words saying no new pictures come (the server says
    # so after 3 s without frames, issue 19's live.stall, before the page's own 5 s timer)
    assert page.locator(".live-tile .tile-stale").is_visible()
    assert page.locator(".live-tile .state").inner_text() == "Camera not responding"
    context.close()


def test_a_camera_whose_bridge_is_offline_is_not_offered_for_live_view(
    porchlight_server: LiveServer, browser: Any, shot: Any
) -> None:
    # given a camera the officer may watch, whose owner's bridge is not connected
    scene = committed(_scene, level="live")
    committed(_console_purpose, scene)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": scene.session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()

    # when the officer opens the camera page
    page.goto(porchlight_server.url("rialto.localhost", f"/console/cameras/{scene.camera_id}/"))
    shot(page, "live-view-bridge-offline")

    # then it says the bridge is offline and offers no live view (nothing to claim is live)
    assert page.locator("#open-live").count() == 0
    assert "bridge" in page.locator("#live-refused").inner_text()
    context.close()


def test_a_live_view_whose_bridge_sends_no_pictures_does_not_claim_to_be_live(
    porchlight_server: LiveServer, browser: Any, shot: Any
) -> None:
    # given a camera the officer may watch, whose owner's bridge is connected but sends nothing
    scene = committed(_scene, level="live")
    committed(_console_purpose, scene)
    committed(lambda: bridge_heartbeat(schema="rialto", bridge_public_id=scene.bridge_id))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": scene.session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()

    # when the officer opens the live view and the session starts
    page.goto(porchlight_server.url("rialto.localhost", f"/console/cameras/{scene.camera_id}/"))
    page.click("#open-live")
    page.wait_for_function("() => /left/.test(document.querySelector('.live-tile .left').textContent)", timeout=10000)
    shot(page, "live-view-waiting")

    # then the tile says it is waiting for pictures, not "Live" over a black picture
    assert page.locator(".live-tile .state").inner_text().startswith("Waiting for pictures from the camera")
    context.close()


@pytest.mark.parametrize(
    ("locale", "sentence"),
    [
        ("en-US", "The owner does not allow live view of this camera."),
        ("es-ES", "El propietario no permite ver esta cámara en vivo."),
    ],
)
def test_a_refused_live_view_shows_why_in_a_sentence_on_the_page(
    porchlight_server: LiveServer, browser: Any, shot: Any, locale: str, sentence: str
) -> None:
    # given the camera page of a camera the officer may watch, whose owner then allows only
    # footage requests
    scene = committed(_scene, level="live")
    committed(_console_purpose, scene)
    committed(lambda: bridge_heartbeat(schema="rialto", bridge_public_id=scene.bridge_id))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    context.add_cookies([{"name": "sessionid", "value": scene.session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()
    page.goto(porchlight_server.url("rialto.localhost", f"/console/cameras/{scene.camera_id}/"))

    def lower() -> None:
        camera = Camera.objects.select_related("site__owner").get(pk=scene.camera_pk)
        policy = DepartmentPolicy.objects.get(department__schema_name="rialto")
        services.consent_set(owner=camera.site.owner, camera=camera, policy=policy, level="on_request")

    committed(lower)

    # when the officer opens the live view
    page.click("#open-live")
    page.wait_for_function("() => document.querySelector('.live-tile').dataset.closed", timeout=10000)
    shot(page, f"live-view-refused-{locale}")

    # then the tile says why in a sentence, in the officer's language, not a code
    assert page.locator(".live-tile").get_attribute("data-closed") == "4403"
    assert page.locator(".live-tile .state").inner_text() == sentence
    context.close()


def test_signing_out_in_another_tab_ends_the_live_view_within_a_second(
    porchlight_server: LiveServer, browser: Any, shot: Any
) -> None:
    # given an officer watching a camera live in one tab
    scene = committed(_scene, level="live")
    committed(_console_purpose, scene)
    committed(lambda: bridge_heartbeat(schema="rialto", bridge_public_id=scene.bridge_id))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": scene.session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()
    page.goto(porchlight_server.url("rialto.localhost", f"/console/cameras/{scene.camera_id}/"))
    page.click("#open-live")
    page.wait_for_function("() => /left/.test(document.querySelector('.live-tile .left').textContent)", timeout=10000)
    other = context.new_page()
    other.goto(porchlight_server.url("rialto.localhost", "/console/"))

    # when they sign out in another tab
    with other.expect_navigation():
        other.click("form[action='/accounts/logout/'] button")
    signed_out = time.monotonic()
    page.wait_for_function("() => document.querySelector('.live-tile').dataset.closed", timeout=5000)
    took = time.monotonic() - signed_out
    shot(page, "live-view-signed-out")

    # then the view closed within a second, saying they are not signed in
    assert took <= 1.0
    assert page.locator(".live-tile").get_attribute("data-closed") == "4401"
    assert page.locator(".live-tile .state").inner_text().startswith("You are not signed in")
    assert committed(lambda: LiveSession.objects.get(officer_id=scene.officer_id).end_reason) == "session"
    context.close()
