"""The database connection pool under the real ASGI server (uvicorn).

One server process with a pool of two connections serves many concurrent requests that
alternate between the two demo departments. Every connection it opens carries the
application name the test gives it (libpq's PGAPPNAME), so the test counts exactly that
process's connections in pg_stat_activity while the requests run.
"""

import copy
import os
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django_tenants.postgresql_backend.base import DatabaseWrapper

from tenants.models import Department
from tests.conftest import SHARED_PK, CommittedUser
from tests.site_client import uvicorn_server

pytestmark = [pytest.mark.django_db, pytest.mark.server]

POOL_SIZE = 2
CLIENTS = 12
REQUESTS_PER_CLIENT = 20


@dataclass
class PooledServer:
    port: int
    application_name: str


@contextmanager
def _server(**settings_env: str) -> Iterator[PooledServer]:
    """The real server (tests.site_client); its connections carry an application name of
    their own (libpq's PGAPPNAME), so pg_stat_activity tells exactly which are its."""
    application_name = f"porchlight-pool-test-{uuid.uuid4().hex[:8]}"
    with uvicorn_server(PGAPPNAME=application_name, **settings_env) as port:
        yield PooledServer(port, application_name)


@pytest.fixture(scope="module")
def pooled_server(django_db_setup: None, committed: dict[str, CommittedUser]) -> Iterator[PooledServer]:
    """The server with a pool of POOL_SIZE connections."""
    with _server(DJANGO_DB_POOL_MAX_SIZE=str(POOL_SIZE), DJANGO_DB_POOL_MIN_SIZE="1") as server:
        yield server


@pytest.fixture
def default_server(django_db_setup: None, committed: dict[str, CommittedUser]) -> Iterator[PooledServer]:
    """The server as `make run` and a deployment start it: no pool setting given."""
    env = {name: value for name, value in os.environ.items() if name.startswith("DJANGO_DB_POOL")}
    assert env == {}, "the test environment sets a pool already"
    with _server() as server:
        yield server


def _get(port: int, host: str, path: str, session_key: str = "") -> tuple[int, bytes]:
    headers = {"Host": f"{host}:{port}"}
    if session_key:
        headers["Cookie"] = f"sessionid={session_key}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _server_connections(application_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name])
        (count,) = cursor.fetchone()
    return int(count)


class _ConnectionSampler:
    """Counts the server's connections every 20 ms while the requests run; keeps the highest."""

    def __init__(self, application_name: str) -> None:
        self.application_name = application_name
        self.highest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        from django.db import connection as thread_connection

        try:
            while not self._stop.is_set():
                self.highest = max(self.highest, _server_connections(self.application_name))
                time.sleep(0.02)
        finally:
            thread_connection.close()

    def __enter__(self) -> "_ConnectionSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _me_requests(
    server: PooledServer, committed: dict[str, CommittedUser], client: int
) -> list[tuple[str, int, bytes]]:
    """One client's requests, alternating between the departments (starting with a different one per client)."""
    schemas = ["rialto", "fontana"] if client % 2 else ["fontana", "rialto"]
    answers = []
    for i in range(REQUESTS_PER_CLIENT):
        user = committed[schemas[i % 2]]
        status, body = _get(server.port, user.host, "/api/v1/me/", user.session_key)
        answers.append((user.schema, status, body))
    return answers


def _concurrent_me_requests(
    server: PooledServer, committed: dict[str, CommittedUser], clients: int = CLIENTS
) -> tuple[list[tuple[str, int, bytes]], int]:
    with _ConnectionSampler(server.application_name) as sampler, ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda c: _me_requests(server, committed, c), range(clients)))
    return [answer for answers in results for answer in answers], sampler.highest


def test_one_server_process_never_holds_more_connections_than_its_pool(
    pooled_server: PooledServer, committed: dict[str, CommittedUser]
) -> None:
    answers, highest = _concurrent_me_requests(pooled_server, committed)

    assert [status for _, status, _ in answers] == [200] * CLIENTS * REQUESTS_PER_CLIENT
    assert 0 < highest <= POOL_SIZE
    assert _server_connections(pooled_server.application_name) <= POOL_SIZE


def test_a_pooled_connection_never_carries_one_departments_schema_into_anothers_request(
    pooled_server: PooledServer, committed: dict[str, CommittedUser]
) -> None:
    answers, _ = _concurrent_me_requests(pooled_server, committed)

    # Both users have the same pk: a search_path left over from the other department would
    # find no session (401) or, with a session, the other department's user.
    wrong = [
        (schema, status, body[:200]) for schema, status, body in answers if committed[schema].email.encode() not in body
    ]
    assert wrong == []
    assert len(answers) == CLIENTS * REQUESTS_PER_CLIENT


def test_the_asgi_server_borrows_from_a_pool_of_eight_by_default(
    default_server: PooledServer, committed: dict[str, CommittedUser]
) -> None:
    answers, highest = _concurrent_me_requests(default_server, committed, clients=16)

    assert [status for _, status, _ in answers] == [200] * 16 * REQUESTS_PER_CLIENT
    assert 0 < highest <= 8


def _shared_users_email_and_backend(wrapper: Any) -> tuple[str, int]:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT email, pg_backend_pid() FROM accounts_user WHERE id = %s", [SHARED_PK])
        email, pid = cursor.fetchone()
    return str(email), int(pid)


@pytest.fixture
def two_wrappers_over_a_pool_of_one(django_db_setup: None) -> Iterator[tuple[Any, Any]]:
    """Two database wrappers (two threads' connections, say) borrowing from one real pool of one connection."""
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["CONN_MAX_AGE"] = 0
    settings_dict["OPTIONS"]["pool"] = {"min_size": 1, "max_size": 1}
    first = DatabaseWrapper(settings_dict, alias="pool-of-one")
    second = DatabaseWrapper(settings_dict, alias="pool-of-one")
    yield first, second
    first.close()
    second.close()
    first.close_pool()


def test_a_connection_given_back_to_the_pool_gets_its_next_borrowers_schema(
    two_wrappers_over_a_pool_of_one: tuple[Any, Any],
    rialto: Department,
    fontana: Department,
    committed: dict[str, CommittedUser],
) -> None:
    first, second = two_wrappers_over_a_pool_of_one
    first.set_tenant(rialto)
    _, rialto_backend = _shared_users_email_and_backend(first)  # SET search_path to rialto, remembered
    first.close()  # the connection goes back to the pool

    second.set_tenant(fontana)
    fontana_email, fontana_backend = _shared_users_email_and_backend(second)  # the same connection, set to fontana
    second.close()
    # The first wrapper borrows again without choosing a tenant again: it must not trust the
    # search_path it set on its last connection, since that connection now says fontana.
    rialto_email, rialto_again_backend = _shared_users_email_and_backend(first)

    assert rialto_backend == fontana_backend == rialto_again_backend
    assert fontana_email == committed["fontana"].email
    assert rialto_email == committed["rialto"].email
