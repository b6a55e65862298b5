"""issue 19: the bridge program re-encodes what cannot go as the camera sent it, against the
stand-in server of tests/bridge/test_client.py. A masked H.264 camera goes as H.264 (no longer
JPEG) and what leaves is black under the masks; an H.265 camera goes as H.264 at the bridge's
height cap and its owner's status says so; a second viewer gets a keyframe at once; a camera
file without timestamps that changes resolution keeps streaming."""

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest
from av.video.frame import VideoFrame
from websockets.asyncio.server import ServerConnection

from bridge.client import BridgeClient, ConfigError, load_config
from bridge.sources import FrameSource, RtspSource, SourceError, Unit
from tests.bridge.test_client import CAMERA, TOKEN, FakePorchlight, fake_porchlight, hello_v2, running
from tests.bridge.test_transcode import brightest, encode_clip, picture

LEFT_HALF = [[0, 0, 0.5, 1]]


def hello_masked(cameras: list[str]) -> str:
    """A server's hello that relays re-encoded H.264 of masked cameras (docs/bridge-protocol.md)."""
    return json.dumps({**json.loads(hello_v2(cameras)), "masked_codecs": ["h264"]})


def mpegts_h264(path: Path, frames: int = 20) -> Path:
    """An H.264 camera's stream as MPEG-TS (what an `http://….ts` source reads), 160x90."""
    with av.open(str(path), "w", format="mpegts") as container:
        stream: Any = container.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 160, 90, "yuv420p"
        stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        for index in range(frames):
            frame = VideoFrame.from_image(picture(160, 90)).reformat(format="yuv420p")
            frame.pts, frame.time_base = index, Fraction(1, 15)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def units_sent(fake: FakePorchlight) -> list[bytes]:
    """The Annex B of every H.264 unit the bridge sent (byte 24 is the flags)."""
    return [f.jpeg[1:] for f in fake.frames if f.jpeg[0] in (0, 1)]


def viewed(fake: FakePorchlight) -> list[Any]:
    decoder: Any = av.CodecContext.create("h264", "r")
    frames: list[Any] = []
    for data in units_sent(fake):
        frames += decoder.decode(av.Packet(data))
    return [f.to_image() for f in frames]


def start_with(masks: list[list[float]]) -> str:
    return json.dumps({"type": "start", "camera": CAMERA, "fps": 15, "max_width": 1280, "masks": masks})


async def test_a_masked_h264_camera_goes_as_h264_black_under_its_masks(tmp_path: Path) -> None:
    # given an H.264 camera (MPEG-TS) whose owner masked its left half, and a server taking H.264
    ts = mpegts_h264(tmp_path / "cam.ts")

    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello_masked([CAMERA]))
        await ws.send(start_with(LEFT_HALF))
        await ws.wait_closed()

    def source(spec: str) -> FrameSource:
        return RtspSource(str(ts), format="mpegts")

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "http://cam/x.ts"}, source_factory=source)
        async with running(client):
            await fake.wait_for(lambda: len(units_sent(fake)) >= 10)

    # then it went as H.264, not JPEG, and every picture a viewer decodes is black on the left
    assert all(f.jpeg[0] in (0, 1) for f in fake.frames)
    images = viewed(fake)
    assert len(images) >= 10
    for img in images:
        assert brightest(img, (0, 0, 80, 90)) <= 24
        assert brightest(img, (84, 0, 160, 90)) >= 200
    # and its owner is told that masking re-encodes the stream on the bridge
    notes = [s["detail"] for s in fake.statuses if s["state"] == "streaming"]
    assert notes[-1] == (
        "privacy masks: the H.264 stream is decoded, masked and re-encoded to H.264 at 160x90 on the bridge (CPU)"
    )


async def test_masks_set_on_a_passthrough_camera_restart_it_re_encoded_never_unmasked() -> None:
    # given an H.264 test camera streaming passthrough, whose owner then masks its left half
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello_masked([CAMERA]))
        await ws.send(start_with([]))
        await fake.wait_for(lambda: len(units_sent(fake)) >= 3)
        await ws.send(json.dumps({"type": "masks", "camera": CAMERA, "masks": LEFT_HALF}))
        fake.texts.append({"type": "masks-sent", "at": len(fake.frames)})
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:160x90?codec=h264&rate=15"})
        async with running(client):
            await fake.wait_for(lambda: any(t["type"] == "masks-sent" for t in fake.texts))
            before = next(t["at"] for t in fake.texts if t["type"] == "masks-sent")
            await fake.wait_for(lambda: len(fake.frames) >= before + 8)

    # then after a new description every unit is H.264 again, and black on the left
    after = [f.jpeg for f in fake.frames[before:]]
    assert all(unit[0] in (0, 1) for unit in after)
    first_key = next(i for i, unit in enumerate(after) if unit[0] == 1)
    decoder: Any = av.CodecContext.create("h264", "r")
    pictures = [frame.to_image() for unit in after[first_key:] for frame in decoder.decode(av.Packet(unit[1:]))]
    assert pictures
    assert all(brightest(img, (0, 0, 80, 90)) <= 24 for img in pictures)
    assert "decoded, masked and re-encoded" in fake.statuses[-1]["detail"]


async def test_a_camera_whose_masks_are_all_cleared_goes_back_to_passthrough() -> None:
    # given a masked H.264 camera streaming re-encoded, whose owner then clears its masks
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello_masked([CAMERA]))
        await ws.send(start_with(LEFT_HALF))
        await fake.wait_for(lambda: any(s["detail"] for s in fake.statuses))
        await ws.send(json.dumps({"type": "masks", "camera": CAMERA, "masks": []}))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:160x90?codec=h264&rate=15"})
        async with running(client):
            await fake.wait_for(lambda: len(fake.statuses) >= 2 and fake.statuses[-1]["detail"] == "")

    # then it streams passthrough again (no re-encoding, nothing for the owner to be told)
    details = [s["detail"] for s in fake.statuses if s["state"] == "streaming"]
    assert details[0].startswith("privacy masks: the H.264 stream is decoded, masked and re-encoded")
    assert details[-1] == ""


async def test_a_masked_h264_camera_goes_as_jpeg_to_a_server_that_relays_no_re_encoded_masked_h264() -> None:
    # given a server whose hello takes H.264 but does not say it relays it for masked cameras
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello_v2([CAMERA]))
        await ws.send(start_with(LEFT_HALF))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:160x90?codec=h264&rate=15"})
        async with running(client):
            await fake.wait_for(lambda: len(fake.frames) >= 3)

    # then the masked camera goes as JPEG (masked), as it did before re-encoding existed
    assert {f.jpeg[0] for f in fake.frames} == {0xFF}
    assert not any(t["type"] == "codec" for t in fake.texts)


async def test_an_h265_camera_goes_as_h264_at_the_height_cap_and_its_owner_is_told() -> None:
    # given an H.265 camera of 320x180 and a bridge whose bridge.toml caps re-encoding at 90 lines
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello_v2([CAMERA]))
        await ws.send(start_with([]))
        await fake.wait_for(lambda: len(units_sent(fake)) >= 3)
        await ws.send(start_with([]))  # a second viewer joins
        fake.texts.append({"type": "joined", "at": len(fake.frames)})
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:320x180?codec=h265&rate=15"}, transcode_max_height=90)
        async with running(client):
            await fake.wait_for(lambda: any(t["type"] == "joined" for t in fake.texts))
            joined = next(t["at"] for t in fake.texts if t["type"] == "joined")
            await fake.wait_for(lambda: len(fake.frames) >= joined + 5)

    codecs = [t for t in fake.texts if t["type"] == "codec"]
    assert [(c["width"], c["height"]) for c in codecs] == [(160, 90)]
    assert codecs[0]["codec"].startswith("avc1.")
    assert fake.statuses[-1] == {
        "type": "status",
        "camera": CAMERA,
        "state": "streaming",
        "detail": "H.265 camera: re-encoded to H.264 at 160x90 on the bridge",
    }
    # and the viewer who joined got a keyframe within a few units, not at the next second
    flags = [f.jpeg[0] for f in fake.frames]
    assert flags[0] == 1
    assert 1 in flags[joined : joined + 4]
    assert flags[1:joined].count(1) == 0


def test_a_camera_without_timestamps_that_changes_resolution_keeps_streaming(tmp_path: Path) -> None:
    # given a raw H.265 stream (no timestamps at all) that goes from 320x180 to 192x144
    raw = tmp_path / "cam.hevc"
    raw.write_bytes(b"".join(encode_clip("libx265", [(320, 180)] * 3 + [(192, 144)] * 3)))
    source = RtspSource(str(raw), format="hevc")
    source.encoded, source.max_height = True, 90

    source.open()
    units: list[Unit] = []

    def read_all() -> None:
        while True:
            unit = source.read()
            assert isinstance(unit, Unit)
            units.append(unit)

    with pytest.raises(SourceError, match="ended the stream"):  # the file's end, not a crash
        read_all()
    source.close()

    # then all six frames went out, the change with a new description, and the owner is told both
    assert len(units) == 6
    assert [(u.codec.width, u.codec.height) for u in units if u.codec is not None] == [(160, 90), (120, 90)]
    assert units[-1].note == (
        "H.265 camera: re-encoded to H.264 at 120x90 on the bridge; the camera changed its resolution from "
        "320x180 to 192x144; its stream has no timestamps, so frames are timed as they arrive"
    )


def test_bridge_toml_sets_the_height_cap_of_re_encoded_cameras(tmp_path: Path) -> None:
    config = tmp_path / "bridge.toml"
    config.write_text(f'[cameras]\n"{CAMERA}" = "test:"\n[transcode]\nmax_height = 480\n')
    assert load_config(config).transcode_max_height == 480

    config.write_text(f'[cameras]\n"{CAMERA}" = "test:"\n')
    assert load_config(config).transcode_max_height == 720

    config.write_text(f'[cameras]\n"{CAMERA}" = "test:"\n[transcode]\nmax_height = "720p"\n')
    with pytest.raises(ConfigError, match=r"\[transcode\] max_height must be a whole number from 90 to 4320"):
        load_config(config)
