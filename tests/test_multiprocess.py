"""Porchlight as production runs it: nginx with TLS in front of two uvicorn processes.

The setup is `make run-prod`'s own: the nginx.conf that scripts/prod.sh writes, nginx and the
server processes started with Procfile.prod's commands, on free ports, against the test
database and one Redis. nginx sends a new connection to the process with the fewest open ones
(least_conn), so the bridge's socket lands on one process and the viewer's on the other; which
process holds a socket is read from the kernel's table of open connections to each port, and
which process answered a request from nginx's access log. A client's own X-Forwarded-For is
not believed: the address recorded is the one nginx saw.
"""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.utils import timezone
from websockets.exceptions import ConnectionClosed

from bridge.net import ws_connect
from cameras import services
from cameras.models import Camera
from live import presence
from tests.conftest import free_port, subprocess_database_url
from tests.e2e.test_live_relay import _drain, _frames, camera_stream
from tests.e2e.test_owner_answers_request import _noisy_video, _request_and_owner_session
from tests.factories import PASSWORD, UserFactory
from tests.live.test_consumers import Scene, _scene
from tests.live.test_consumers import committed as committed_in_rialto
from tests.site_client import SiteSession

pytestmark = [pytest.mark.server, pytest.mark.django_db]

__all__ = ["camera_stream"]  # a fixture of the live relay's tests, used here as it is

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = str(Path(sys.executable).parent)
HOST = "rialto.localhost"
# Pieces of the resumable upload, and the clip sent in one form post, are larger than the 1 MB
# nginx accepts by default: they pass only with the client_max_body_size prod.sh writes.
PIECE = 1536 * 1024
NGINX_DEFAULT_BODY_MAX = 1024 * 1024


def _procfile(name: str) -> str:
    """The command of Procfile.prod's ``name`` entry, as honcho runs it (in a shell)."""
    for line in (ROOT / "Procfile.prod").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"Procfile.prod has no {name} entry")


def _open_sockets(port: int) -> int:
    """Established connections to 127.0.0.1:``port`` (the server's side of each)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "01" and int(local.split(":")[1], 16) == port:
            count += 1
    return count


@dataclass
class Production:
    https_port: int
    web_ports: list[int]
    web: list[subprocess.Popen[bytes]]
    nginx: subprocess.Popen[bytes]
    tls: ssl.SSLContext
    cert: Path
    access_log: Path
    logs: Path
    env: dict[str, str] = field(repr=False)
    http_port: int = 0

    def sockets(self) -> list[int]:
        """Open connections from nginx to each server process, in the order of web_ports."""
        return [_open_sockets(port) for port in self.web_ports]

    def log_mark(self) -> int:
        return len(self.access_log.read_text().splitlines()) if self.access_log.exists() else 0

    def served_since(self, mark: int, count: int) -> list[tuple[str, int]]:
        """(request line, port of the process that answered) of the ``count`` requests after ``mark``."""
        deadline = time.monotonic() + 5
        while True:
            lines = self.access_log.read_text().splitlines()[mark:]
            if len(lines) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.05)  # nginx writes a request's line once its answer is sent
        served = []
        for line in lines:
            request = line.split('"')[1]
            # "127.0.0.1:a, 127.0.0.1:b" when the first was refused: the last one answered
            # ("-" when nginx answered by itself, e.g. 413: port 0)
            upstream = line.rsplit("upstream=", 1)[1].split(",")[-1].strip()
            served.append((request, int(upstream.rsplit(":", 1)[-1]) if ":" in upstream else 0))
        return served

    def visitor(self) -> SiteSession:
        return SiteSession(self.https_port, HOST, tls=self.tls)

    def log_tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(self.logs.glob("*.log")))


def _wait_until_serving(port: int, process: subprocess.Popen[bytes], tls: ssl.SSLContext | None = None) -> bool:
    scheme = "https" if tls else "http"
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{scheme}://127.0.0.1:{port}/__ping__", timeout=2, context=tls)  # noqa: S310
        except urllib.error.HTTPError:
            return True  # any HTTP answer: it is serving
        except OSError:
            time.sleep(0.2)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def production(django_db_setup: None, tmp_path_factory: Any) -> Iterator[Production]:
    root = tmp_path_factory.mktemp("production")
    logs = root / "logs"
    logs.mkdir()
    https_port, http_port, web_ports = free_port(), free_port(), [free_port(), free_port()]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        PATH=f"{VENV_BIN}:{env.get('PATH', '')}",
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=subprocess_database_url(),
        PORCHLIGHT_PROD_DIR=str(root / "prod"),
        PORCHLIGHT_TLS_DIR=str(root / "tls"),
        HTTPS_PORT=str(https_port),
        HTTP_PORT=str(http_port),
        WEB_PORTS=" ".join(map(str, web_ports)),
        PORCHLIGHT_PORT=str(https_port),
        PORCHLIGHT_SCHEME="https",
        # What the processes share besides PostgreSQL and Redis: the files of uploads under way and of clips.
        PORCHLIGHT_UPLOAD_STAGING_ROOT=str(root / "staging"),
        PORCHLIGHT_MEDIA_ROOT=str(root / "media"),
        PORCHLIGHT_UPLOAD_CHUNK_BYTES=str(PIECE),
        PORCHLIGHT_NGINX=shutil.which("nginx") or "/usr/sbin/nginx",
    )
    written = subprocess.run(
        [str(ROOT / "scripts" / "prod.sh"), "config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    if written.returncode != 0:
        pytest.fail(f"scripts/prod.sh config failed:\n{written.stderr[-3000:]}")
    cert = root / "tls" / "cert.pem"
    tls = ssl.create_default_context(cafile=str(cert))

    def start(name: str, log: str, **extra: str) -> subprocess.Popen[bytes]:
        with (logs / log).open("wb") as out:
            return subprocess.Popen(
                ["/bin/sh", "-c", _procfile(name)], cwd=ROOT, env={**env, **extra}, stdout=out, stderr=subprocess.STDOUT
            )

    web = [start("web", f"web-{port}.log", PORT=str(port)) for port in web_ports]
    nginx = start("nginx", "nginx.log")
    setup = Production(
        https_port, web_ports, web, nginx, tls, cert, root / "prod" / "access.log", logs, env, http_port=http_port
    )
    try:
        ready = [_wait_until_serving(port, process) for port, process in zip(web_ports, web, strict=True)]
        ready.append(_wait_until_serving(https_port, nginx, tls))
        if not all(ready):
            pytest.fail(f"the setup did not start ({ready}):\n{setup.log_tail()}")
        yield setup
    finally:
        for process in [nginx, *web]:
            _stop(process)


@pytest.fixture
def bridge(production: Production, camera_stream: Any, tmp_path: Path) -> Iterator[tuple[Scene, int]]:
    """The bridge program connected through nginx (wss://, trusting the self-signed certificate);
    yields the scene and the index of the server process that holds its socket."""
    scene = committed_in_rialto(_scene, level="live")
    config = tmp_path / "bridge.toml"
    config.write_text(f'[cameras]\n"{scene.camera_id}" = "{camera_stream[0]}"\n')
    before = production.sockets()
    url = f"wss://{HOST}:{production.https_port}"
    with (production.logs / f"bridge-{scene.camera_id}.log").open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bridge", "--url", url, "--token", scene.bridge_token, "--config", str(config)],
            cwd=ROOT,
            env={**production.env, "SSL_CERT_FILE": str(production.cert)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while not presence.bridges_connected(schema="rialto", bridges=[scene.bridge_id]) and time.monotonic() < deadline:
        time.sleep(0.1)
    added = [after - was for after, was in zip(production.sockets(), before, strict=True)]
    assert sorted(added) == [0, 1], (added, production.log_tail())
    yield scene, added.index(1)
    process.terminate()
    process.wait(timeout=10)


def _viewer_url(production: Production, scene: Scene) -> str:
    return f"wss://{HOST}:{production.https_port}/ws/live/{scene.camera_id}/?purpose={scene.purpose_id}"


def _viewer(production: Production, scene: Scene) -> Any:
    cookie = {"Cookie": f"sessionid={scene.session_key}"}
    return ws_connect(_viewer_url(production, scene), ssl=production.tls, additional_headers=cookie)


async def test_frames_from_a_bridge_on_one_process_reach_a_viewer_on_the_other_until_consent_is_revoked(
    production: Production, bridge: tuple[Scene, int]
) -> None:
    # given the bridge's socket on one server process
    scene, bridge_process = bridge

    # when an officer opens the camera live through nginx
    async with _viewer(production, scene) as ws:
        session = json.loads(await ws.recv())
        frames = await _frames(ws, count=10, timeout=20)
        sockets = production.sockets()
        revoke_at = time.monotonic()
        committed_in_rialto(
            lambda: services.consent_revoke(
                owner=Camera.objects.get(pk=scene.camera_pk).site.owner, camera=Camera.objects.get(pk=scene.camera_pk)
            )
        )
        with pytest.raises(ConnectionClosed) as closed:
            await _drain(ws)
        closed_after = time.monotonic() - revoke_at

    # then the viewer's socket is on the other process, the camera's frames cross over to it
    # (through Redis), and the owner's revocation still closes the view within a second
    viewer_process = 1 - bridge_process
    assert (sockets[bridge_process], sockets[viewer_process]) == (1, 1)
    assert session["type"] == "session"
    assert all(f[8:10] == b"\xff\xd8" for f in frames)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4410
    assert closed_after <= 1.5  # within a second of the revocation, plus the client's own latency


def test_a_client_cannot_name_its_own_address_through_nginx(production: Production) -> None:
    # given a resident signing in through nginx with a made-up X-Forwarded-For
    resident = committed_in_rialto(UserFactory)
    visitor = production.visitor()
    forged = {"X-Forwarded-For": "203.0.113.9"}
    visitor.request("GET", "/accounts/login/", headers=forged)

    # when they sign in
    signing_in = timezone.now()
    reply = visitor.request("POST", "/accounts/login/", {"login": resident.email, "password": PASSWORD}, headers=forged)

    # then the sign-in is recorded with the address nginx saw, not the one the client named
    # (allauth's record of the sign-in's session: its address is REMOTE_ADDR, as uvicorn set it)
    sessions = UserSession.objects.filter(user_id=resident.pk, created_at__gte=signing_in)
    recorded = committed_in_rialto(lambda: list(sessions.values_list("ip", flat=True)))
    assert (reply.status, reply.location) == (302, "/my/"), reply.body[-2000:]
    assert recorded == ["127.0.0.1"]


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: video/mp4\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _owner_on_the_answer_page(production: Production) -> tuple[SiteSession, str, str]:
    scene = committed_in_rialto(_scene, level="on_request")
    request_id, session_key = committed_in_rialto(_request_and_owner_session, scene)
    owner = production.visitor()
    owner.cookies["sessionid"] = session_key
    page = owner.get(f"/my/requests/{request_id}/")
    assert page.status == 200, page.body[-2000:]
    answer = re.search(r'name="answer_id" value="(\d+)"', page.body)
    assert answer is not None
    return owner, request_id, answer.group(1)


def test_a_clip_sent_in_one_form_post_is_received_by_the_other_process_than_the_form(
    production: Production, tmp_path: Path
) -> None:
    # given an owner on the answer page of a request
    clip = _noisy_video(tmp_path / "porch.mp4", seconds=1)
    mark = production.log_mark()
    owner, request_id, answer_id = _owner_on_the_answer_page(production)

    # when they send a clip larger than nginx's default limit in one form post
    body, content_type = _multipart(
        {"answer_id": answer_id, "csrfmiddlewaretoken": owner.cookies["csrftoken"]}, "porch.mp4", clip
    )
    reply = owner.request("POST", f"/my/requests/{request_id}/", body=body, headers={"Content-Type": content_type})

    # then the receipt names its SHA-256, and the form and the post were served by different processes
    served = production.served_since(mark, 2)
    assert len(clip) > NGINX_DEFAULT_BODY_MAX
    assert reply.status == 200, reply.body[-2000:]
    assert hashlib.sha256(clip).hexdigest() in reply.body
    assert [request.split()[0] for request, _ in served] == ["GET", "POST"]
    assert served[0][1] != served[1][1]


def test_a_resumable_upload_whose_pieces_land_on_both_processes_gets_one_receipt(
    production: Production, tmp_path: Path
) -> None:
    # given an owner on the answer page of a request, and a clip of several pieces
    clip = _noisy_video(tmp_path / "backyard.mp4", seconds=2)
    owner, request_id, answer_id = _owner_on_the_answer_page(production)
    mark = production.log_mark()
    json_headers = {"Accept": "application/json", "X-CSRFToken": owner.cookies["csrftoken"]}

    # when the browser starts the upload, sends the pieces one request each and finishes it
    form = {"answer_id": answer_id, "name": "backyard.mp4", "size": str(len(clip))}
    start = owner.request("POST", f"/my/requests/{request_id}/uploads/", form)
    started = json.loads(start.body)
    offset = 0
    while offset < len(clip):
        piece = clip[offset : offset + started["chunk_size"]]
        sent = owner.request(
            "PUT",
            started["url"],
            body=piece,
            headers={
                **json_headers,
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {offset}-{offset + len(piece) - 1}/{len(clip)}",
            },
        )
        assert sent.status == 200, sent.body[-2000:]
        offset = json.loads(sent.body)["offset"]
    finished = owner.request("POST", started["finish_url"], body=b"", headers=json_headers)

    # then one receipt with the SHA-256 of the whole clip, though each process got some of its pieces
    requests = 2 + -(-len(clip) // PIECE)
    served = production.served_since(mark, requests)
    assert (start.status, started["chunk_size"]) == (201, PIECE)
    assert len(clip) > 2 * PIECE > 2 * NGINX_DEFAULT_BODY_MAX
    assert finished.status == 200, finished.body[-2000:]
    assert json.loads(finished.body)["receipt"]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert {port for request, port in served if request.startswith("PUT ")} == set(production.web_ports)


# --- Plain HTTP, and floods -------------------------------------------------------------------


def test_plain_http_is_sent_to_https_on_the_same_host_and_path_but_acme_challenges_stay_plain(
    production: Production,
) -> None:
    # given an ACME challenge a certificate authority will fetch over plain HTTP
    challenge = Path(production.env["PORCHLIGHT_PROD_DIR"]) / "acme" / ".well-known" / "acme-challenge" / "token-1"
    challenge.write_text("token-1.thumbprint")
    plain = http.client.HTTPConnection("127.0.0.1", production.http_port, timeout=10)

    # when a browser asks for a page over http://, and the authority for its challenge
    plain.request("GET", "/accounts/login/?next=/my/", headers={"Host": f"{HOST}:{production.http_port}"})
    redirect = plain.getresponse()
    redirect.read()
    plain.request("GET", "/.well-known/acme-challenge/token-1", headers={"Host": HOST})
    acme = plain.getresponse()

    # then the page is the same page on https:// (which serves it), the challenge is answered as it is
    location = f"https://{HOST}:{production.https_port}/accounts/login/?next=/my/"
    assert (redirect.status, redirect.getheader("Location")) == (301, location)
    assert production.visitor().get("/accounts/login/?next=/my/").status == 200
    assert (acme.status, acme.read()) == (200, b"token-1.thumbprint")


@dataclass
class Strict:
    """A second nginx written by prod.sh in front of the same server processes, with low flood
    limits (2 requests a second, a burst of 4, 2 connections in progress per address)."""

    https_port: int
    access_log: Path
    error_log: Path


@pytest.fixture(scope="module")
def strict(production: Production) -> Iterator[Strict]:
    https_port = free_port()
    directory = production.logs.parent / "strict"
    env = {
        **production.env,
        "PORCHLIGHT_PROD_DIR": str(directory),
        "HTTPS_PORT": str(https_port),
        "HTTP_PORT": "off",
        "NGINX_RATE_PER_SECOND": "2",
        "NGINX_BURST": "4",
        "NGINX_CONNECTIONS": "2",
    }
    written = subprocess.run(
        [str(ROOT / "scripts" / "prod.sh"), "config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert written.returncode == 0, written.stderr[-3000:]
    with (production.logs / "strict-nginx.log").open("wb") as out:
        nginx = subprocess.Popen(["/bin/sh", "-c", _procfile("nginx")], cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        assert _wait_until_serving(https_port, nginx, production.tls), production.log_tail()
        yield Strict(https_port, directory / "access.log", production.logs / "strict-nginx.log")
    finally:
        _stop(nginx)


def _get(production: Production, port: int, source: str) -> tuple[int, str, str]:
    """One GET of the sign-in page over a new TLS connection from the address ``source`` (any
    127.x.y.z is this machine): its status, Retry-After and body's start."""
    client = http.client.HTTPSConnection(
        "127.0.0.1", port, context=production.tls, source_address=(source, 0), timeout=10
    )
    try:
        client.request("GET", "/accounts/login/", headers={"Host": f"{HOST}:{port}"})
        reply = client.getresponse()
        return reply.status, reply.getheader("Retry-After", ""), reply.read()[:200].decode(errors="replace")
    finally:
        client.close()


def test_a_flood_of_requests_from_one_address_gets_429_from_nginx_while_another_address_is_served(
    production: Production, strict: Strict
) -> None:
    # when one address sends 20 requests as fast as it can
    flood = [_get(production, strict.https_port, "127.0.0.1") for _ in range(20)]
    other = _get(production, strict.https_port, "127.0.0.2")

    # then the first ones (the burst) are served and most of the rest refused by nginx itself,
    # with a sentence and Retry-After, while another address is served at once
    refused = [answer for answer in flood if answer[0] == 429]
    assert flood[0][0] == 200
    assert len(refused) >= 10, [answer[0] for answer in flood]
    assert {status for status, _, _ in flood} == {200, 429}
    assert refused[0][1:] == ("1", "Too many requests from your address at once. Try again in a moment.\n")
    assert other[0] == 200
    assert "limiting requests" in strict.error_log.read_text()
    logged = [line for line in strict.access_log.read_text().splitlines() if '" 429 ' in line]
    # answered by nginx itself: no server process saw them
    assert [line.rsplit("upstream=", 1)[1] for line in logged] == ["-"] * len(refused)


def _slow_upload(port: int, tls: ssl.SSLContext, source: str) -> ssl.SSLSocket:
    """A connection from ``source`` in the middle of sending a large form: nginx streams it to a
    server process, which waits for the rest; the request is in progress until it is closed."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    sock = tls.wrap_socket(raw, server_hostname="127.0.0.1")
    head = f"POST /accounts/login/ HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Length: 100000\r\n"
    sock.sendall(head.encode() + b"Content-Type: application/x-www-form-urlencoded\r\n\r\nlogin=")
    return sock


def test_too_many_requests_in_progress_from_one_address_get_429_while_another_address_is_served(
    production: Production, strict: Strict
) -> None:
    # given two requests of one address in progress (slow uploads), the most it may have
    uploads = [_slow_upload(strict.https_port, production.tls, "127.0.0.3") for _ in range(2)]
    try:
        time.sleep(0.5)  # nginx has read their headers and passed them on

        # when that address asks for a page, and another address does
        third = _get(production, strict.https_port, "127.0.0.3")
        other = _get(production, strict.https_port, "127.0.0.4")
    finally:
        for upload in uploads:
            upload.close()

    # then nginx refuses the third at once (for the connections: its rate is far from spent),
    # and serves the other address
    assert third[:2] == (429, "1")
    assert "limiting connections by zone" in strict.error_log.read_text()
    assert other[0] == 200


async def test_a_killed_server_process_closes_its_sockets_and_nginx_sends_everything_to_the_other(
    production: Production, bridge: tuple[Scene, int]
) -> None:
    # given a viewer watching through nginx, on the process that does not hold the bridge
    scene, bridge_process = bridge
    viewer_process = 1 - bridge_process
    survivor = production.web_ports[bridge_process]
    async with _viewer(production, scene) as ws:
        await _frames(ws, count=3, timeout=20)
        assert production.sockets()[viewer_process] == 1

        # when the viewer's server process is killed
        production.web[viewer_process].send_signal(signal.SIGKILL)
        production.web[viewer_process].wait(timeout=10)
        with pytest.raises(ConnectionClosed):
            await _drain(ws)

    # then the viewer reconnects (to the other process) and frames flow again
    async with _viewer(production, scene) as again:
        reopened = json.loads(await again.recv())
        frames = await _frames(again, count=3, timeout=20)
    # and the following requests are all answered, by the process still running
    mark = production.log_mark()
    statuses = [production.visitor().get("/accounts/login/").status for _ in range(4)]
    served = production.served_since(mark, 4)

    assert reopened["type"] == "session"
    assert len(frames) == 3
    assert statuses == [200, 200, 200, 200]
    assert [port for _, port in served] == [survivor] * 4
