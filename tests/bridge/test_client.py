"""The bridge program against a fake Porchlight server run in the test (no database needed).

The fake server speaks the protocol of docs/bridge-protocol.md and records what the bridge
sends; each test scripts what the server says. The bridge dials ws://bridge-test.localhost:<port>,
which only works because bridge.net resolves *.localhost to loopback itself.
"""

import asyncio
import contextlib
import io
import json
import random
import socket
import struct
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from websockets.asyncio.server import ServerConnection, serve

from bridge.client import (
    EXIT_USAGE,
    Backoff,
    BridgeClient,
    BridgeRejectedError,
    ConfigError,
    cancel_and_wait,
    load_config,
    main,
)
from bridge.sources import Frame, FrameSource, Unit, make_source

FFMPEG = "/usr/bin/ffmpeg"
HEADER = struct.Struct(">16sQ")
CAMERA = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"
OTHER_CAMERA = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
TOKEN = "bridge-secret-token"


@dataclass
class Received:
    at: float
    camera: uuid.UUID
    captured_us: int
    jpeg: bytes


@dataclass
class FakePorchlight:
    """Records every connection's request headers and what the bridge sent."""

    script: Callable[["FakePorchlight", ServerConnection], Awaitable[None]]
    port: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)
    frames: list[Received] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"ws://bridge-test.localhost:{self.port}"

    async def handler(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        self.requests.append({"path": ws.request.path, **dict(ws.request.headers.raw_items())})
        reader = asyncio.create_task(self._read(ws))
        with contextlib.suppress(Exception):
            await self.script(self, ws)
        reader.cancel()

    async def _read(self, ws: ServerConnection) -> None:
        async for message in ws:
            self._record(message)

    def _record(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            camera, captured = HEADER.unpack_from(message)
            self.frames.append(Received(time.monotonic(), uuid.UUID(bytes=camera), captured, message[HEADER.size :]))
            return
        data = json.loads(message)
        self.texts.append(data)
        self.statuses += [data] if data["type"] == "status" else []

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def fake_porchlight(
    script: Callable[[FakePorchlight, ServerConnection], Awaitable[None]],
) -> AsyncIterator[FakePorchlight]:
    fake = FakePorchlight(script)
    async with serve(fake.handler, "127.0.0.1", 0) as server:
        fake.port = server.sockets[0].getsockname()[1]
        yield fake


@contextlib.asynccontextmanager
async def running(client: BridgeClient) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(client.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, BridgeRejectedError):
            await task


def hello(cameras: list[str], *, max_frame_bytes: int = 1_048_576, max_fps: int = 15) -> str:
    return json.dumps(
        {
            "type": "hello",
            "bridge": str(uuid.uuid4()),
            "cameras": cameras,
            "max_frame_bytes": max_frame_bytes,
            "max_fps": max_fps,
        }
    )


def start(camera: str, *, fps: int, max_width: int) -> str:
    return json.dumps({"type": "start", "camera": camera, "fps": fps, "max_width": max_width})


async def serve_forever(fake: FakePorchlight, ws: ServerConnection) -> None:
    await ws.wait_closed()


class RecordingSource:
    """Wraps a real source and counts opens and closes."""

    def __init__(self, inner: FrameSource, log: list[str]) -> None:
        self.inner, self.log = inner, log

    def open(self) -> None:
        self.log.append("open")
        self.inner.open()

    def read(self) -> Frame | Unit:
        return self.inner.read()

    def close(self) -> None:
        self.log.append("close")
        self.inner.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def camera_standin() -> Iterator[str]:
    """Debian's ffmpeg serving HTTP MJPEG to one client, like a cheap IP camera."""
    assert Path(FFMPEG).exists(), f"{FFMPEG} is missing: `make test` installs ffmpeg (apt-get install ffmpeg)"
    port = free_port()
    url = f"http://127.0.0.1:{port}/cam.mjpg"
    args = "-hide_banner -loglevel error -re -f lavfi -i testsrc=size=640x360:rate=15 -q:v 5 -f mpjpeg -listen 1"
    proc = subprocess.Popen([FFMPEG, *args.split(), url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield url
    proc.kill()
    proc.wait(timeout=5)


def jpeg_size(jpeg: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(jpeg)) as img:
        img.verify()
        return img.size


# --- streaming -----------------------------------------------------------------------------------


async def test_start_streams_test_pattern_as_headed_jpegs_within_fps_and_width() -> None:
    # given a server that starts the camera at 10 fps, 320 px wide, and a bridge with a test pattern
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.send(start(CAMERA, fps=10, max_width=320))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"})

        # when the bridge runs for two seconds after its first frame
        async with running(client):
            await fake.wait_for(lambda: len(fake.frames) >= 1)
            first = fake.frames[0].at
            await asyncio.sleep(2.0)
            in_two_seconds = [f for f in fake.frames if f.at - first < 2.0]

    # then it dialled /ws/bridge/ on loopback with its token and the original Host
    assert fake.requests[0]["path"] == "/ws/bridge/"
    assert fake.requests[0]["Authorization"] == f"Bearer {TOKEN}"
    assert fake.requests[0]["Host"] == f"bridge-test.localhost:{fake.port}"
    # and it reported streaming, then sent JPEGs of that camera with a recent capture time
    assert fake.statuses[0] == {"type": "status", "camera": CAMERA, "state": "streaming", "detail": ""}
    assert {f.camera for f in fake.frames} == {uuid.UUID(CAMERA)}
    assert all(abs(f.captured_us / 1e6 - time.time()) < 10 for f in fake.frames)
    assert all(f.jpeg.startswith(b"\xff\xd8") and f.jpeg.endswith(b"\xff\xd9") for f in fake.frames)
    # and never faster than requested, but close to it
    assert 12 <= len(in_two_seconds) <= 2 * 10 + 1
    # and scaled down to max_width, keeping 16:9
    assert {jpeg_size(f.jpeg) for f in fake.frames} == {(320, 180)}


async def test_stop_ends_frames_and_closes_the_source() -> None:
    # given a bridge streaming a camera whose source records opens and closes
    stopped = asyncio.Event()

    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.send(start(CAMERA, fps=15, max_width=1280))
        await fake.wait_for(lambda: len(fake.frames) >= 5)
        await ws.send(json.dumps({"type": "stop", "camera": CAMERA}))
        await fake.wait_for(lambda: fake.statuses[-1]["state"] == "stopped")
        stopped.set()
        await ws.wait_closed()

    log: list[str] = []
    async with fake_porchlight(script) as fake:
        client = BridgeClient(
            fake.url, TOKEN, {CAMERA: "test:"}, source_factory=lambda s: RecordingSource(make_source(s), log)
        )

        # when the server stops the camera
        async with running(client):
            await asyncio.wait_for(stopped.wait(), 10)
            frames_at_stop = len(fake.frames)
            await asyncio.sleep(0.7)

    # then no frame follows the stopped status, and the source was opened once and closed
    assert len(fake.frames) == frames_at_stop
    assert [s["state"] for s in fake.statuses] == ["streaming", "stopped"]
    assert log == ["open", "close"]


async def test_source_is_not_opened_before_start_and_ping_gets_pong() -> None:
    # given a server that says hello and pings but never starts a camera
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.send(json.dumps({"type": "ping"}))
        await ws.wait_closed()

    log: list[str] = []
    async with fake_porchlight(script) as fake:
        client = BridgeClient(
            fake.url, TOKEN, {CAMERA: "test:"}, source_factory=lambda s: RecordingSource(make_source(s), log)
        )

        # when the bridge runs
        async with running(client):
            await fake.wait_for(lambda: len(fake.texts) >= 1)
            await asyncio.sleep(0.3)

    # then it answered the ping and opened no camera
    assert [t for t in fake.texts if t["type"] != "features"] == [{"type": "pong"}]  # features: issue 19
    assert log == []
    assert fake.frames == []


async def test_a_server_message_nested_too_deep_is_ignored_and_the_bridge_goes_on() -> None:
    # given a server that sends a JSON text nested deeper than the parser's recursion limit
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.send("[" * 100_000 + "]" * 100_000)
        await ws.send(json.dumps({"type": "ping"}))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"})

        # when the bridge runs
        async with running(client):
            await fake.wait_for(lambda: len(fake.texts) >= 1)

    # then it ignored that message and answered the next, on its first connection
    assert [t for t in fake.texts if t["type"] != "features"] == [{"type": "pong"}]
    assert len(fake.requests) == 1


async def test_the_server_saying_the_clock_is_off_is_logged_as_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    # given a server that finds the bridge's clock 3 s behind and then pings
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.send(json.dumps({"type": "clock", "offset_ms": 3000}))
        await ws.send(json.dumps({"type": "ping"}))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"})

        # when the bridge runs
        with caplog.at_level("WARNING", logger="porchlight.bridge"):
            async with running(client):
                await fake.wait_for(lambda: len(fake.texts) >= 1)

    # then the owner reads what to fix, and the bridge carried on
    assert any("clock is 3.0 s behind" in r.getMessage() for r in caplog.records)
    assert [t for t in fake.texts if t["type"] != "features"] == [{"type": "pong"}]


async def test_frames_are_reencoded_below_max_frame_bytes() -> None:
    # given a server allowing only 6,000-byte frames (a 640x360 test pattern JPEG is larger)
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA], max_frame_bytes=6000))
        await ws.send(start(CAMERA, fps=15, max_width=1280))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"})

        # when the camera streams
        async with running(client):
            await fake.wait_for(lambda: len(fake.frames) >= 5)

    # then every frame, header included, fits and is still a whole JPEG
    assert max(HEADER.size + len(f.jpeg) for f in fake.frames) <= 6000
    assert all(jpeg_size(f.jpeg)[0] <= 640 for f in fake.frames)


async def test_frame_that_cannot_fit_is_skipped_with_an_error_status() -> None:
    # given a server allowing 300-byte frames, which no useful JPEG fits
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA], max_frame_bytes=300))
        await ws.send(start(CAMERA, fps=15, max_width=1280))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"})

        # when the camera is started
        async with running(client):
            await fake.wait_for(lambda: len(fake.statuses) >= 1)
            await asyncio.sleep(0.5)

    # then it reports an error once and sends nothing
    assert [(s["state"], s["detail"][:13]) for s in fake.statuses] == [("error", "frame skipped")]
    assert fake.frames == []


async def test_start_for_a_camera_not_in_bridge_toml_is_an_error_status() -> None:
    # given a server starting a camera this bridge has no source for
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA, OTHER_CAMERA]))
        await ws.send(start(OTHER_CAMERA, fps=10, max_width=1280))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"})

        # when the bridge gets the start
        async with running(client):
            await fake.wait_for(lambda: len(fake.statuses) >= 1)

    # then it says so
    assert fake.statuses[0]["camera"] == OTHER_CAMERA
    assert fake.statuses[0]["state"] == "error"
    assert "not configured" in fake.statuses[0]["detail"]


# --- close codes and reconnecting ----------------------------------------------------------------


async def test_close_4429_makes_the_bridge_reconnect() -> None:
    # given a server that closes every connection for a too-high frame rate
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.close(4429, "frame rate above the limit")

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"}, backoff=Backoff(base=0.05))

        # when the bridge runs
        async with running(client) as task:
            # (the server records a request before the client counts the connection as open)
            await fake.wait_for(lambda: len(fake.requests) >= 3 and client.connections >= 3)
            still_running = not task.done()

    # then it kept reconnecting instead of giving up
    assert client.connections >= 3
    assert still_running


async def test_a_connection_the_server_accepted_resets_the_backoff_however_short_it_lived() -> None:
    # given a server that accepts the bridge (hello) and loses each connection a moment later
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await asyncio.sleep(0.1)
        await ws.close(1011, "server error")

    async with fake_porchlight(script) as fake:
        backoff = Backoff(base=0.01)
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"}, backoff=backoff)

        # when it has been dropped eight times
        attempts: list[int] = []
        async with running(client):
            # The check records each attempt as it polls: append's None is used only to go on to the test.
            await fake.wait_for(lambda: attempts.append(backoff.attempt) or len(fake.requests) >= 8)  # type: ignore[func-returns-value]

    # then each reconnect waited as after a first failure, not ever longer
    assert max(attempts) <= 1


async def test_a_bridge_closed_for_its_own_fault_backs_off_further_each_time() -> None:
    # given a server that accepts the bridge and then closes it for a too-high frame rate
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.close(4429, "frame rate above the limit")

    async with fake_porchlight(script) as fake:
        backoff = Backoff(base=0.001)
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"}, backoff=backoff)

        # when it has been closed five times
        async with running(client):
            await fake.wait_for(lambda: len(fake.requests) >= 5)

    # then the backoff kept growing
    assert backoff.attempt >= 4


async def test_close_4431_waits_at_least_the_seconds_the_server_asked_for() -> None:
    # given a server that refuses the connection attempt for the rate limit, asking for 1 s
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.close(4431, "too many connection attempts; retry after 1 s")

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"}, backoff=Backoff(base=0.001))

        # when the bridge runs until it has tried twice
        async with running(client) as task:
            started = time.monotonic()
            await fake.wait_for(lambda: len(fake.requests) >= 2)
            waited = time.monotonic() - started
            still_running = not task.done()

    # then it waited the second before trying again (its own backoff was a millisecond), and runs on
    assert waited >= 1.0
    assert still_running


async def test_stopping_the_bridge_while_it_tears_down_a_connection_still_stops_it() -> None:
    # given a helper task that takes a moment to wind down when cancelled (like the text writer)
    async def slow_to_stop() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            await asyncio.sleep(0.2)

    winding_down = asyncio.Event()

    async def tear_down() -> str:
        helper = asyncio.create_task(slow_to_stop())
        await asyncio.sleep(0)
        winding_down.set()
        await cancel_and_wait(helper)
        return "carried on as if not told to stop"

    # when the bridge is told to stop while it waits for that helper
    outer = asyncio.create_task(tear_down())
    await winding_down.wait()
    outer.cancel()

    # then the stop is not swallowed
    with pytest.raises(asyncio.CancelledError):
        await outer


async def test_reconnect_after_server_restart_resumes_on_start() -> None:
    # given a server that goes away (1012) once, then starts the camera on the next connection
    async def restart(ws: ServerConnection) -> None:
        await ws.close(1012)

    async def start_camera(ws: ServerConnection) -> None:
        await ws.send(start(CAMERA, fps=5, max_width=640))
        await ws.wait_closed()

    plans = [restart, start_camera]

    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await plans[len(fake.requests) - 1](ws)

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"}, backoff=Backoff(base=0.05))

        # when the bridge runs
        async with running(client):
            await fake.wait_for(lambda: len(fake.frames) >= 2)

    # then frames flow on the second connection
    assert len(fake.requests) == 2


async def test_close_4401_ends_the_bridge_without_reconnecting() -> None:
    # given a server that rejects the token
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.close(4401, "bad token")

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"}, backoff=Backoff(base=0.01))

        # when the bridge runs
        with pytest.raises(BridgeRejectedError, match="wrong or has been revoked") as rejected:
            await asyncio.wait_for(client.run(), 5)
        await asyncio.sleep(0.3)

    # then it stopped after one connection
    assert rejected.value.code == 4401
    assert len(fake.requests) == 1


async def test_main_exits_non_zero_on_4404(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given a server that does not know the host name, and a valid bridge.toml
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.close(4404, "unknown host")

    config = tmp_path / "bridge.toml"
    config.write_text(f'[cameras]\n"{CAMERA}" = "test:"\n')
    async with fake_porchlight(script) as fake:
        # when the program runs (main() runs its own event loop, so on another thread)
        argv = ["--url", fake.url, "--token", TOKEN, "--config", str(config), "--log-level", "ERROR"]
        code = await asyncio.to_thread(main, argv)

    # then it exits non-zero with one clear line
    assert code == 3
    assert "4404" in capsys.readouterr().err


def test_backoff_grows_exponentially_with_full_jitter_and_caps_at_30s() -> None:
    # given the default backoff with a seeded random generator
    backoff = Backoff(rng=random.Random(1234))  # noqa: S311

    # when drawing twelve delays, then many more at the cap
    delays = [backoff.next_delay() for _ in range(12)]
    capped = [backoff.next_delay() for _ in range(2000)]

    # then the ceilings go 0.5, 1, 2, … and stop at 30 s, each delay within its ceiling
    ceilings = [backoff.ceiling(n) for n in range(12)]
    assert ceilings == [0.5, 1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    # and the jitter is full: from near 0 up to near the cap, never beyond
    assert min(capped) < 1
    assert 29 < max(capped) <= 30


def test_backoff_reset_starts_over() -> None:
    # given a backoff that has grown
    backoff = Backoff(rng=random.Random(7))  # noqa: S311
    _ = [backoff.next_delay() for _ in range(8)]

    # when reset (after a connection that lasted over a minute)
    backoff.reset()

    # then the next delay is back under the first ceiling
    assert backoff.next_delay() <= 0.5


# --- configuration and command line --------------------------------------------------------------


def test_config_maps_camera_uuids_to_sources(tmp_path: Path) -> None:
    # given a bridge.toml with three kinds of source
    path = tmp_path / "bridge.toml"
    path.write_text(
        f'[cameras]\n"{CAMERA.upper()}" = "rtsp://u:p@10.0.0.5/s1"\n"{OTHER_CAMERA}" = "http://10.0.0.6/video.mjpg"\n'
    )

    # when it is loaded
    config = load_config(path)

    # then camera ids are canonical UUIDs
    assert config.cameras == {CAMERA: "rtsp://u:p@10.0.0.5/s1", OTHER_CAMERA: "http://10.0.0.6/video.mjpg"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[cameras\n", "not valid TOML"),
        ("[other]\n", "needs a [cameras] table"),
        ('[cameras]\n"not-a-uuid" = "test:"\n', "is not a camera UUID"),
        (f'[cameras]\n"{CAMERA}" = "ftp://cam/x"\n', "unknown source 'ftp://cam/x'"),
    ],
)
def test_config_errors_are_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    # given a broken bridge.toml
    path = tmp_path / "bridge.toml"
    path.write_text(content)

    # when it is loaded, then the error says what is wrong in one line
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")) as error:
        load_config(path)
    assert "\n" not in str(error.value)


def test_main_fails_fast_on_a_missing_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given no bridge.toml
    argv = ["--url", "ws://rialto.localhost:8000", "--token", TOKEN, "--config", str(tmp_path / "nope.toml")]

    # when the program starts
    code = main(argv)

    # then it exits with a usage error and one line on stderr
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert err.count("\n") == 1
    assert "nope.toml not found" in err


# --- a real camera stand-in ----------------------------------------------------------------------


async def test_http_mjpeg_camera_standin_frames_are_forwarded(camera_standin: str) -> None:
    # given ffmpeg serving 640x360 MJPEG at 15 fps, and a server starting that camera at 15 fps
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.send(start(CAMERA, fps=15, max_width=1280))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: camera_standin})

        # when the bridge streams for a second and a half after the first frame
        async with running(client):
            await fake.wait_for(lambda: len(fake.frames) >= 1, timeout=15)
            first = fake.frames[0].at
            await asyncio.sleep(1.5)
            frames = [f for f in fake.frames if f.at - first < 1.5]

    # then the camera's JPEGs arrive whole, at its size, about as fast as it makes them
    assert all(f.jpeg.startswith(b"\xff\xd8") and f.jpeg.endswith(b"\xff\xd9") for f in frames)
    assert {jpeg_size(f.jpeg) for f in frames} == {(640, 360)}
    assert 12 <= len(frames) <= 1.5 * 15 + 1
    assert fake.statuses[-1]["state"] == "streaming"


def hello_v2(cameras: list[str]) -> str:
    """A version-2 server's hello: it takes H.264 units (docs/bridge-protocol.md, "Versions")."""
    v2 = {"protocol": 2, "codecs": ["jpeg", "h264"], "max_bitrate": 8_000_000}
    return json.dumps({**json.loads(hello(cameras)), **v2})


@pytest.mark.parametrize(
    ("server_hello", "start_codecs", "sends"),
    [
        (hello_v2, None, "h264"),  # a version-2 server: the camera's H.264
        (hello, None, "jpeg"),  # a version-1 server (no codecs in its hello): JPEG, as before
        (hello_v2, ["jpeg"], "jpeg"),  # a viewer whose browser cannot play H.264
    ],
    ids=["v2-server", "v1-server", "viewer-needs-jpeg"],
)
async def test_an_h264_camera_goes_as_h264_units_only_to_a_server_and_viewer_that_take_them(
    server_hello: Callable[[list[str]], str], start_codecs: list[str] | None, sends: str
) -> None:
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(server_hello([CAMERA]))
        message = {**json.loads(start(CAMERA, fps=10, max_width=320))}
        if start_codecs is not None:
            message["codecs"] = start_codecs
        await ws.send(json.dumps(message))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:320x180?codec=h264&rate=10"})
        async with running(client):
            await fake.wait_for(lambda: len(fake.frames) >= 12, timeout=20)

    kinds = {"h264" if f.jpeg[0] in (0, 1) else "jpeg" for f in fake.frames}
    codecs = [t for t in fake.texts if t["type"] == "codec"]
    assert kinds == {sends}
    assert len(codecs) == (1 if sends == "h264" else 0)
    if sends == "h264":  # the description first, then a keyframe that a player can start at
        assert (codecs[0]["camera"], codecs[0]["width"], codecs[0]["height"]) == (CAMERA, 320, 180)
        assert fake.frames[0].jpeg[0] == 1
        assert fake.frames[0].jpeg[1:5] == b"\x00\x00\x00\x01"
        assert [f.jpeg[0] for f in fake.frames[:12]].count(1) >= 2  # a keyframe every second
