"""Whether a bridge is connected, as its owner sees it, when the server process holding its
connection dies outright: a real uvicorn, killed with SIGKILL, so no disconnect() runs."""

import asyncio
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from accounts.models import User
from bridge.net import ws_connect
from tests.conftest import UVICORN, TenantClient, free_port, subprocess_database_url
from tests.live.test_consumers import Scene, _scene, committed

pytestmark = [pytest.mark.django_db, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(django_db_setup: None, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    port = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=subprocess_database_url())
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [*UVICORN, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.port = port  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"uvicorn did not start:\n{(tmp_path / 'server.log').read_text()[-3000:]}")
            time.sleep(0.2)
    yield process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=20)


def _session_of(user_id: int) -> str:
    user = User.objects.get(pk=user_id)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key or ""


def bridge_status(client: TenantClient) -> str:
    """What the owner's bridges page says about the (only) bridge."""
    page = client.get("/my/bridges/").content.decode()
    found = re.search(r">(connected|offline)\b", page)
    assert found is not None, page[-3000:]
    return found.group(1)


async def _status_once_settled(client: TenantClient, *, changed_from: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    status = changed_from
    while status == changed_from and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        status = await asyncio.to_thread(bridge_status, client)
    return status


async def test_a_bridge_whose_server_process_was_killed_shows_offline_within_seconds(
    server: Any,
) -> None:
    # given a bridge connected to a server process, and its owner's page saying so
    scene: Scene = committed(_scene, level="live")
    client = TenantClient("rialto.localhost")
    client.cookies["sessionid"] = committed(_session_of, scene.owner_id)
    url = f"ws://rialto.localhost:{server.port}/ws/bridge/"
    ws = await ws_connect(url, additional_headers={"Authorization": f"Bearer {scene.bridge_token}"})
    await ws.recv()  # hello
    before = await asyncio.to_thread(bridge_status, client)

    # when the server process dies outright
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    killed_at = time.monotonic()
    status = await _status_once_settled(client, changed_from=before, timeout=30)
    offline_after = time.monotonic() - killed_at

    # then the owner sees it offline within seconds, not when a sweep comes by minutes later
    assert before == "connected"
    assert status == "offline"
    assert offline_after <= 15
    ws.transport.abort()
