"""Redis stopped under a running server: signing in answers with a sentence and lets nobody in
(the failed-login lockout lives in Redis, and Porchlight does not sign anyone in without it),
while sessions already open keep working (they live in PostgreSQL); a live view is closed with
"relay unavailable" (4503), and once Redis is back new views work without a restart."""

import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django_tenants.utils import tenant_context
from websockets.exceptions import ConnectionClosed

from accounts.models import Role
from bridge import protocol
from bridge.net import ws_connect
from tenants.models import Department
from tests.conftest import free_port
from tests.factories import UserFactory, totp_code, totp_enable
from tests.live.test_consumers import JPEG, Scene, _scene, frame, last_event
from tests.live.test_consumers import committed as live_committed
from tests.site_client import SiteSession, committed, signed_in, uvicorn_server

pytestmark = [pytest.mark.django_db, pytest.mark.server]

HOST = "rialto.localhost"
PAUSED = "Signing in is paused"


class PrivateRedis:
    """A redis-server of this test's own, on a free port, that the test can kill and restart."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed: `make test` installs the Debian package redis-server.")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("the private redis-server did not start")
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture(scope="module")
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def server(django_db_setup: None, private_redis: PrivateRedis) -> Iterator[int]:
    with uvicorn_server(REDIS_URL=f"redis://127.0.0.1:{private_redis.port}/0") as port:
        yield port


@pytest.fixture
def redis_up(private_redis: PrivateRedis) -> Iterator[PrivateRedis]:
    if private_redis.process is None:
        private_redis.start()
    yield private_redis
    if private_redis.process is None:
        private_redis.start()


def _user(role: str = Role.RESIDENT) -> tuple[str, str | None]:
    def make() -> tuple[str, str | None]:
        with tenant_context(Department.objects.get(schema_name="rialto")):
            user = UserFactory(role=role)
            return user.email, (totp_enable(user) if user.is_staff_role else None)

    return committed(make)


def test_login_while_redis_is_down_answers_with_a_sentence_and_lets_nobody_in(
    server: int, redis_up: PrivateRedis
) -> None:
    email, _ = _user()
    visitor = SiteSession(server, HOST)
    assert visitor.get("/accounts/login/").status == 200
    redis_up.kill()

    reply = visitor.post("/accounts/login/", {"login": email, "password": "correct horse battery"})

    assert reply.status == 503, reply.body[-3000:]
    assert PAUSED in reply.body
    assert "Rialto Police Department" in reply.body
    assert reply.headers["Retry-After"]
    assert "sessionid" not in visitor.cookies
    assert visitor.get("/my/").location.startswith("/accounts/login/")


def test_staff_second_step_while_redis_is_down_lets_nobody_in(server: int, redis_up: PrivateRedis) -> None:
    email, secret = _user(Role.OFFICER)
    assert secret is not None
    officer = SiteSession(server, HOST)
    officer.get("/accounts/login/")
    first = officer.post("/accounts/login/", {"login": email, "password": "correct horse battery"})
    redis_up.kill()

    reply = officer.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})

    assert first.location.startswith("/accounts/2fa/authenticate/")
    assert reply.status == 503, reply.body[-3000:]
    assert PAUSED in reply.body
    assert officer.get("/console/").location.startswith("/accounts/login/")


def test_signed_in_resident_keeps_using_the_portal_while_redis_is_down(server: int, redis_up: PrivateRedis) -> None:
    email, _ = _user()
    resident = signed_in(server, HOST, email)
    redis_up.kill()

    reply = resident.get("/my/")

    assert reply.status == 200
    assert email in reply.body


def test_login_works_again_once_redis_is_back(server: int, redis_up: PrivateRedis) -> None:
    email, _ = _user()
    redis_up.kill()
    assert SiteSession(server, HOST).sign_in(email).status == 503
    redis_up.start()

    reply = SiteSession(server, HOST).sign_in(email)

    assert reply.status == 302
    assert reply.location == "/my/"  # an owner's landing page: My cameras


def test_password_reset_while_redis_is_down_is_refused_with_a_sentence(server: int, redis_up: PrivateRedis) -> None:
    email, _ = _user()
    visitor = SiteSession(server, HOST)
    visitor.get("/accounts/password/reset/")
    redis_up.kill()

    reply = visitor.post("/accounts/password/reset/", {"email": email})

    assert reply.status == 503, reply.body[-3000:]
    assert PAUSED in reply.body
    assert "Rialto Police Department" in reply.body


# --- Live views (the relay is Redis pub/sub: nothing of it fails on its own while idle) ------


async def _next_json(ws: Any, kind: str, timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        message = await asyncio.wait_for(ws.recv(), timeout=max(0.1, deadline - time.monotonic()))
        if isinstance(message, str) and json.loads(message).get("type") == kind:
            return dict(json.loads(message))


async def _drain(ws: Any, timeout: float) -> None:
    while True:
        await asyncio.wait_for(ws.recv(), timeout=timeout)


def _viewer(port: int, scene: Scene) -> Any:
    return ws_connect(
        f"ws://{HOST}:{port}/ws/live/{scene.camera_id}/?purpose={scene.purpose_id}",
        additional_headers={"Cookie": f"sessionid={scene.session_key}"},
    )


def _bridge(port: int, scene: Scene) -> Any:
    return ws_connect(
        f"ws://{HOST}:{port}/ws/bridge/", additional_headers={"Authorization": f"Bearer {scene.bridge_token}"}
    )


async def test_a_live_view_is_told_relay_unavailable_within_two_seconds_of_redis_stopping(
    server: int, redis_up: PrivateRedis
) -> None:
    scene = live_committed(_scene)
    async with _viewer(server, scene) as view:
        await _next_json(view, "session")
        await asyncio.sleep(1.0)  # a viewer watching a while, its watchdog's probes all answered

        redis_up.kill()
        stopped_at = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            await _drain(view, timeout=5)
        closed_after = time.monotonic() - stopped_at

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4503
    assert closed_after <= 2.0
    assert (last_event(scene).action, last_event(scene).reason) == ("live_end", "relay")


async def test_once_redis_is_back_new_views_get_frames_without_restarting_the_server(
    server: int, redis_up: PrivateRedis
) -> None:
    # given a server whose channel layer was connected (a view) when Redis stopped, and Redis back
    before = live_committed(_scene)
    async with _viewer(server, before) as view:
        await _next_json(view, "session")
        redis_up.kill()
        with pytest.raises(ConnectionClosed):
            await _drain(view, timeout=5)
    redis_up.start()
    scene = live_committed(_scene)

    # when a bridge and a viewer come again to the same server process
    async with _bridge(server, scene) as cam:
        await _next_json(cam, protocol.HELLO)
        async with _viewer(server, scene) as view:
            session = await _next_json(view, "session")
            await _next_json(cam, protocol.START)
            await cam.send(frame(scene.camera_id))
            got = await asyncio.wait_for(view.recv(), 10)

    # then the view is authorized afresh and frames flow through the layer's new connection
    assert session["type"] == "session"
    assert isinstance(got, bytes)
    assert got[8:] == JPEG
