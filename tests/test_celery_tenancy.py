"""A real Celery worker runs a task in the schema of the tenant that enqueued it, and only there."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.tasks import user_invitation_send
from config.celery import app
from tests.conftest import INVITED_PK, TenantClient, subprocess_database_url

pytestmark = [pytest.mark.django_db, pytest.mark.worker]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def worker(django_db_setup: None, tmp_path_factory: Any) -> Iterator[Path]:
    if not settings.REDIS_URL:
        pytest.fail("The Celery worker test needs Redis (REDIS_URL); make test provides it.")
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=subprocess_database_url(),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(mail_dir),
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
        cwd=ROOT,
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


def _wait_for(predicate: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _invited(schema: str) -> User:
    from tenants.models import Department

    with tenant_context(Department.objects.get(schema_name=schema)):
        return User.objects.get(pk=INVITED_PK)


def test_task_enqueued_for_rialto_reads_and_writes_rialto_only(
    worker: Path, not_eager: None, rialto: Any, fontana: Any, django_db_blocker: Any
) -> None:
    # The worker sees only committed rows: the invited officers of the session setup,
    # one in each department with the same primary key.
    with tenant_context(rialto):
        user_invitation_send.apply_async(kwargs={"user_id": INVITED_PK})
    connection.set_schema_to_public()

    sent = _wait_for(lambda: _invited("rialto").invitation_sent_at is not None)

    assert sent
    assert _invited("fontana").invitation_sent_at is None
    mails = "".join(p.read_text() for p in worker.iterdir())
    assert "invited@rialto.example.org" in mails
    assert "http://rialto.localhost:8000/accounts/password/reset/key/" in mails
    assert "fontana" not in mails


def test_healthz_reports_the_running_worker(
    worker: Path, not_eager: None, settings: Any, rialto_client: TenantClient
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = rialto_client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["celery"]["ok"] is True
    assert response.json()["checks"]["celery"]["workers"]
