"""WebSocket tenancy: the host picks the department, the session loads in its schema,
and no schema leaks between consumers sharing the single sync thread."""

import asyncio
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from tests.conftest import CommittedUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def unblocked(django_db_blocker: Any, committed: dict[str, CommittedUser]) -> Any:
    # The consumer's database calls run on another thread with their own connection,
    # so they see only committed rows (the `committed` users), not a test transaction.
    with django_db_blocker.unblock():
        yield committed


def _communicator(host: str, session_key: str | None = None, origin: str | None = None) -> WebsocketCommunicator:
    headers = [(b"host", host.encode())]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    if origin:
        headers.append((b"origin", origin.encode()))
    return WebsocketCommunicator(application, "/ws/whoami/", headers=headers)


async def test_whoami_answers_with_the_tenant_and_user_of_the_host(unblocked: dict[str, CommittedUser]) -> None:
    rialto = unblocked["rialto"]
    communicator = _communicator("rialto.localhost:8000", rialto.session_key)

    connected, _ = await communicator.connect()
    message = await communicator.receive_json_from()
    await communicator.disconnect()

    assert connected
    assert message["schema"] == "rialto"
    assert message["department"] == "Rialto Police Department"
    assert message["user"]["email"] == rialto.email


async def test_many_concurrent_connections_on_both_tenants_each_see_only_their_own(
    unblocked: dict[str, CommittedUser],
) -> None:
    users = [unblocked["rialto"], unblocked["fontana"]] * 25

    async def probe(user: CommittedUser) -> list[tuple[str, str, str]]:
        communicator = _communicator(user.host, user.session_key)
        # 50 handshakes queue for the one thread that runs consumers' database calls: the
        # default 1 s connect timeout measured the machine's load, not the isolation.
        connected, _ = await communicator.connect(timeout=30)
        assert connected
        seen = [await communicator.receive_json_from(timeout=10)]
        for _ in range(3):  # interleave more database calls with the other tenant's
            await communicator.send_json_to({"again": True})
            seen.append(await communicator.receive_json_from(timeout=10))
        await communicator.disconnect()
        return [(user.schema, m["schema"], m["user"]["email"]) for m in seen]

    results = await asyncio.gather(*(probe(u) for u in users))

    expected = {u.schema: u.email for u in users}
    observed = {(want, got, email) for result in results for (want, got, email) in result}
    assert observed == {(schema, schema, email) for schema, email in expected.items()}


async def test_unknown_host_is_closed_with_4404(unblocked: Any) -> None:
    communicator = _communicator("nowhere.localhost")

    await communicator.connect()

    assert (await communicator.receive_output(timeout=1)) == {"type": "websocket.close", "code": 4404}


async def test_public_host_has_no_websockets(unblocked: Any) -> None:
    communicator = _communicator("localhost:8000")

    await communicator.connect()

    assert (await communicator.receive_output(timeout=1)) == {"type": "websocket.close", "code": 4404}


async def test_no_session_closes_with_unauthenticated_code(unblocked: Any) -> None:
    communicator = _communicator("rialto.localhost")

    connected, code = await communicator.connect()

    assert (connected, code) == (False, 4401)


async def test_rialto_session_on_fontanas_host_is_unauthenticated(unblocked: dict[str, CommittedUser]) -> None:
    communicator = _communicator("fontana.localhost", unblocked["rialto"].session_key)

    connected, code = await communicator.connect()

    assert (connected, code) == (False, 4401)


async def test_foreign_origin_is_refused(unblocked: dict[str, CommittedUser]) -> None:
    rialto = unblocked["rialto"]
    communicator = _communicator("rialto.localhost", rialto.session_key, origin="https://evil.example")

    connected, _ = await communicator.connect()

    assert not connected


async def test_same_origin_is_accepted(unblocked: dict[str, CommittedUser]) -> None:
    rialto = unblocked["rialto"]
    communicator = _communicator("rialto.localhost:8000", rialto.session_key, origin="http://rialto.localhost:8000")

    connected, _ = await communicator.connect()
    await communicator.disconnect()

    assert connected
