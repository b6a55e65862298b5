"""A real Celery worker runs a task in the schema of the tenant that enqueued it, and only there."""

import time
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.tasks import sessions_clear_expired, user_invitation_send
from tests.conftest import INVITED_PK, TenantClient
from tests.tenancy import connection

pytestmark = [pytest.mark.django_db, pytest.mark.worker]

ROOT = Path(__file__).resolve().parent.parent


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
    celery_worker: Path, not_eager: None, rialto: Any, fontana: Any, django_db_blocker: Any
) -> None:
    # The worker sees only committed rows: the invited officers of the session setup,
    # one in each department with the same primary key.
    with tenant_context(rialto):
        user_invitation_send.apply_async(kwargs={"user_id": INVITED_PK})
    connection.set_schema_to_public()

    sent = _wait_for(lambda: _invited("rialto").invitation_sent_at is not None)

    assert sent
    assert _invited("fontana").invitation_sent_at is None
    mails = "".join(p.read_text() for p in celery_worker.iterdir())
    assert "invited@rialto.example.org" in mails
    assert "http://rialto.localhost:8000/accounts/password/reset/key/" in mails
    assert "fontana" not in mails


def test_healthz_reports_the_running_worker(
    celery_worker: Path, not_eager: None, settings: Any, rialto_client: TenantClient
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = rialto_client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["celery"]["ok"] is True
    assert response.json()["checks"]["celery"]["workers"]


def test_a_task_that_would_not_run_once_per_outbox_message_cannot_be_enqueued_after_a_commit(
    in_rialto: Any,
) -> None:
    from tenants.outbox import enqueue_on_commit

    with pytest.raises(TypeError) as raised:
        enqueue_on_commit(sessions_clear_expired)

    assert "accounts.tasks.sessions_clear_expired cannot be enqueued after a commit" in str(raised.value)
