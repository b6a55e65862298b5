"""issue 19, with real parts: the bridge program (its lavfi ``test:`` source) against a real
uvicorn with the Redis channel layer. Privacy masks are blacked out by the bridge: the frame
bytes the server relays are black inside every mask (so nothing under a mask left the
premises); a snapshot is taken only on the owner's request, masked, and a bridge that is
offline or too old to answer is said so in words, without a wait that never ends."""

import asyncio
import base64
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

from bridge.masks import Rect, pixel_box
from bridge.net import ws_connect
from cameras.models import Camera
from live import camera_privacy
from tests.conftest import TenantClient
from tests.e2e.conftest import LiveServer
from tests.e2e.test_bridge_program import BridgeProgram
from tests.live.test_bridge_liveness import _session_of
from tests.live.test_consumers import JPEG, Scene, _scene, committed, frame

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# The left half of the picture's middle band: clear of the bridge's clock (top left).
MASK = [0.0, 0.25, 0.5, 0.5]


def _mask_camera(scene: Scene, masks: list[list[float]]) -> None:
    camera = Camera.objects.get(pk=scene.camera_pk)
    camera_privacy.camera_masks_save(owner=camera.site.owner, camera=camera, masks=masks)


def _inside_and_outside(jpeg: bytes, mask: list[float]) -> tuple[int, float]:
    """The brightest channel value inside the mask (kept 8 px from its edges: JPEG blocks
    that straddle an edge carry some of the picture beside it), and the mean brightness of
    the unmasked right half."""
    img = Image.open(io.BytesIO(jpeg)).convert("RGB")
    left, top, right, bottom = pixel_box(Rect(*mask), img.width, img.height)
    inside = img.crop((left + 8, top + 8, right - 8, bottom - 8))
    outside = img.crop((img.width // 2 + 8, top, img.width, bottom)).convert("L")
    brightest = max(int(high) for _low, high in inside.getextrema())  # type: ignore[misc]
    return brightest, ImageStat.Stat(outside).mean[0]


@pytest.fixture
def scene() -> Scene:
    return committed(_scene, level="live")


@pytest.fixture
def bridge_program(porchlight_server: LiveServer, scene: Scene, tmp_path: Path) -> Iterator[BridgeProgram]:
    program = BridgeProgram(porchlight_server, scene, tmp_path)
    yield program
    program.stop()


async def _all_within(ws: Any, seconds: float) -> list[Any]:
    """Every message the socket receives until it is quiet for ``seconds``."""
    received: list[Any] = []
    while True:
        try:
            received.append(await asyncio.wait_for(ws.recv(), timeout=seconds))
        except TimeoutError:
            return received


def _owner_client(scene: Scene) -> TenantClient:
    client = TenantClient("rialto.localhost")
    client.cookies["sessionid"] = committed(_session_of, scene.owner_id)
    return client


async def test_the_frames_the_server_receives_are_black_inside_the_owners_mask(
    porchlight_server: LiveServer, scene: Scene, bridge_program: BridgeProgram
) -> None:
    # given a camera whose owner masked the left half of its middle band, and its bridge
    committed(_mask_camera, scene, [MASK])
    bridge_program.start()
    await asyncio.to_thread(bridge_program.wait_for, "hello:", 20)

    # when an officer watches it: the frames are the bytes the server received from the bridge
    url = f"ws://rialto.localhost:{porchlight_server.port}/ws/live/{scene.camera_id}/?purpose={scene.purpose_id}"
    frames: list[bytes] = []
    async with ws_connect(url, additional_headers={"Cookie": f"sessionid={scene.session_key}"}) as ws:
        assert json.loads(await ws.recv())["type"] == "session"
        deadline = time.monotonic() + 20
        while len(frames) < 5:
            message = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
            if isinstance(message, bytes):
                frames.append(message[8:])

    # then every frame is black inside the mask, and the test pattern shows beside it
    for jpeg in frames:
        brightest, beside = _inside_and_outside(jpeg, MASK)
        assert brightest <= 24
        assert beside > 60


async def test_a_masked_h264_camera_reaches_the_officer_as_h264_black_inside_the_mask(
    porchlight_server: LiveServer, scene: Scene, bridge_program: BridgeProgram
) -> None:
    # given an H.264 camera (the test pattern through libx264) whose owner masked part of it
    import av

    bridge_program.config.write_text(f'[cameras]\n"{scene.camera_id}" = "test:320x180?codec=h264&rate=15"\n')
    committed(_mask_camera, scene, [MASK])
    bridge_program.start()
    await asyncio.to_thread(bridge_program.wait_for, "hello:", 20)
    if bridge_program.lines("masked cameras as JPEG"):
        # the server's hello does not say masked_codecs yet: live/consumers.py still drops every
        # unit of a masked camera (docs/bridge-protocol.md, "Re-encoded cameras"), so JPEG
        pytest.skip("this server relays no re-encoded H.264 of masked cameras (hello without masked_codecs)")

    # when an officer watches it: H.264 units, re-encoded by the bridge, relayed by the server
    url = f"ws://rialto.localhost:{porchlight_server.port}/ws/live/{scene.camera_id}/?purpose={scene.purpose_id}"
    units: list[bytes] = []
    async with ws_connect(url, additional_headers={"Cookie": f"sessionid={scene.session_key}"}) as ws:
        assert json.loads(await ws.recv())["type"] == "session"
        deadline = time.monotonic() + 20
        while len(units) < 6:
            message = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
            if isinstance(message, bytes):
                assert message[8] in (0, 1), "a masked H.264 camera went as JPEG"
                units.append(message[9:])

    # then every picture the officer's player decodes is black inside the mask (8 px in from its
    # edges), with the pattern beside it
    decoder: Any = av.CodecContext.create("h264", "r")
    pictures = [f.to_image() for unit in units for f in decoder.decode(av.Packet(unit))]
    assert len(pictures) >= 5
    for img in pictures:
        left, top, right, bottom = pixel_box(Rect(*MASK), img.width, img.height)
        inside = img.crop((left + 8, top + 8, right - 8, bottom - 8))
        assert max(int(high) for _low, high in inside.getextrema()) <= 24
        assert ImageStat.Stat(img.crop((img.width // 2 + 8, top, img.width, bottom)).convert("L")).mean[0] > 60


async def test_a_snapshot_is_taken_only_when_the_owner_asks_and_is_masked(
    porchlight_server: LiveServer, scene: Scene, bridge_program: BridgeProgram
) -> None:
    # given a masked camera and its bridge, connected
    committed(_mask_camera, scene, [MASK])
    bridge_program.start()
    await asyncio.to_thread(bridge_program.wait_for, "hello:", 20)
    nothing_before = bridge_program.lines("snapshot taken")

    # when its owner presses "Take a snapshot"
    response = await asyncio.to_thread(_owner_client(scene).post, f"/my/cameras/{scene.camera_id}/snapshot/")

    # then one picture came, masked, taken by the bridge for this request only
    data = response.json()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    jpeg = base64.b64decode(data["image"].split(",", 1)[1])
    brightest, beside = _inside_and_outside(jpeg, MASK)
    assert (brightest <= 24, beside > 60) == (True, True)
    assert nothing_before == []
    assert len(bridge_program.lines("snapshot taken")) == 1


async def test_another_owner_cannot_ask_for_a_snapshot(
    porchlight_server: LiveServer, scene: Scene, bridge_program: BridgeProgram
) -> None:
    # given a connected bridge
    bridge_program.start()
    await asyncio.to_thread(bridge_program.wait_for, "hello:", 20)
    other: Scene = committed(_scene, level="live")

    # when another owner asks for a snapshot of this camera
    response = await asyncio.to_thread(_owner_client(other).post, f"/my/cameras/{scene.camera_id}/snapshot/")

    # then the camera is not found and the bridge took nothing
    assert response.status_code == 404
    assert bridge_program.lines("snapshot taken") == []


def test_a_snapshot_of_a_camera_whose_bridge_is_offline_says_so_at_once(
    porchlight_server: LiveServer, scene: Scene
) -> None:
    started = time.monotonic()

    response = _owner_client(scene).post(f"/my/cameras/{scene.camera_id}/snapshot/")

    assert response.status_code == 409
    assert "bridge is offline" in response.json()["error"]
    assert time.monotonic() - started < 3


async def test_an_older_bridge_that_ignores_snapshots_is_answered_by_a_timeout_in_words(
    porchlight_server: LiveServer, scene: Scene
) -> None:
    # given a bridge connected that does not know the snapshot message (it never answers)
    url = f"ws://rialto.localhost:{porchlight_server.port}/ws/bridge/"
    async with ws_connect(url, additional_headers={"Authorization": f"Bearer {scene.bridge_token}"}) as old:
        await old.recv()  # hello

        # when its owner asks for a snapshot
        started = time.monotonic()
        response = await asyncio.to_thread(_owner_client(scene).post, f"/my/cameras/{scene.camera_id}/snapshot/")
        asked = json.loads(await asyncio.wait_for(old.recv(), timeout=5))

    # then the bridge was asked, and the owner is told within the wait, in words
    assert (asked["type"], asked["camera"]) == ("snapshot", scene.camera_id)
    assert response.status_code == 504
    assert "older version" in response.json()["error"]
    assert time.monotonic() - started < 15


async def test_an_older_bridge_gets_no_frame_of_a_masked_camera_relayed(
    porchlight_server: LiveServer, scene: Scene
) -> None:
    # given a masked camera, and a bridge that never says it applies masks
    committed(_mask_camera, scene, [MASK])

    bridge_url = f"ws://rialto.localhost:{porchlight_server.port}/ws/bridge/"
    view_url = f"ws://rialto.localhost:{porchlight_server.port}/ws/live/{scene.camera_id}/?purpose={scene.purpose_id}"
    async with ws_connect(bridge_url, additional_headers={"Authorization": f"Bearer {scene.bridge_token}"}) as old:
        await old.recv()  # hello
        async with ws_connect(view_url, additional_headers={"Cookie": f"sessionid={scene.session_key}"}) as view:
            assert json.loads(await view.recv())["type"] == "session"
            start = json.loads(await asyncio.wait_for(old.recv(), timeout=5))

            # when it sends frames of that camera anyway
            for _ in range(3):
                await old.send(frame(scene.camera_id, JPEG))
                await asyncio.sleep(0.2)

            # then the viewer gets none of them, only the word that the camera is not responding
            received = await _all_within(view, seconds=2)

    assert start["masks"] == [MASK]
    assert not any(isinstance(m, bytes) for m in received)
    assert {"type": "status", "state": "error"} in [json.loads(m) for m in received]
    _, page = await asyncio.to_thread(lambda: (0, _owner_client(scene).get(f"/my/cameras/{scene.camera_id}/live/")))
    assert "does not apply privacy masks" in page.content.decode()


def test_the_officers_live_picture_is_black_inside_the_owners_mask(
    porchlight_server: LiveServer, scene: Scene, bridge_program: BridgeProgram, browser: Any, shot: Any
) -> None:
    # given a masked camera whose bridge runs, and an officer who opens its live view
    from tests.e2e.test_live_relay import _watching

    committed(_mask_camera, scene, [MASK])
    bridge_program.start()
    bridge_program.wait_for("hello:", 20)
    context, page = _watching(porchlight_server, browser, scene)
    shot(page, "live-view-masked")

    # when the page has drawn pictures: read the canvas inside and beside the mask
    pixels = page.evaluate(
        """(mask) => { const c = document.querySelector('.live-tile canvas'); const ctx = c.getContext('2d');
        const at = (fx, fy) => Array.from(
          ctx.getImageData(Math.floor(fx * c.width), Math.floor(fy * c.height), 1, 1).data).slice(0, 3);
        const inside = [], beside = [];
        for (const fx of [0.05, 0.15, 0.25, 0.35, 0.45]) for (const fy of [0.3, 0.4, 0.5, 0.6, 0.7]) {
          inside.push(at(mask[0] + fx * mask[2] / 0.5, fy)); beside.push(at(0.55 + fx * 0.9, fy)); }
        return { inside, beside }; }""",
        MASK,
    )

    # then inside the mask it is black, beside it the camera's picture shows
    assert max(max(p) for p in pixels["inside"]) <= 24
    assert sum(sum(p) for p in pixels["beside"]) / len(pixels["beside"]) > 150
    context.close()


def test_the_owner_takes_a_snapshot_draws_a_mask_over_it_and_saves_it(
    porchlight_server: LiveServer, scene: Scene, bridge_program: BridgeProgram, browser: Any, shot: Any
) -> None:
    # given the owner on their camera's live page, its bridge connected
    bridge_program.start()
    bridge_program.wait_for("hello:", 20)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    session = committed(_session_of, scene.owner_id)
    context.add_cookies([{"name": "sessionid", "value": session, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()
    page.goto(porchlight_server.url("rialto.localhost", f"/my/cameras/{scene.camera_id}/live/"))

    # when they take a snapshot, drag a rectangle over its left half and save
    page.click("#snapshot-take")
    page.wait_for_function("() => !document.getElementById('snapshot-image').hidden", timeout=15000)
    box = page.locator("#mask-editor").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.6, steps=5)
    page.mouse.up()
    shot(page, "owner-draws-a-mask")
    page.click("#masks-form button[type=submit]")
    page.wait_for_url(f"**/my/cameras/{scene.camera_id}/live/")
    said = page.locator("#snapshot-message").inner_text() if page.locator("#snapshot-message").count() else ""
    context.close()

    # then the camera has that one mask, where it was drawn
    masks = committed(lambda: Camera.objects.get(pk=scene.camera_pk).privacy_masks)
    assert len(masks) == 1
    assert [round(v, 1) for v in masks[0]] == [0.1, 0.2, 0.3, 0.4]
    assert said == ""  # a fresh page after the save: the picture was not kept
