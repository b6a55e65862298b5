"""Shared fixtures.

The test database gets the public tenant and the two demo departments once per
session (tenant creation migrates a schema, so it is not repeated per test).
Each test then runs inside a transaction that is rolled back, as usual.

Consumers and the Celery worker run on other threads/processes and cannot see a
test's uncommitted rows; they use the committed users of ``committed``.
"""

import asyncio
import asyncio.runners
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from django_tenants.utils import get_public_schema_name, tenant_context
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.models import Role, User
from accounts.onboarding import department_create
from cameras import services as camera_services
from cameras.access import Actor, purpose_declare
from cameras.models import Camera, Purpose
from config.celery import app
from tenants.demo import DEMO_DEPARTMENTS, demo_boundary
from tenants.models import Department, DepartmentPolicy
from tenants.services import public_tenant_ensure

from .factories import PASSWORD, UserFactory, bridge_online_make, totp_code, totp_enable
from .tenancy import connection

# Property tests check behaviour, never speed: on a loaded machine (CI, or several suites at
# once) generating a few examples can pass hypothesis's 'too slow' limit, which says nothing
# about the code, and its per-example deadline likewise.
hypothesis_settings.register_profile("porchlight", suppress_health_check=[HealthCheck.too_slow], deadline=None)
hypothesis_settings.load_profile("porchlight")


def _cancel_all_tasks_until_done(loop: asyncio.AbstractEventLoop) -> None:
    """What closing a test's event loop does (asyncio.runners._cancel_all_tasks), except that
    a task still running after a cancel is cancelled again, for at most 30 s.

    redis-py can swallow the cancellation of a blocking pop that answers at that very moment
    (redis/redis-py#2028); channels-redis's receive then goes on popping every 5 s (its
    BZPOPMIN timeout, now within the socket's read timeout) and one cancel never ends it:
    a whole test run hung in a test's teardown. A second cancel does. A server stops within
    uvicorn's --timeout-graceful-shutdown for the same reason.
    """
    deadline = time.monotonic() + 30
    while pending := [task for task in asyncio.all_tasks(loop) if not task.done()]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"tasks that ignore cancellation: {pending}")
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.wait(pending, timeout=1.0))


asyncio.runners._cancel_all_tasks = _cancel_all_tasks_until_done  # type: ignore[attr-defined]


# Users created once per session and committed, with the same primary key in both
# departments, so a schema leak would show up as the other department's e-mail.
SHARED_PK = 900_001
INVITED_PK = 900_002


@dataclass
class CommittedUser:
    schema: str
    host: str
    user_id: int
    email: str
    session_key: str


def _committed_user(department: Department, *, pk: int, email: str, role: str, usable: bool) -> User:
    user = User(pk=pk, email=email, role=role, full_name=f"{department.name} {role}")
    if usable:
        user.set_password(PASSWORD)
    else:
        user.set_unusable_password()
    user.save()
    return user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        # pytest-django sets up the test database only when some collected test asks
        # for the database; never let these fixtures write to a real one.
        assert connection.settings_dict["NAME"].startswith("test_"), "test database was not set up"
        public_tenant_ensure()
        for spec in DEMO_DEPARTMENTS:
            result = department_create(
                name=spec["name"],
                schema_name=spec["schema"],
                domain=spec["domain"],
                admin_email=f"first-admin@{spec['schema']}.example.org",
                boundary=demo_boundary(spec["boundary"]),
            )
            with tenant_context(result.department):
                _committed_user(
                    result.department,
                    pk=SHARED_PK,
                    email=f"shared@{spec['schema']}.example.org",
                    role=Role.RESIDENT,
                    usable=True,
                )
                _committed_user(
                    result.department,
                    pk=INVITED_PK,
                    email=f"invited@{spec['schema']}.example.org",
                    role=Role.OFFICER,
                    usable=False,
                )
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # Consumer threads, servers and workers of the tests leave connections behind;
        # end them so pytest-django can drop the test database.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


# The ASGI server as tests start it. A server asked to stop waits at most 5 s for its open
# connections: a consumer stuck in a cancelled channel-layer read otherwise kept it alive.
UVICORN = [
    sys.executable,
    "-m",
    "uvicorn",
    "config.asgi:application",
    "--host",
    "127.0.0.1",
    "--timeout-graceful-shutdown",
    "5",
]


def subprocess_database_url() -> str:
    """URL of the test database, for servers and workers started by a test."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def committed(django_db_setup: None, django_db_blocker: Any) -> dict[str, CommittedUser]:
    """One committed resident per department (same pk), each with a logged-in session."""
    out = {}
    with django_db_blocker.unblock():
        for spec in DEMO_DEPARTMENTS:
            department = Department.objects.get(schema_name=spec["schema"])
            with tenant_context(department):
                user = User.objects.get(pk=SHARED_PK)
                session = SessionStore()
                session["_auth_user_id"] = str(user.pk)
                session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
                session["_auth_user_hash"] = user.get_session_auth_hash()
                session.create()
                out[spec["schema"]] = CommittedUser(
                    spec["schema"], spec["domain"], user.pk, user.email, session.session_key or ""
                )
        connection.set_schema_to_public()
    return out


@pytest.fixture
def rialto(db: None) -> Department:
    return Department.objects.get(schema_name="rialto")


@pytest.fixture
def fontana(db: None) -> Department:
    return Department.objects.get(schema_name="fontana")


@pytest.fixture(autouse=True)
def _public_schema_after_test() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _default_language_after_test() -> Iterator[None]:
    # A request in Spanish leaves Spanish active on the thread (LocaleMiddleware activates it
    # and nothing deactivates it in the test client): the next test, whatever its order, starts
    # in the default language.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    # Rate limits (login lockout) live in the cache; tests use their own Redis DB.
    cache.clear()
    return


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Iterator[None]:
    # Each async test runs in its own event loop; channels_redis keeps asyncio locks (one per
    # process-specific channel) that bind to the first loop that waits on them. A layer shared
    # by two tests can therefore fail with "Lock ... is bound to a different event loop", so
    # every test gets a layer of its own.
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def in_rialto(rialto: Department) -> Iterator[Department]:
    """Run the test body in Rialto's schema."""
    connection.set_tenant(rialto)
    yield rialto
    connection.set_schema_to_public()


@pytest.fixture
def in_fontana(fontana: Department) -> Iterator[Department]:
    connection.set_tenant(fontana)
    yield fontana
    connection.set_schema_to_public()


class TenantClient(Client):
    """A test client bound to one host that leaves the test's own schema untouched.

    Django's test client runs the request on this thread's connection, and the
    tenant middleware switches that connection's schema; restore it afterwards so the
    test keeps reading the schema it chose.
    """

    def __init__(self, host: str, **defaults: Any) -> None:
        super().__init__(HTTP_HOST=host, **defaults)
        self.host = host

    def request(self, **request: Any) -> Any:
        saved = connection.tenant
        try:
            return super().request(**request)
        finally:
            connection.set_tenant(saved)


@pytest.fixture
def rialto_client(rialto: Department) -> TenantClient:
    return TenantClient("rialto.localhost")


@pytest.fixture
def fontana_client(fontana: Department) -> TenantClient:
    return TenantClient("fontana.localhost")


@pytest.fixture
def public_client(db: None) -> TenantClient:
    return TenantClient("localhost")


def login_with_mfa(client: TenantClient, email: str, secret: str, password: str = PASSWORD) -> Any:
    """The real allauth flow: password, then a TOTP code."""
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, response.content[:500]
    assert response["Location"].startswith("/accounts/2fa/authenticate/"), response["Location"]
    return client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})


@pytest.fixture
def make_staff(in_rialto: Department) -> Any:
    """Create a Rialto staff user with MFA; returns (user, totp secret)."""

    def _make(role: str = Role.OFFICER, **kwargs: Any) -> tuple[User, str]:
        user = UserFactory(role=role, **kwargs)
        return user, totp_enable(user)

    return _make


@pytest.fixture
def logged_in_staff(make_staff: Any, rialto_client: TenantClient) -> Any:
    """Log a new Rialto staff member in through password + TOTP; returns (client, user)."""

    def _login(role: str = Role.OFFICER, client: TenantClient | None = None) -> tuple[TenantClient, User]:
        client = client or rialto_client
        user, secret = make_staff(role)
        response = login_with_mfa(client, user.email, secret)
        assert response.status_code == 302, response.content[:500]
        return client, user

    return _login


def public_schema() -> str:
    return get_public_schema_name()


# --- Cameras and the gate -------------------------------------------------------------


@pytest.fixture
def policy(in_rialto: Any) -> DepartmentPolicy:
    return DepartmentPolicy.objects.get(department=in_rialto)


@pytest.fixture
def make_camera(in_rialto: Any, policy: DepartmentPolicy) -> Callable[..., Camera]:
    def _make(
        level: str = "on_request",
        *,
        kind: str = "business",
        share_contact: bool = False,
        lon: float = -117.38,
        lat: float = 34.10,
        address: str = "1 Main St",
        bridge_online: bool = False,
        **consent: Any,
    ) -> Camera:
        owner = UserFactory(role=Role.BUSINESS if kind == "business" else Role.RESIDENT)
        site = camera_services.site_create(
            owner=owner,
            department=in_rialto,
            lon=lon,
            lat=lat,
            kind=kind,
            address=address,
            share_contact=share_contact,
        )
        camera = camera_services.camera_register(
            owner=owner, site=site, label="Front", bearing_deg=90, fov_angle_deg=90, range_m=20
        )
        camera_services.consent_set(owner=owner, camera=camera, policy=policy, level=level, **consent)
        if bridge_online:  # a bridge relays it and is connected now: live view is offered
            bridge_online_make(owner, site, [camera], schema=in_rialto.schema_name)
        return Camera.objects.select_related("site", "consent").get(pk=camera.pk)

    return _make


@pytest.fixture
def officer(in_rialto: Any) -> Any:
    return UserFactory(role=Role.OFFICER, badge_number="0815")


@pytest.fixture
def actor(officer: Any) -> Actor:
    return Actor(user=officer, mfa=True, session_hash="s" * 64, ip="10.1.2.3", user_agent="pytest")


@pytest.fixture
def purpose(actor: Actor) -> Purpose:
    return purpose_declare(
        actor=actor, case_number="RPD-26-0042", category="property_crime", text="Package theft on Main St"
    )


@pytest.fixture
def exigent_purpose(actor: Actor) -> Purpose:
    return purpose_declare(
        actor=actor, case_number="RPD-26-0099", category="missing_person", text="Missing child", authority="exigent"
    )


# --- A real Celery worker -------------------------------------------------------------


# The worker's database connections carry this application_name (libpq's PGAPPNAME), so a test
# can find them in pg_stat_activity.
WORKER_APPLICATION_NAME = "porchlight-test-worker"


@pytest.fixture(scope="module")
def celery_worker(django_db_setup: None, tmp_path_factory: Any) -> Iterator[Path]:
    if not settings.REDIS_URL:
        pytest.fail("The Celery worker test needs Redis (REDIS_URL); make test provides it.")
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=subprocess_database_url(),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(mail_dir),
        PGAPPNAME=WORKER_APPLICATION_NAME,
    )
    app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"test-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while not app.control.ping(timeout=0.5, limit=1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"Celery worker did not start:\n{output[-3000:]}")
    yield mail_dir
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def not_eager() -> Iterator[None]:
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
