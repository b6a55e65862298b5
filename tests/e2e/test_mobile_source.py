"""A mobile source end to end: the real bridge program (``python -m bridge``) with a route
replayed as its position and the test pattern as its camera, against a real uvicorn with the
Redis channel layer; an officer's WebSocket as the viewer."""

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

from bridge.net import ws_connect
from cameras.models import Camera
from live.models import PositionSample
from tests.e2e.conftest import ROOT, LiveServer
from tests.live.test_position_relay import MobileScene, _mobile_scene, committed_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# North along a street in Rialto for ~330 m, then east.
ROUTE = {"type": "LineString", "coordinates": [[-117.3800, 34.1000], [-117.3800, 34.1030], [-117.3770, 34.1030]]}


@pytest.fixture
def scene() -> MobileScene:
    return committed_in("rialto", _mobile_scene)


@pytest.fixture
def bridge_program(porchlight_server: LiveServer, scene: MobileScene, tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "patrol.geojson").write_text(json.dumps(ROUTE))
    config = tmp_path / "bridge.toml"
    config.write_text(
        f'[cameras]\n"{scene.camera_id}" = "test:320x180"\n\n'
        f'[positions]\n"{scene.camera_id}" = "route:patrol.geojson?speed=15"\n'
    )
    log = tmp_path / "bridge.log"
    argv = [sys.executable, "-m", "bridge", "--url", f"ws://rialto.localhost:{porchlight_server.port}"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*argv, "--token", scene.bridge_token, "--config", str(config)],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=out,
        )
    yield log
    process.terminate()
    process.wait(timeout=10)


def _camera(scene: MobileScene) -> Camera:
    camera: Camera = committed_in("rialto", lambda: Camera.objects.get(pk=scene.camera_pk))
    return camera


def _track(scene: MobileScene) -> int:
    count: int = committed_in("rialto", lambda: PositionSample.objects.filter(camera_id=scene.camera_pk).count())
    return count


async def test_a_patrol_cameras_route_reaches_the_officer_watching_it_and_its_track_only_while_watched(
    porchlight_server: LiveServer, scene: MobileScene, bridge_program: Path
) -> None:
    # given the bridge of a patrol car's camera, connected and idle: its last-known position
    # arrives at once, moves the camera, and is kept in no track (nobody watches)
    deadline = time.monotonic() + 30
    while _camera(scene).position_at is None:
        assert time.monotonic() < deadline, bridge_program.read_text()[-2000:]
        await asyncio.sleep(0.2)
    assert _track(scene) == 0

    # when an officer watches it for a few seconds
    url = f"ws://rialto.localhost:{porchlight_server.port}/ws/live/{scene.camera_id}/?purpose={scene.purpose_id}"
    positions: list[dict[str, Any]] = []
    frames = 0
    async with ws_connect(url, additional_headers={"Cookie": f"sessionid={scene.session_key}"}) as ws:
        session = json.loads(await ws.recv())
        async with asyncio.timeout(30):
            while len(positions) < 4 or frames < 4:
                message = await ws.recv()
                if isinstance(message, bytes):
                    frames += 1
                elif json.loads(message)["type"] == "position":
                    positions.append(json.loads(message))
    watched = _track(scene)
    await asyncio.sleep(2.5)  # the bridge goes back to a position every 30 s, and no track

    # then the view got pictures and the car's positions, north along the route, about once a second
    assert session["type"] == "session"
    lats = [p["lat"] for p in positions]
    assert lats == sorted(lats)
    assert {p["heading"] for p in positions} == {0}
    assert all(34.0999 < p["lat"] < 34.1031 for p in positions)
    # and each one it received is a point of the track, which stops growing when the view ends
    assert watched >= len(positions)
    assert _track(scene) == watched
    camera = _camera(scene)
    assert round(camera.location.y, 4) >= round(positions[-1]["lat"], 4)
