"""The public certificate check counts its rate limit by the client's address as the rest of
Porchlight knows it (REMOTE_ADDR: the gate, the log's readers, allauth's sign-in limits), which
the ASGI server sets from X-Forwarded-For only when the connection comes from a trusted proxy
(uvicorn's --proxy-headers, as the Procfile runs it; FORWARDED_ALLOW_IPS, 127.0.0.1 by default).
A header made up by the client never resets the limit."""

import http.client
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import UVICORN, TenantClient, free_port, subprocess_database_url

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 3
CODE = "ZZZZ-ZZZZ-ZZZZ-ZZZZ"


def _random_address() -> str:
    return f"198.51.100.{secrets.randbelow(250) + 1}, 203.0.113.{secrets.randbelow(250) + 1}"


@pytest.mark.django_db
def test_a_made_up_forwarded_for_header_does_not_reset_the_limit(
    rialto_client: TenantClient, settings: pytest.FixtureRequest
) -> None:
    settings.PORCHLIGHT_CERTIFICATE_CHECKS_PER_HOUR = LIMIT  # type: ignore[attr-defined]
    address = f"10.77.{secrets.randbelow(250)}.{secrets.randbelow(250)}"

    answers = [
        rialto_client.get(
            "/certificates/check/", {"code": CODE}, REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=_random_address()
        ).status_code
        for _ in range(LIMIT + 1)
    ]

    assert answers == [200] * LIMIT + [429]


@pytest.fixture
def proxied_server(django_db_setup: None, tmp_path: Path) -> Iterator[int]:
    """uvicorn as the Procfile runs it (--proxy-headers, trusting 127.0.0.1 only)."""
    port = free_port()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=subprocess_database_url(),
        PORCHLIGHT_CERTIFICATE_CHECKS_PER_HOUR=str(LIMIT),
    )
    env.pop("FORWARDED_ALLOW_IPS", None)
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [*UVICORN, "--port", str(port), "--proxy-headers"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
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
    yield port
    process.terminate()
    process.wait(timeout=20)


def _check(port: int, *, source: str, forwarded_for: str) -> int:
    """One check from the local address ``source`` (127.0.0.1 is the trusted proxy)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request(
            "GET",
            f"/certificates/check/?code={CODE}",
            headers={"Host": "rialto.localhost", "X-Forwarded-For": forwarded_for},
        )
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.server
def test_a_client_that_is_no_proxy_cannot_reset_the_limit_with_the_header(proxied_server: int) -> None:
    client = f"127.{secrets.randbelow(200) + 20}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"

    answers = [_check(proxied_server, source=client, forwarded_for=_random_address()) for _ in range(LIMIT + 1)]

    assert answers == [200] * LIMIT + [429]


@pytest.mark.server
def test_behind_the_proxy_the_address_it_appended_is_counted_not_the_clients_own_entries(
    proxied_server: int,
) -> None:
    client = f"192.0.2.{secrets.randbelow(250) + 1}"

    answers = [
        _check(proxied_server, source="127.0.0.1", forwarded_for=f"{_random_address()}, {client}")
        for _ in range(LIMIT + 1)
    ]
    another = f"100.64.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    other = _check(proxied_server, source="127.0.0.1", forwarded_for=f"{_random_address()}, {another}")

    assert answers == [200] * LIMIT + [429]
    assert other == 200
