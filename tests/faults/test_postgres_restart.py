"""PostgreSQL restarted under load, with real processes: a private PostgreSQL cluster of this
test's own (initdb + pg_ctl, on a free port, in a temporary folder; the system one is never
touched), loaded with a copy of the test database, and a uvicorn server with its connection
pool against it. Officers' API searches (each one audited) stream in while PostgreSQL is
restarted: the requests caught by the restart fail cleanly (503 with a sentence, never a 500 or
a traceback), the ones after it succeed, and the access log holds exactly one event per search
that was answered, its chain unbroken."""

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from accounts.models import Role
from accounts.services import api_token_issue
from cameras import access
from cameras import services as cameras
from tenants.models import Department, DepartmentPolicy
from tests.conftest import free_port
from tests.factories import UserFactory, totp_enable
from tests.site_client import ROOT, committed, uvicorn_server

pytestmark = [pytest.mark.django_db, pytest.mark.server]

PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOST = "rialto.localhost"
LON, LAT = -117.36, 34.12


class PrivatePostgres:
    """A PostgreSQL cluster of this test alone: its own data folder, port and socket folder.

    PostgreSQL refuses to run as root; as root (CI, a developer's container) the cluster's
    programs run as the system's ``postgres`` user, which owns the folder."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            pytest.fail(f"PostgreSQL 15's programs are not in {PG_BIN}: `make test` installs postgresql-15-postgis-3.")
        self.folder = Path(tempfile.mkdtemp(prefix="porchlight-pg-"))
        self.port = free_port()
        self.data = self.folder / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/porchlight"

    def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        done = subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{argv[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"

    def _pg_ctl(self, *argv: str) -> None:
        # fsync off: the cluster lives for one test; a restart is a clean shutdown and start.
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "log")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-o", options, *argv)

    def create(self) -> None:
        initdb = str(PG_BIN / "initdb")
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self._pg_ctl("start")

    def restart(self) -> None:
        self._pg_ctl("-m", "fast", "restart")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def load_copy_of_the_test_database(self) -> None:
        """The pytest database (both demo departments, migrated, and every committed row) copied
        in with pg_dump and pg_restore: seconds, where migrating two departments takes minutes."""
        source = connection.settings_dict
        dump = self.folder / "test.dump"
        env = dict(os.environ, PGPASSWORD=source["PASSWORD"] or "")
        subprocess.run(
            [
                str(PG_BIN / "pg_dump"),
                *("-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432), "-U", source["USER"]),
                *("-Fc", "-f", str(dump), source["NAME"]),
            ],
            check=True,
            env=env,
            timeout=120,
        )
        with psycopg.connect(f"postgres://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE porchlight")
        subprocess.run(
            [
                str(PG_BIN / "pg_restore"),
                *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"),
                *("-d", "porchlight", "--no-owner", "--no-privileges", str(dump)),
            ],
            check=True,
            timeout=120,
        )


@dataclass
class Officer:
    user_id: int
    token: str
    purpose: str


def _officer_with_a_token() -> Officer:
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        owner = UserFactory(role=Role.RESIDENT)
        site = cameras.site_create(
            owner=owner, department=department, lon=LON, lat=LAT, kind="residential", address="5 Elm"
        )
        camera = cameras.camera_register(owner=owner, site=site, label="Porch")
        policy = DepartmentPolicy.objects.get(department=department)
        cameras.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")
        officer = UserFactory(role=Role.OFFICER)
        totp_enable(officer)
        purpose = access.purpose_declare(
            actor=access.Actor(user=officer, mfa=True), case_number="RPD-PG", category="property_crime", text="x"
        )
        return Officer(officer.pk, api_token_issue(user=officer, name="load").raw, str(purpose.public_id))


@pytest.fixture
def officer() -> Officer:
    return committed(_officer_with_a_token)


@pytest.fixture
def private_postgres(officer: Officer) -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres()
    try:
        cluster.create()
        cluster.load_copy_of_the_test_database()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def server(private_postgres: PrivatePostgres) -> Iterator[int]:
    # The search limit per token (docs/rate-limits.md) is off: four clients search as fast as
    # they can with one token, and this test is about the restart, not the limit.
    with uvicorn_server(DATABASE_URL=private_postgres.url, PORCHLIGHT_RATE_LIMIT_SEARCH="") as port:
        yield port


@dataclass
class Answer:
    started: float
    status: int
    body: str


def _search(port: int, officer: Officer) -> Answer:
    started = time.monotonic()
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        client.request(
            "GET",
            f"/api/v1/cameras/search/?lat={LAT}&lon={LON}&radius_m=300&purpose={officer.purpose}",
            headers={"Host": f"{HOST}:{port}", "Authorization": f"Token {officer.token}"},
        )
        response = client.getresponse()
        return Answer(started, response.status, response.read().decode("utf-8", "replace"))
    finally:
        client.close()


def _home_page(port: int) -> Answer:
    started = time.monotonic()
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        client.request("GET", "/", headers={"Host": f"{HOST}:{port}", "Accept": "text/html"})
        response = client.getresponse()
        return Answer(started, response.status, response.read().decode("utf-8", "replace"))
    finally:
        client.close()


def _searches_logged(cluster: PrivatePostgres, officer: Officer) -> int:
    with psycopg.connect(cluster.url) as db:
        row = db.execute(
            "SELECT count(*) FROM rialto.audit_accessevent "
            "WHERE action = 'search' AND outcome = 'allowed' AND actor_id = %s",
            [officer.user_id],
        ).fetchone()
    assert row is not None
    return int(row[0])


def _audit_verify(cluster: PrivatePostgres) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=cluster.url)
    return subprocess.run(
        [sys.executable, "manage.py", "audit_verify", "--schema", "rialto"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_postgres_restarted_under_load_fails_requests_cleanly_and_loses_no_audit_event(
    server: int, private_postgres: PrivatePostgres, officer: Officer
) -> None:
    # given four officers' clients searching without pause, and a visitor reading the home page
    answers: list[Answer] = []
    pages: list[Answer] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            answers.append(_search(server, officer))

    def visitor() -> None:
        while not stop.is_set():
            pages.append(_home_page(server))

    clients = [threading.Thread(target=client) for _ in range(4)] + [threading.Thread(target=visitor)]
    for thread in clients:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while sum(a.status == 200 for a in answers) < 20:
            assert time.monotonic() < deadline, [(a.status, a.body[:200]) for a in answers[-5:]]
            time.sleep(0.05)

        # when PostgreSQL is restarted under them, and they go on for a while after
        private_postgres.restart()
        back = time.monotonic()
        time.sleep(4)
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=90)
    after = [_search(server, officer) for _ in range(5)]

    # then every answer was a success or a 503 with a sentence; those sent once it was back
    # (a second for the pool to notice) succeeded; each success is one search in the log
    everything = answers + after
    statuses = {a.status for a in everything}
    failed = [a for a in everything if a.status != 200]
    assert statuses <= {200, 503}, [(a.status, a.body[:300]) for a in failed]
    assert failed, "no request was caught by the restart"
    assert not [a for a in everything if "Traceback" in a.body]
    assert all(json.loads(a.body)["code"] == "service_unavailable" for a in failed), [a.body for a in failed]
    assert all(json.loads(a.body)["detail"].endswith(".") for a in failed)
    assert [a.status for a in answers if a.started > back + 1] == [200] * len(
        [a for a in answers if a.started > back + 1]
    )
    assert [a.status for a in after] == [200] * 5
    assert {page.status for page in pages} <= {200, 503}, [(p.status, p.body[-300:]) for p in pages if p.status != 200]
    assert all("Unavailable for a moment" in page.body for page in pages if page.status == 503)
    assert not [page for page in pages if "Traceback" in page.body]
    assert _searches_logged(private_postgres, officer) == sum(a.status == 200 for a in everything)
    verified = _audit_verify(private_postgres)
    assert verified.returncode == 0, verified.stdout + verified.stderr
