"""Connection attempts on /ws/bridge/ are rate-limited per address and per token before the
token is checked (docs/rate-limits.md): a flood of bad tokens from one address is closed with
4431 and the seconds to wait, and never limits another address, another token or another
department."""

from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from bridge import protocol
from config.asgi import application
from tests.conftest import free_port
from tests.live.test_consumers import Communicator, Scene, _scene, closed_with, committed, json_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> Scene:
    return committed(_scene)


@pytest.fixture(autouse=True)
def small_limits(settings: Any) -> None:
    settings.PORCHLIGHT_RATE_LIMITS = {**settings.PORCHLIGHT_RATE_LIMITS, "bridge_connect": "3/m/ip,2/m/token"}


def _bridge(token: str, ip: str, host: str = "rialto.localhost") -> WebsocketCommunicator:
    headers = [(b"host", f"{host}:8000".encode()), (b"authorization", f"Bearer {token}".encode())]
    comm = Communicator(application, "/ws/bridge/", headers=headers)
    comm.scope["client"] = (ip, 50000)  # what uvicorn puts there (the proxy's X-Forwarded-For only from a trusted one)
    return comm


async def _close_of(comm: WebsocketCommunicator) -> tuple[int, str]:
    await comm.connect()
    while True:
        message = await comm.receive_output(timeout=5)
        if message["type"] == "websocket.close":
            return int(message.get("code", 1000)), str(message.get("reason", ""))


async def test_a_bad_token_flood_from_one_address_is_closed_with_4431_and_the_wait(scene: Scene) -> None:
    answers = [await _close_of(_bridge(f"wrong-{i}", "198.51.100.1")) for i in range(4)]

    assert [code for code, _ in answers[:3]] == [protocol.CLOSE_BAD_TOKEN] * 3
    code, reason = answers[3]
    assert code == protocol.CLOSE_TOO_MANY_ATTEMPTS
    assert reason.startswith("too many connection attempts; retry after ")
    assert 1 <= int(reason.split("retry after ")[1].split(" s")[0]) <= 60


async def test_the_flood_does_not_limit_another_address_or_another_department(scene: Scene) -> None:
    for i in range(4):
        await _close_of(_bridge(f"wrong-{i}", "198.51.100.2"))

    elsewhere = _bridge(scene.bridge_token, "198.51.100.3")
    await elsewhere.connect()
    hello = await json_of(elsewhere)
    fontana = await _close_of(_bridge("wrong-x", "198.51.100.2", host="fontana.localhost"))

    assert hello["type"] == protocol.HELLO
    assert fontana[0] == protocol.CLOSE_BAD_TOKEN  # checked, not limited: Fontana's count is its own
    await elsewhere.disconnect()


async def test_one_token_reconnecting_in_a_loop_is_limited_from_any_address(scene: Scene) -> None:
    answers = []
    for i in range(3):
        comm = _bridge(scene.bridge_token, f"198.51.100.{10 + i}")
        await comm.connect()
        first = await comm.receive_output(timeout=5)
        answers.append("hello" if first["type"] == "websocket.send" else int(first.get("code", 1000)))
        await comm.disconnect()

    assert answers == ["hello", "hello", protocol.CLOSE_TOO_MANY_ATTEMPTS]


async def test_while_redis_is_unreachable_a_bridge_is_told_to_try_again_later(scene: Scene, settings: Any) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # the limiter's Redis only

    comm = _bridge(scene.bridge_token, "198.51.100.20")
    await comm.connect()

    assert await closed_with(comm, within=5.0) == protocol.CLOSE_TRY_AGAIN_LATER
