"""Redis stopped while live views run, with real processes: a uvicorn server whose channel
layer, cache and broker are a private redis-server, and the real bridge program streaming its
test pattern. The viewers are told "relay unavailable" (4503) within 2 s; reconnecting goes
through the gate again (a consent withdrawn while Redis was down refuses it); once Redis is
back, a new view shows pictures with the same server and bridge processes, nothing restarted."""

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from bridge.net import ws_connect
from cameras import services
from cameras.models import Camera
from live.consumers import VIEWER_DENIED, VIEWER_RELAY_UNAVAILABLE
from tenants.models import DepartmentPolicy
from tests.e2e.conftest import LiveServer
from tests.e2e.test_bridge_program import BridgeProgram
from tests.faults.test_redis_down import PrivateRedis
from tests.live.test_consumers import Scene, _scene, committed
from tests.site_client import signed_in, uvicorn_server

pytestmark = [pytest.mark.django_db, pytest.mark.server]

HOST = "rialto.localhost"


@pytest.fixture(scope="module")
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def server(django_db_setup: None, private_redis: PrivateRedis) -> Iterator[int]:
    # REDIS_URL feeds the channel layer, the cache and the Celery broker (config/settings).
    with uvicorn_server(REDIS_URL=f"redis://127.0.0.1:{private_redis.port}/0") as port:
        yield port


@pytest.fixture
def scene() -> Scene:
    return committed(_scene, level="live")


@pytest.fixture
def bridge_program(server: int, scene: Scene, tmp_path: Path) -> Iterator[BridgeProgram]:
    program = BridgeProgram(LiveServer(port=server, mail_dir=tmp_path), scene, tmp_path)
    program.start()
    yield program
    program.stop()


def _open(port: int, scene: Scene) -> Any:
    url = f"ws://{HOST}:{port}/ws/live/{scene.camera_id}/?purpose={scene.purpose_id}"
    return ws_connect(url, additional_headers={"Cookie": f"sessionid={scene.session_key}"}, open_timeout=30)


async def _first_frame(ws: Any, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        message = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
        if isinstance(message, bytes):
            return message


async def _closed(ws: Any, timeout: float) -> tuple[int | None, float]:
    """The close code the server sent, and how long after the call it came."""
    started = time.monotonic()
    async with asyncio.timeout(timeout):
        try:
            while True:
                await ws.recv()
        except ConnectionClosed as closed:
            received = closed.rcvd
    return (received.code if received else None), time.monotonic() - started


async def _watching(port: int, scene: Scene, bridge: BridgeProgram, timeout: float = 30) -> Any:
    """A view that shows pictures; the bridge may still be reconnecting, so retry until then."""
    deadline = time.monotonic() + timeout
    while True:
        ws = await _open(port, scene)
        session = json.loads(await ws.recv())
        try:
            assert session["type"] == "session", session
            await _first_frame(ws, timeout=max(0.5, min(5, deadline - time.monotonic())))
            return ws
        except (TimeoutError, ConnectionClosed):
            await ws.close()
            assert time.monotonic() < deadline, f"no pictures:\n{bridge.log.read_text()[-2000:]}"


def _consent_live(scene: Scene) -> None:
    def grant() -> None:
        camera = Camera.objects.select_related("site__owner").get(pk=scene.camera_pk)
        policy = DepartmentPolicy.objects.get(department__schema_name="rialto")
        services.consent_set(owner=camera.site.owner, camera=camera, policy=policy, level="live")

    committed(grant)


async def test_redis_stopped_under_live_views_closes_them_reauthorizes_and_recovers(
    server: int, private_redis: PrivateRedis, scene: Scene, bridge_program: BridgeProgram
) -> None:
    # given two officers' views of a camera, pictures flowing from the real bridge, and its
    # owner signed in to the portal
    await asyncio.to_thread(bridge_program.wait_for, "hello:", 30)
    views = [await _watching(server, scene, bridge_program) for _ in range(2)]
    owner_email = committed(lambda: Camera.objects.get(pk=scene.camera_pk).site.owner.email)
    owner = await asyncio.to_thread(signed_in, server, HOST, owner_email)

    # when Redis stops
    private_redis.kill()
    closes = await asyncio.gather(*(_closed(ws, timeout=10) for ws in views))

    # then every viewer is told the relay is unavailable, within 2 s
    assert [code for code, _ in closes] == [VIEWER_RELAY_UNAVAILABLE] * 2
    assert max(took for _, took in closes) < 2.0, closes

    # when the owner withdraws consent while Redis is still down, Redis comes back and the
    # viewer reconnects
    withdrawn = await asyncio.to_thread(owner.post, "/my/revoke-all/", {"confirm": "yes"})
    private_redis.start()
    async with _open(server, scene) as ws:
        refusal = json.loads(await ws.recv())
        refused_code, _ = await _closed(ws, timeout=10)

    # then the gate ran again and refused the view
    assert withdrawn.status == 302, withdrawn.body[-2000:]
    assert (refusal["type"], refused_code) == ("denied", VIEWER_DENIED), refusal
    assert refusal["reason"] == "revoked", refusal

    # when the owner grants live consent again and an officer opens a new view
    _consent_live(scene)
    ws = await _watching(server, scene, bridge_program)

    # then pictures flow again, from the same server and bridge processes
    await ws.close()
    assert bridge_program.process is not None
    assert bridge_program.process.poll() is None
