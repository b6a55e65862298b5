"""What tests need to reach a real server the way a browser does, without a browser: a
uvicorn process on a free port, and an HTTP session that keeps its cookies, sends the
department's Host and the CSRF token, and signs in through the real allauth forms."""

import http.client
import os
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import UVICORN, free_port, subprocess_database_url
from tests.factories import PASSWORD, totp_code

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def uvicorn_server(**env_overrides: str) -> Iterator[int]:
    """A real uvicorn serving the test database on a free port; yields the port. Its output
    goes to a file (a pipe nobody reads would fill up and stall the server)."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix=f"uvicorn-{port}-", suffix=".log", delete=False)  # noqa: SIM115
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=subprocess_database_url())
    env.update(env_overrides)  # a database of the test's own too
    process = subprocess.Popen(
        [*UVICORN, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/__ping__", timeout=1)
            except urllib.error.HTTPError:
                break  # any HTTP answer means it is serving
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    pytest.fail(f"uvicorn did not start:\n{Path(log.name).read_text()[-3000:]}")
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        Path(log.name).unlink()


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class SiteSession:
    """One visitor of one department's host on a real server: cookies kept, no redirect
    followed (a test sees each answer)."""

    def __init__(self, port: int, host: str, *, tls: ssl.SSLContext | None = None) -> None:
        self.port = port
        self.host = host
        self.tls = tls  # https:// through a TLS proxy (nginx), trusting this context's certificates
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        timeout: float = 60,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """``data`` is sent as a form with the CSRF token; ``body`` as it is, with ``headers``."""
        headers = {"Host": f"{self.host}:{self.port}", "Accept": "text/html", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection: http.client.HTTPConnection
        if self.tls is None:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        else:
            # A browser on an https:// page sends its Origin with a POST; Django's CSRF check
            # accepts it only when the request is secure, i.e. the proxy's X-Forwarded-Proto is believed.
            headers.setdefault("Origin", f"https://{self.host}:{self.port}")
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=self.tls)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read().decode("utf-8", "replace"))
        finally:
            connection.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str]) -> Reply:
        if "csrftoken" not in self.cookies:
            self.get(path)  # the form's page sets the CSRF cookie
        return self.request("POST", path, data)

    def sign_in(self, email: str, *, secret: str | None = None, password: str = PASSWORD) -> Reply:
        """Password, then (for staff) the TOTP code: the real allauth flow."""
        self.get("/accounts/login/")
        reply = self.post("/accounts/login/", {"login": email, "password": password})
        if secret is not None and reply.location.startswith("/accounts/2fa/authenticate/"):
            reply = self.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
        return reply


def signed_in(port: int, host: str, email: str, secret: str | None = None) -> SiteSession:
    session = SiteSession(port, host)
    reply = session.sign_in(email, secret=secret)
    assert reply.status == 302, (reply.status, reply.body[:2000])
    assert not reply.location.startswith("/accounts/"), reply.location
    return session


def committed(fn: Any) -> Any:
    """Run ``fn`` on its own thread and connection, so what it writes is committed and a
    server process sees it (the test's own connection is inside a transaction)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run() -> Any:
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
