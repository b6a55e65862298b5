"""Owner notices survive a broker outage: the access records its notice in the outbox in its
own transaction, and a real worker with its beat delivers it, exactly once, once Redis is back.

Each test starts its own redis-server on a free port, kills it for the outage and starts it
again; the test process's Celery app and the worker's settings both point at it."""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection
from django_tenants.utils import tenant_context

from audit.models import Action
from cameras import access
from config.celery import app
from tenants.models import Department
from tests.conftest import free_port, subprocess_database_url
from tests.live.test_consumers import Scene, _scene

pytestmark = [pytest.mark.django_db, pytest.mark.worker]

ROOT = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def committed(fn: Any, schema: str = "rialto") -> Any:
    """Run ``fn`` in rialto (or ``schema``) on another connection, so that what it writes is committed."""

    def run() -> Any:
        try:
            with tenant_context(Department.objects.get(schema_name=schema)):
                return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@contextmanager
def notice_window(minutes: int, schema: str = "rialto") -> Iterator[None]:
    """A department's owner-notice window set to ``minutes`` (committed: workers read it), then put back."""
    from tenants.services import policy_update

    def set_to(value: int) -> int:
        department = Department.objects.get(schema_name=schema)
        saved = department.policy.notice_digest_minutes
        policy_update(department=department, actor=None, notice_digest_minutes=value)
        return saved

    saved = committed(lambda: set_to(minutes))
    try:
        yield
    finally:
        committed(lambda: set_to(saved))


@dataclass
class PrivateRedis:
    """A redis-server of this test alone, which the test can kill and start again."""

    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis(port=free_port())
    server.start()
    yield server
    server.kill()


@pytest.fixture
def broker(private_redis: PrivateRedis) -> Iterator[PrivateRedis]:
    """This process's Celery app publishes to the private Redis (not eagerly)."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = private_redis.url, False
    app._after_fork()  # drops the connection pools bound to the old URL, as Celery does in a forked child
    yield private_redis
    app.conf.broker_url, app.conf.task_always_eager = saved
    app._after_fork()


@dataclass
class Worker:
    mail_dir: Path
    process: subprocess.Popen[bytes]

    def mails_to(self, email: str) -> list[str]:
        texts = [p.read_text() for p in sorted(self.mail_dir.iterdir())]
        return [t for t in texts if f"To: {email}" in t]

    def wait_for_mail_to(self, email: str, timeout: float = 60) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if mails := self.mails_to(email):
                return mails
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"no e-mail to {email} arrived")


def worker_with_beat(redis_url: str, tmp_path: Path, *extra_env: tuple[str, str]) -> Worker:
    """A Celery worker with its embedded beat, as `make run` starts them, on the given Redis;
    the outbox sweep runs every second and takes up notices one second old."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(parents=True)
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=subprocess_database_url(),
        REDIS_URL=redis_url,
        PORCHLIGHT_TEST_REDIS_DB="0",
        PORCHLIGHT_TEST_CELERY_EAGER="false",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(mail_dir),
        PORCHLIGHT_OUTBOX_SWEEP_SECONDS="1",
        PORCHLIGHT_OUTBOX_GRACE_SECONDS="1",
    )
    env.update(extra_env)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "--scheduler",
            "tenant_schemas_celery.scheduler.TenantAwarePersistentScheduler",
            "--schedule",
            str(tmp_path / "beat-schedule"),
            "--pool",
            "threads",
            "--concurrency",
            "3",
            "--loglevel",
            "WARNING",
            "--hostname",
            f"outbox-{os.getpid()}-{time.monotonic_ns()}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return Worker(mail_dir, process)


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.process.terminate()
    for worker in started:
        try:
            worker.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=10)


def _notify_on_access(scene: Scene, *, level: str, notify: bool) -> None:
    from cameras.models import Camera
    from cameras.services import consent_set
    from tenants.models import DepartmentPolicy

    camera = Camera.objects.select_related("site__owner").get(pk=scene.camera_pk)
    policy = DepartmentPolicy.objects.get(department__schema_name="rialto")
    consent_set(owner=camera.site.owner, camera=camera, policy=policy, level=level, notify_on_access=notify)


def _officer(scene: Scene) -> access.Actor:
    from accounts.models import User

    return access.Actor(user=User.objects.get(pk=scene.officer_id), mfa=True)


def camera_viewed(scene: Scene) -> tuple[bool, int]:
    """An officer opens the camera's details (the owner asked to be told of every access)."""
    actor = _officer(scene)
    purpose = access.purpose_lookup(actor=actor, public_id=scene.purpose_id)
    decision, _camera = access.camera_lookup(
        actor=actor, purpose=purpose, public_id=scene.camera_id, action=Action.CAMERA_VIEW
    )
    return decision.allowed, decision.event_seq


def emergency_live_view(scene: Scene) -> tuple[bool, int]:
    """An officer watches the camera live under emergency-only consent, then leaves
    (the owner did not ask for notices: an emergency view is always told afterwards)."""
    from audit.models import AccessEvent
    from live.services import live_session_end, live_session_start

    actor = _officer(scene)
    purpose = access.purpose_declare(
        actor=actor, case_number="RPD-26-0099", category="missing_person", text="Missing child", authority="exigent"
    )
    start = live_session_start(actor=actor, purpose=purpose, camera_public_id=scene.camera_id)
    assert start.session is not None, start.decision.reason
    live_session_end(actor=None, session_id=start.session.pk, reason="viewer_left")
    end = AccessEvent.objects.filter(action="live_end").latest("seq")
    return start.decision.allowed, end.seq


SCENES = {camera_viewed: ("on_request", True), emergency_live_view: ("live_exigent", False)}


def _owner_email(scene: Scene) -> str:
    from accounts.models import User

    return User.objects.get(pk=scene.owner_id).email


def _event_logged(seq: int) -> bool:
    from audit.models import AccessEvent

    return AccessEvent.objects.filter(seq=seq, outcome="allowed").exists()


@pytest.mark.parametrize("accessed", [camera_viewed, emergency_live_view], ids=lambda f: f.__name__)
def test_a_notice_due_while_the_broker_is_down_is_delivered_once_when_it_is_back(
    accessed: Any, broker: PrivateRedis, workers: list[Worker], tmp_path: Path
) -> None:
    # given an owner's camera, and a broker that is down
    level, notify = SCENES[accessed]
    scene = committed(lambda: _scene(level=level))
    committed(lambda: _notify_on_access(scene, level=level, notify=notify))
    owner_email = committed(lambda: _owner_email(scene))
    broker.kill()

    # when an officer accesses it (committed; the department tells owners at once), and the
    # broker comes back with the worker and its beat
    try:
        with notice_window(0):
            allowed, seq = committed(lambda: accessed(scene))
        broker.start()
        workers.append(worker_with_beat(broker.url, tmp_path))
        mails = workers[0].wait_for_mail_to(owner_email)
        time.sleep(4)  # four more sweeps, each of which could send it again

        # then the access was allowed and logged, and the owner got exactly one notice of it
        assert allowed
        assert committed(lambda: _event_logged(seq))
        assert len(workers[0].mails_to(owner_email)) == 1
        assert "RPD-" in mails[0]
    finally:
        committed(lambda: _notify_on_access(scene, level=level, notify=False))


def _queued(url: str) -> int:
    return int(redis.Redis.from_url(url).llen("celery"))


def _mails_to(workers: list[Worker], email: str) -> list[str]:
    return [mail for worker in workers for mail in worker.mails_to(email)]


def _all_done(url: str) -> bool:
    """Nothing waits in the queue and nothing taken is unacknowledged (tasks ack late)."""
    client = redis.Redis.from_url(url)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def test_a_notice_published_three_times_is_delivered_once_by_racing_workers(
    broker: PrivateRedis, workers: list[Worker], tmp_path: Path, settings: Any
) -> None:
    # given a notice published after its access's commit and published twice more by two
    # sweeps that took it for lost (grace 0), before any worker runs
    from tenants.outbox import outbox_sweep

    settings.PORCHLIGHT_OUTBOX_GRACE_SECONDS = 0
    settings.PORCHLIGHT_OUTBOX_REDELIVER_SECONDS = 0
    scene = committed(lambda: _scene(level="on_request"))
    committed(lambda: _notify_on_access(scene, level="on_request", notify=True))
    owner_email = committed(lambda: _owner_email(scene))
    try:
        with notice_window(0):
            committed(lambda: camera_viewed(scene))
        committed(outbox_sweep)
        committed(outbox_sweep)
        queued = _queued(broker.url)

        # when two workers of three threads each take the copies at once
        no_sweep = ("PORCHLIGHT_OUTBOX_SWEEP_SECONDS", "3600")
        workers.extend(worker_with_beat(broker.url, tmp_path / f"w{n}", no_sweep) for n in range(2))
        deadline = time.monotonic() + 60
        while not (_all_done(broker.url) and _mails_to(workers, owner_email)) and time.monotonic() < deadline:
            time.sleep(0.2)

        # then the owner got one e-mail
        assert queued >= 3
        assert _all_done(broker.url)
        assert len(_mails_to(workers, owner_email)) == 1
    finally:
        committed(lambda: _notify_on_access(scene, level="on_request", notify=False))
