"""The real bridge program (``python -m bridge``, its lavfi test source as the camera)
against a real uvicorn with the Redis channel layer.

Live view with nothing flowing for a while: streams in the other tests never idle; these wait
on purpose (30 s, 15 s), longer than any Redis read timeout of the layer."""

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bridge.net import ws_connect
from tests.e2e.conftest import ROOT, LiveServer
from tests.live.test_consumers import Scene, _scene, committed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


class BridgeProgram:
    """``python -m bridge`` for one scene, its log in a file the test reads."""

    def __init__(self, server: LiveServer, scene: Scene, folder: Path) -> None:
        self.config = folder / "bridge.toml"
        self.config.write_text(f'[cameras]\n"{scene.camera_id}" = "test:"\n')
        self.log = folder / "bridge.log"
        self.argv = [
            sys.executable,
            "-m",
            "bridge",
            "--url",
            f"ws://rialto.localhost:{server.port}",
            "--token",
            scene.bridge_token,
            "--config",
            str(self.config),
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.argv, cwd=ROOT, env=dict(os.environ), stdout=out, stderr=out)

    def lines(self, marker: str) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if marker in line]

    def wait_for(self, marker: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.lines(marker):
            assert time.monotonic() < deadline, f"no {marker!r} in the bridge's log:\n{self.log.read_text()[-2000:]}"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def scene() -> Scene:
    return committed(_scene, level="live")


@pytest.fixture
def bridge_program(porchlight_server: LiveServer, scene: Scene, tmp_path: Path) -> Iterator[BridgeProgram]:
    program = BridgeProgram(porchlight_server, scene, tmp_path)
    yield program
    program.stop()


def _viewer_url(server: LiveServer, scene: Scene) -> str:
    return f"ws://rialto.localhost:{server.port}/ws/live/{scene.camera_id}/?purpose={scene.purpose_id}"


async def _frames(ws: Any, count: int, timeout: float) -> list[bytes]:
    frames: list[bytes] = []
    deadline = time.monotonic() + timeout
    while len(frames) < count:
        message = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
        if isinstance(message, bytes):
            frames.append(message)
    return frames


async def test_a_bridge_idle_for_30_seconds_stays_connected_and_streams_when_a_view_starts(
    porchlight_server: LiveServer, scene: Scene, bridge_program: BridgeProgram
) -> None:
    # given a bridge that connected and then had nothing to do for 30 s
    bridge_program.start()
    await asyncio.to_thread(bridge_program.wait_for, "hello:", 20)
    await asyncio.sleep(30)

    # when an officer opens a live view of its camera
    async with ws_connect(
        _viewer_url(porchlight_server, scene), additional_headers={"Cookie": f"sessionid={scene.session_key}"}
    ) as ws:
        session = json.loads(await ws.recv())
        frames = await _frames(ws, count=5, timeout=15)

    # then the view gets pictures, over the one connection the bridge opened at the start
    assert session["type"] == "session"
    assert len(frames) == 5
    assert bridge_program.lines("disconnected") == []
    assert len(bridge_program.lines("connected to")) == 1


async def test_a_viewer_waits_15_seconds_for_a_bridge_and_then_sees_its_pictures(
    porchlight_server: LiveServer, scene: Scene, bridge_program: BridgeProgram
) -> None:
    # given an officer watching a camera whose bridge is not running
    async with ws_connect(
        _viewer_url(porchlight_server, scene), additional_headers={"Cookie": f"sessionid={scene.session_key}"}
    ) as ws:
        session = json.loads(await ws.recv())

        # when no picture arrives for 15 s, and then the owner starts the bridge
        waited: list[Any] = []
        deadline = time.monotonic() + 15
        with contextlib.suppress(TimeoutError):
            while time.monotonic() < deadline:
                waited.append(await asyncio.wait_for(ws.recv(), timeout=max(0.05, deadline - time.monotonic())))
        bridge_program.start()
        frames = await _frames(ws, count=5, timeout=30)

    # then the view stayed open all along, was told once that the camera did not respond
    # (issue 19: after 10 s without a first picture), and shows the bridge's pictures
    assert session["type"] == "session"
    assert [json.loads(m) for m in waited] == [{"type": "status", "state": "stalled"}]
    assert len(frames) == 5


def test_a_bridge_pointed_at_a_host_no_department_uses_exits_with_status_3(
    porchlight_server: LiveServer, tmp_path: Path
) -> None:
    # given a bridge configured with the server's address under a name no department uses
    config = tmp_path / "bridge.toml"
    config.write_text('[cameras]\n"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b" = "test:"\n')
    argv = [sys.executable, "-m", "bridge", "--url", f"ws://nowhere.localhost:{porchlight_server.port}"]

    # when it runs
    done = subprocess.run(
        [*argv, "--token", "plb_x", "--config", str(config)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    # then the server told it why (4404) and it stopped instead of retrying for ever
    assert done.returncode == 3
    assert "4404" in done.stderr
