"""The relay across two server processes on one Redis, as behind a load balancer: a bridge
connected to one uvicorn, its viewer on the other. Every push crosses between them through
the channel layer (pub/sub): the viewer's start and stop reach the bridge, frames reach the
viewer, and an owner's revocation, pause or bridge revocation, committed by a third process
(this one, as a web request or a Celery task would), ends the view or the bridge at once.

The servers check each view only every 30 s on their own (PORCHLIGHT_LIVE_WATCH_INTERVAL), so
what ends a view within a second here is the push, and nothing else."""

import asyncio
import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from websockets.exceptions import ConnectionClosed

from bridge import protocol
from bridge.net import ws_connect
from cameras import services, suspensions
from cameras.models import Camera
from live import services as live_services
from live.models import Bridge
from tests.live.test_consumers import JPEG, Scene, _scene, closed_with, committed, frame, json_of
from tests.live.test_consumers import bridge as bridge_communicator
from tests.site_client import uvicorn_server

pytestmark = [pytest.mark.django_db, pytest.mark.server]

HOST = "rialto.localhost"


@pytest.fixture(scope="module")
def two_servers(django_db_setup: None) -> Iterator[tuple[int, int]]:
    only_pushes = {"PORCHLIGHT_LIVE_WATCH_INTERVAL": "30"}
    with uvicorn_server(**only_pushes) as first, uvicorn_server(**only_pushes) as second:
        yield first, second


async def _json(ws: Any, kind: str, timeout: float = 10) -> dict[str, Any]:
    """The next text message of type ``kind`` (frames and other messages before it skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        message = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
        if isinstance(message, str) and json.loads(message).get("type") == kind:
            return dict(json.loads(message))


async def _drain(ws: Any, timeout: float) -> None:
    while True:
        await asyncio.wait_for(ws.recv(), timeout=timeout)


async def _closed(ws: Any, timeout: float) -> int:
    """Read until the server closes the socket; its close code."""
    with pytest.raises(ConnectionClosed) as closed:
        await _drain(ws, timeout)
    assert closed.value.rcvd is not None
    return int(closed.value.rcvd.code)


def _bridge(port: int, scene: Scene) -> Any:
    return ws_connect(
        f"ws://{HOST}:{port}/ws/bridge/", additional_headers={"Authorization": f"Bearer {scene.bridge_token}"}
    )


def _viewer(port: int, scene: Scene) -> Any:
    return ws_connect(
        f"ws://{HOST}:{port}/ws/live/{scene.camera_id}/?purpose={scene.purpose_id}",
        additional_headers={"Cookie": f"sessionid={scene.session_key}"},
    )


def _jpeg(mark: str) -> bytes:
    """A frame the server takes for a JPEG, told apart by ``mark``."""
    return b"\xff\xd8" + mark.encode() + b"\x00" * 2000 + b"\xff\xd9"


def _revoke_consent(scene: Scene) -> None:
    camera = Camera.objects.get(pk=scene.camera_pk)
    services.consent_revoke(owner=camera.site.owner, camera=camera)


def _pause_all(scene: Scene) -> None:
    suspensions.cameras_pause_all(owner=Camera.objects.get(pk=scene.camera_pk).site.owner)


@pytest.mark.parametrize("withdraw", [_revoke_consent, _pause_all], ids=["consent-revoked", "pause-all"])
async def test_a_bridge_on_one_process_streams_to_a_viewer_on_the_other_until_the_owner_withdraws(
    two_servers: tuple[int, int], withdraw: Callable[[Scene], None]
) -> None:
    scene = committed(_scene)
    bridge_port, viewer_port = two_servers

    async with _bridge(bridge_port, scene) as cam:
        await _json(cam, protocol.HELLO)
        async with _viewer(viewer_port, scene) as view:
            session = await _json(view, "session")
            start = await _json(cam, protocol.START)  # from the viewer's process to the bridge's
            for _ in range(5):
                await cam.send(frame(scene.camera_id))
            frames = [await asyncio.wait_for(view.recv(), 10) for _ in range(5)]

            committed(withdraw, scene)
            withdrawn_at = time.monotonic()
            code = await _closed(view, timeout=5)
            closed_after = time.monotonic() - withdrawn_at
        stop = await _json(cam, protocol.STOP)  # nobody watches any more: back across

    assert session["type"] == "session"
    assert start["camera"] == scene.camera_id
    assert all(isinstance(f, bytes) and f[8:] == JPEG for f in frames)
    assert code == 4410
    assert closed_after <= 1.0
    assert stop["camera"] == scene.camera_id


async def test_a_bridge_revoked_while_its_viewer_is_on_the_other_process_is_disconnected_at_once(
    two_servers: tuple[int, int],
) -> None:
    scene = committed(_scene)
    bridge_port, viewer_port = two_servers

    async with _bridge(bridge_port, scene) as cam:
        await _json(cam, protocol.HELLO)
        async with _viewer(viewer_port, scene) as view:
            await _json(view, "session")
            await _json(cam, protocol.START)

            committed(
                lambda: live_services.bridge_revoke(
                    owner=Camera.objects.get(pk=scene.camera_pk).site.owner,
                    bridge=Bridge.objects.get(public_id=scene.bridge_id),
                )
            )
            revoked_at = time.monotonic()
            code = await _closed(cam, timeout=5)
            closed_after = time.monotonic() - revoked_at

    assert code == protocol.CLOSE_BAD_TOKEN
    assert closed_after <= 1.0


async def test_viewers_on_both_processes_each_get_every_frame_once(two_servers: tuple[int, int]) -> None:
    scene = committed(_scene)
    bridge_port, other_port = two_servers

    async with _bridge(bridge_port, scene) as cam:
        await _json(cam, protocol.HELLO)
        async with _viewer(bridge_port, scene) as near, _viewer(other_port, scene) as far:
            for view in (near, far):
                await _json(view, "session")
            await _json(cam, protocol.START)
            sent = [frame(scene.camera_id, _jpeg(f"{i}")) for i in range(10)]
            for message in sent:
                await cam.send(message)
            got = {
                name: [await asyncio.wait_for(view.recv(), 10) for _ in sent]
                for name, view in (("near", near), ("far", far))
            }
            # nothing more than the ten (no copy twice): the next message is the one sent after
            await cam.send(frame(scene.camera_id, _jpeg("end")))
            after = [await asyncio.wait_for(view.recv(), 10) for view in (near, far)]

    expected = [m[24:] for m in sent]
    assert [f[8:] for f in got["near"]] == expected
    assert [f[8:] for f in got["far"]] == expected
    assert [f[8:] for f in after] == [_jpeg("end"), _jpeg("end")]


# --- a subscriber connection dropped while Redis stays up ----------------------------------------
# Pub/sub queues nothing: a start or stop published while the bridge's process has no
# subscriber connection is lost. The bridge's connection on the server compares, every few
# seconds, what it told the bridge with which of its cameras have viewers (live.presence) and
# tells the bridge again where they differ.


def _listening_pid(port: int) -> int:
    """The process listening on 127.0.0.1:``port`` (the uvicorn of that port)."""
    inodes = {
        line.split()[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == port
    }
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd).removeprefix("socket:[").removesuffix("]") in inodes for fd in fd_dir.iterdir()):
                return int(fd_dir.parent.name)
    raise AssertionError(f"nothing listens on port {port}")


def _redis_ports_of(pid: int) -> set[int]:
    """The local ports of the process's TCP connections (to Redis among others)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            inodes.add(os.readlink(fd).removeprefix("socket:[").removesuffix("]"))
    return {
        int(line.split()[1].split(":")[1], 16)
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[9] in inodes
    }


class _SubscriberDropped:
    """From start() to stop(), the pub/sub subscriber connection of the process ``pid`` is
    killed (CLIENT KILL) whenever it has connected again; Redis itself stays up, and so do the
    process's other connections (it still publishes). ``killed``: the Redis client ids killed."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.killed: list[int] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._kill, daemon=True)

    def _kill(self) -> None:
        client = redis.Redis.from_url(settings.REDIS_URL)
        try:
            while not self.done.is_set():
                ports = _redis_ports_of(self.pid)
                for entry in client.client_list(_type="pubsub"):
                    if int(entry["addr"].rsplit(":", 1)[1]) in ports:
                        client.client_kill_filter(_id=entry["id"])
                        self.killed.append(int(entry["id"]))
                time.sleep(0.02)
        finally:
            client.close()

    def start(self) -> None:
        self.thread.start()
        time.sleep(0.2)  # its subscriber is down before what follows is published

    def stop(self) -> None:
        self.done.set()
        if self.thread.is_alive():
            self.thread.join()


async def test_a_start_lost_while_the_bridges_subscriber_was_down_still_reaches_the_bridge(
    two_servers: tuple[int, int],
) -> None:
    scene = committed(_scene)
    bridge_port, viewer_port = two_servers
    dropped = _SubscriberDropped(_listening_pid(bridge_port))

    async with _bridge(bridge_port, scene) as cam:
        await _json(cam, protocol.HELLO)
        dropped.start()
        try:
            async with _viewer(viewer_port, scene) as view:
                await _json(view, "session")  # its start was published: into the gap
                await asyncio.sleep(0.3)
                dropped.stop()
                back_at = time.monotonic()
                start = await _json(cam, protocol.START, timeout=8)
                waited = time.monotonic() - back_at
        finally:
            dropped.stop()

    assert dropped.killed
    assert start["camera"] == scene.camera_id
    assert waited < 5


async def test_a_stop_lost_while_the_bridges_subscriber_was_down_still_reaches_the_bridge(
    two_servers: tuple[int, int],
) -> None:
    scene = committed(_scene)
    bridge_port, viewer_port = two_servers
    dropped = _SubscriberDropped(_listening_pid(bridge_port))

    async with _bridge(bridge_port, scene) as cam:
        await _json(cam, protocol.HELLO)
        try:
            async with _viewer(viewer_port, scene) as view:
                await _json(view, "session")
                await _json(cam, protocol.START)
                dropped.start()
            await asyncio.sleep(0.5)  # the viewer's process publishes its stop: into the gap
            dropped.stop()
            back_at = time.monotonic()
            stop = await _json(cam, protocol.STOP, timeout=8)
            waited = time.monotonic() - back_at
        finally:
            dropped.stop()

    assert dropped.killed
    assert stop["camera"] == scene.camera_id
    assert waited < 5


async def test_a_bridge_whose_revocation_was_lost_while_its_subscriber_was_down_is_closed_at_its_heartbeat(
    settings: Any,
) -> None:
    # given a bridge connected to a server process (this one) that notes it every second
    settings.PORCHLIGHT_LIVE_BRIDGE_HEARTBEAT_SECONDS = 1.0
    scene = committed(_scene)
    cam = bridge_communicator(scene.bridge_token)
    await cam.connect()
    await json_of(cam)
    dropped = _SubscriberDropped(os.getpid())

    # when its owner revokes it while the process's subscriber is down: the push is lost
    dropped.start()
    try:
        committed(
            lambda: live_services.bridge_revoke(
                owner=Camera.objects.get(pk=scene.camera_pk).site.owner,
                bridge=Bridge.objects.get(public_id=scene.bridge_id),
            )
        )
        await asyncio.sleep(0.3)
    finally:
        dropped.stop()

    # then the connection is closed all the same, with "bad token", at its next heartbeat
    assert dropped.killed
    assert await closed_with(cam, within=5.0) == protocol.CLOSE_BAD_TOKEN
