"""The real ASGI server (uvicorn) serving both demo tenants over HTTP and WebSocket,
reached by name through Porchlight's own *.localhost resolution."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.net import ws_connect
from tests.conftest import CommittedUser, free_port, subprocess_database_url

pytestmark = [pytest.mark.django_db, pytest.mark.server]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server(django_db_setup: None, committed: dict[str, CommittedUser]) -> Iterator[int]:
    port = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=subprocess_database_url())
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws",
            "websockets",
            "--timeout-graceful-shutdown",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__ping__", timeout=1)
        except urllib.error.HTTPError:
            break  # any HTTP answer means it is serving
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(
                    "uvicorn did not start:\n" + (process.stdout.read().decode()[-3000:] if process.stdout else "")
                )
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=20)


def _get(port: int, host: str, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": f"{host}:{port}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_server_serves_each_tenant_its_own_portal(server: int) -> None:
    rialto = _get(server, "rialto.localhost", "/")
    fontana = _get(server, "fontana.localhost", "/")
    public = _get(server, "localhost", "/")

    assert rialto[0] == fontana[0] == public[0] == 200
    assert b"Rialto Police Department" in rialto[1]
    assert b"Fontana Police Department" in fontana[1]
    assert b"Rialto Police Department" in public[1]
    assert b"Fontana Police Department" in public[1]


async def test_whoami_over_a_real_websocket_by_name(server: int, committed: dict[str, CommittedUser]) -> None:
    answers = {}
    for schema in ("rialto", "fontana"):
        user = committed[schema]
        url = f"ws://{schema}.localhost:{server}/ws/whoami/"
        async with ws_connect(url, additional_headers={"Cookie": f"sessionid={user.session_key}"}) as ws:
            answers[schema] = json.loads(await ws.recv())

    assert {s: (a["schema"], a["user"]["email"]) for s, a in answers.items()} == {
        "rialto": ("rialto", committed["rialto"].email),
        "fontana": ("fontana", committed["fontana"].email),
    }


def test_healthz_answers_json_through_the_server(server: int) -> None:
    status, body = _get(server, "rialto.localhost", "/healthz")

    assert status == 200
    assert json.loads(body)["checks"]["database"]["ok"] is True
