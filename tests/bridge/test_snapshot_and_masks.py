"""issue 19, the bridge program's side: it says what it can do after each hello, takes a
snapshot only when asked (masked, answered with the request's id, or an error in words), and
starts no camera whose masks it cannot apply. Against a stand-in server (tests/bridge/test_client.py)."""

import asyncio
import base64
import io
import json

from PIL import Image
from websockets.asyncio.server import ServerConnection

from bridge.client import BridgeClient
from tests.bridge.test_client import CAMERA, OTHER_CAMERA, TOKEN, FakePorchlight, fake_porchlight, hello, running


async def test_the_bridge_says_it_applies_masks_and_takes_snapshots_after_hello() -> None:
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake, running(BridgeClient(fake.url, TOKEN, {CAMERA: "test:"})):
        await fake.wait_for(lambda: len(fake.texts) >= 1)

    assert fake.texts[0] == {"type": "features", "features": ["masks", "snapshot", "masked-h264"]}


async def test_a_snapshot_is_one_masked_picture_answered_with_the_request_id() -> None:
    # given a bridge asked for a snapshot of its camera, with the left half masked
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        request = {"type": "snapshot", "camera": CAMERA, "request": "r-1", "masks": [[0, 0, 0.5, 1]]}
        await ws.send(json.dumps(request))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake, running(BridgeClient(fake.url, TOKEN, {CAMERA: "test:"})):
        await fake.wait_for(lambda: any(t["type"] == "snapshot" for t in fake.texts), timeout=15)
        await asyncio.sleep(0.3)

    # then one answer came with the request's id, a JPEG black in the mask, and no frame
    answers = [t for t in fake.texts if t["type"] == "snapshot"]
    picture = Image.open(io.BytesIO(base64.b64decode(answers[0]["jpeg"]))).convert("RGB")
    masked = picture.crop((8, picture.height // 4, picture.width // 2 - 8, picture.height - 8))
    assert (len(answers), answers[0]["request"], answers[0]["camera"]) == (1, "r-1", CAMERA)
    assert max(high for _low, high in masked.getextrema()) <= 24  # type: ignore[misc]
    assert fake.frames == []


async def test_a_snapshot_of_a_camera_not_in_bridge_toml_is_an_error_in_words() -> None:
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA, OTHER_CAMERA]))
        await ws.send(json.dumps({"type": "snapshot", "camera": OTHER_CAMERA, "request": "r-2"}))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake, running(BridgeClient(fake.url, TOKEN, {CAMERA: "test:"})):
        await fake.wait_for(lambda: any(t["type"] == "snapshot" for t in fake.texts))

    answer = next(t for t in fake.texts if t["type"] == "snapshot")
    assert answer == {
        "type": "snapshot",
        "camera": OTHER_CAMERA,
        "request": "r-2",
        "error": "camera is not configured in this bridge's bridge.toml",
    }


async def test_a_start_whose_masks_cannot_be_applied_streams_nothing() -> None:
    # given a start whose mask reaches outside the picture
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.send(json.dumps({"type": "start", "camera": CAMERA, "fps": 5, "masks": [[0.8, 0, 0.5, 1]]}))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake, running(BridgeClient(fake.url, TOKEN, {CAMERA: "test:"})):
        await fake.wait_for(lambda: len(fake.statuses) >= 1)
        await asyncio.sleep(1.0)

    # then the camera reports an error and not a single frame left
    assert fake.statuses[0]["state"] == "error"
    assert "bad privacy masks" in fake.statuses[0]["detail"]
    assert fake.frames == []
