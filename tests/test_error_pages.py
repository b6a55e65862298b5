"""Error pages (403, 404, 500) through the real ASGI server, for every role.

Under ASGI, Django renders the response to an exception raised in a view on another
thread, with another database connection; these pages must still be the department's own
pages, read from the department's schema (the integrity banner of supervisors and admins
queries it)."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from accounts.models import Role
from tenants.models import Department
from tests.factories import UserFactory, totp_enable
from tests.site_client import SiteSession, committed, signed_in, uvicorn_server

pytestmark = [pytest.mark.django_db, pytest.mark.server]

HOST = "rialto.localhost"
DEPARTMENT = "Rialto Police Department"
SERVER_APP = "porchlight-error-pages"  # the server's connections, by libpq's application name
ROLES = [Role.RESIDENT, Role.OFFICER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT]


@pytest.fixture(scope="module")
def server(django_db_setup: None) -> Iterator[int]:
    with uvicorn_server(PGAPPNAME=SERVER_APP) as port:
        yield port


@pytest.fixture(scope="module")
def people(django_db_setup: None, django_db_blocker: Any) -> dict[str, tuple[str, str | None]]:
    """One committed Rialto user per role: e-mail and, for staff, the TOTP secret."""

    def make() -> dict[str, tuple[str, str | None]]:
        with tenant_context(Department.objects.get(schema_name="rialto")):
            out: dict[str, tuple[str, str | None]] = {}
            for role in ROLES:
                user = UserFactory(role=role)
                out[role] = (user.email, totp_enable(user) if user.is_staff_role else None)
            return out

    with django_db_blocker.unblock():
        return committed(make)


def _session(server: int, people: dict[str, tuple[str, str | None]], role: str) -> SiteSession:
    email, secret = people[role]
    return signed_in(server, HOST, email, secret)


@pytest.mark.parametrize(
    ("role", "path", "reason"),
    [
        (Role.RESIDENT, "/department/staff/", "Only department administrators can manage the department."),
        (Role.OFFICER, "/department/staff/", "Only department administrators can manage the department."),
        (Role.SUPERVISOR, "/department/staff/", "Only department administrators can manage the department."),
        (Role.DEPT_ADMIN, "/console/", "The console is for officers and supervisors."),
        (Role.OVERSIGHT, "/department/staff/", "Only department administrators can manage the department."),
    ],
)
def test_refused_page_is_the_departments_403_page_for_every_role(
    server: int, people: dict[str, tuple[str, str | None]], role: str, path: str, reason: str
) -> None:
    session = _session(server, people, role)

    reply = session.get(path)

    assert reply.status == 403, reply.body[-3000:]
    assert DEPARTMENT in reply.body
    assert reason in reply.body
    assert people[role][0] in reply.body  # the signed-in header: the page knows who is asking


@pytest.mark.parametrize("role", ROLES)
def test_missing_page_is_the_departments_404_page_for_every_role(
    server: int, people: dict[str, tuple[str, str | None]], role: str
) -> None:
    session = _session(server, people, role)

    reply = session.get("/no-such-page/")

    assert reply.status == 404, reply.body[-3000:]
    assert DEPARTMENT in reply.body
    assert "There is no page at this address." in reply.body
    assert people[role][0] in reply.body


def test_missing_page_for_a_visitor_is_the_departments_404_page(server: int) -> None:
    reply = SiteSession(server, HOST).get("/no-such-page/")

    assert reply.status == 404
    assert DEPARTMENT in reply.body
    assert "There is no page at this address." in reply.body


def test_missing_page_speaks_the_visitors_language(server: int) -> None:
    session = SiteSession(server, HOST)
    session.cookies["django_language"] = "es"

    reply = session.get("/no-such-page/")

    assert reply.status == 404
    assert '<html lang="es">' in reply.body
    assert "No hay ninguna página en esta dirección." in reply.body


def test_missing_page_on_the_public_site_is_porchlights_404_page(server: int) -> None:
    reply = SiteSession(server, "localhost").get("/no-such-page/")

    assert reply.status == 404
    assert "There is no page at this address." in reply.body


def _database_read_only(on: bool) -> None:
    """Make the test database refuse writes, as a PostgreSQL standby does while a failover is
    in progress: new connections refuse them, and the server's open ones are ended."""
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = off")  # this connection may be a refusing one
        cursor.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {"on" if on else "off"}')
        # A failover also ends the connections that were open: the server's pool opens new ones.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [SERVER_APP]
        )


@pytest.fixture
def database_refusing_writes(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        committed(lambda: _database_read_only(True))
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            committed(lambda: _database_read_only(False))


@pytest.mark.parametrize("role", ROLES)
def test_server_error_while_the_database_refuses_writes_is_the_departments_500_page(
    server: int, people: dict[str, tuple[str, str | None]], role: str, request: Any
) -> None:
    session = _session(server, people, role)
    request.getfixturevalue("database_refusing_writes")

    reply = session.get("/oversight/")  # every reading of the access log, or refusal of it, is logged: a write

    assert reply.status == 500, reply.body[-3000:]
    assert DEPARTMENT in reply.body
    assert "Something went wrong on our side" in reply.body
    assert people[role][0] in reply.body


def _server_connections(application_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name])
        (count,) = cursor.fetchone()
    return int(count)


def test_error_pages_give_their_connection_back_to_the_pool(
    people: dict[str, tuple[str, str | None]], django_db_blocker: Any
) -> None:
    # Given a server whose pool holds two connections, and a supervisor whose error pages
    # read the department's tables (the integrity banner) on Django's error-page threads
    application_name = "porchlight-error-pages-pool"
    with uvicorn_server(DJANGO_DB_POOL_MAX_SIZE="2", DJANGO_DB_POOL_TIMEOUT="5", PGAPPNAME=application_name) as port:
        session = _session(port, people, Role.SUPERVISOR)

        # When many missing pages are asked for at once, from several threads of that process
        with ThreadPoolExecutor(6) as pool:
            replies = list(pool.map(lambda i: session.get(f"/no-such-page/{i}/"), range(24)))
        after = session.get("/")

        # Then every page was the department's 404, the pool was never left empty,
        # and the process holds no more connections than its pool
        assert [reply.status for reply in replies] == [404] * 24
        assert after.status == 200, after.body[-2000:]
        with django_db_blocker.unblock():
            assert _server_connections(application_name) <= 2
