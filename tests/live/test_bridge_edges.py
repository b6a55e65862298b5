"""Edges of the bridge protocol on the server side: what a bridge sends that it should not,
and what one token may hold (docs/bridge-protocol.md, "Close codes")."""

import asyncio
from typing import Any

import pytest

from tests.live.test_consumers import Scene, _scene, bridge, closed_with, committed, frame, json_of, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> Scene:
    return committed(_scene)


async def test_deeply_nested_json_from_a_bridge_is_closed_as_malformed(scene: Scene) -> None:
    # given a connected bridge
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)

    # when it sends a JSON text nested deeper than the parser's recursion limit
    await cam.send_to(text_data="[" * 100_000 + "]" * 100_000)

    # then it is closed with the documented code for a malformed message
    assert await closed_with(cam, within=2.0) == 4408


async def test_connections_beyond_the_cap_on_one_token_are_closed_with_4430(scene: Scene, settings: Any) -> None:
    # given a cap of two connections per token, and two open
    settings.PORCHLIGHT_LIVE_BRIDGE_MAX_CONNECTIONS = 2
    first, second, third = (bridge(scene.bridge_token) for _ in range(3))
    for comm in (first, second):
        await comm.connect()
        await json_of(comm)

    # when a third connects on the same token
    await third.connect()

    # then it is closed with the documented code, and the first two stay
    assert await closed_with(third, within=1.0) == 4430
    assert await first.receive_nothing(timeout=0.2)
    assert await second.receive_nothing(timeout=0.2)
    await first.disconnect()
    await second.disconnect()


async def test_two_connections_on_one_token_share_one_frame_rate_per_camera(scene: Scene, settings: Any) -> None:
    # given a limit of 4 frames a second (7 with the jitter headroom), two connections of the
    # bridge and an officer watching its camera
    settings.PORCHLIGHT_LIVE_MAX_FPS = 4
    first, second = bridge(scene.bridge_token), bridge(scene.bridge_token)
    for comm in (first, second):
        await comm.connect()
        await json_of(comm)
    view = viewer(scene)
    await view.connect()
    await json_of(view)

    # when each connection sends 6 frames of the camera at once (each within the limit alone)
    for comm in (first, second):
        for _ in range(6):
            await comm.send_to(bytes_data=frame(scene.camera_id))
    received = 0
    while not await view.receive_nothing(timeout=0.5):
        await view.receive_from(timeout=1)
        received += 1

    # then the viewer gets the camera's rate, not twice it
    assert received == 7
    await view.disconnect()
    for comm in (first, second):
        await comm.disconnect()


async def test_two_connections_streaming_one_camera_steadily_still_deliver_its_rate(
    scene: Scene, settings: Any
) -> None:
    # given a limit of 4 frames a second (7 with the headroom), two connections of the bridge
    # and an officer watching its camera
    settings.PORCHLIGHT_LIVE_MAX_FPS = 4
    first, second = bridge(scene.bridge_token), bridge(scene.bridge_token)
    for comm in (first, second):
        await comm.connect()
        await json_of(comm)
    view = viewer(scene)
    await view.connect()
    await json_of(view)

    # when both send the camera at 8 frames a second each for 2.5 s (an old and a new process)
    for _ in range(20):
        for comm in (first, second):
            await comm.send_to(bytes_data=frame(scene.camera_id))
        await asyncio.sleep(0.125)
    received = 0
    while not await view.receive_nothing(timeout=0.5):
        await view.receive_from(timeout=1)
        received += 1

    # then the viewer keeps getting about the camera's rate, not one second of it and then nothing
    assert 12 <= received <= 7 * 3
    await view.disconnect()
    for comm in (first, second):
        await comm.disconnect()
