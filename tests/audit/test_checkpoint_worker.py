"""The 15-minute checkpoint is a beat task of every department, run by a real Celery worker in
the schema of the department it was sent for, and only there."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from audit.models import SignedCheckpoint
from audit.tasks import log_checkpoint
from tests.conftest import subprocess_database_url

pytestmark = [pytest.mark.django_db, pytest.mark.worker]


def test_the_checkpoint_is_a_beat_task_of_every_department_every_15_minutes() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["checkpoint-access-log"]

    assert entry == {"task": "audit.tasks.log_checkpoint", "schedule": 900.0}  # no tenant_schemas: every department


@pytest.fixture
def committed_checkpoints_removed() -> Iterator[None]:
    """What the worker commits would outlive the test's transaction: its checkpoints (append-only,
    so removed as a superuser would, triggers off), tree nodes and a key it created are removed
    afterwards."""
    keys: dict[str, int] = {}
    checkpoints: dict[str, int] = {}
    with psycopg.connect(subprocess_database_url()) as conn:
        for schema in ("rialto", "fontana"):
            row = conn.execute(f"SELECT coalesce(max(id), 0) FROM {schema}.footage_signingkey").fetchone()  # noqa: S608
            keys[schema] = row[0] if row else 0
            row = conn.execute(f"SELECT coalesce(max(id), 0) FROM {schema}.audit_signedcheckpoint").fetchone()  # noqa: S608
            checkpoints[schema] = row[0] if row else 0
    yield
    with psycopg.connect(subprocess_database_url(), autocommit=False) as conn:
        for schema in ("rialto", "fontana"):
            conn.execute(f"SET search_path TO {schema}")
            conn.execute("ALTER TABLE audit_signedcheckpoint DISABLE TRIGGER USER")
            conn.execute("DELETE FROM audit_signedcheckpoint WHERE id > %s", [checkpoints[schema]])
            for name in ("audit_signedcheckpoint_no_update_delete", "audit_signedcheckpoint_no_truncate"):
                conn.execute(f"ALTER TABLE audit_signedcheckpoint ENABLE ALWAYS TRIGGER {name}")
            conn.execute("DELETE FROM audit_merklenode")
            conn.execute("DELETE FROM footage_signingkey WHERE id > %s", [keys[schema]])
        conn.commit()


def test_a_real_worker_makes_the_checkpoint_in_the_department_it_was_sent_for(
    celery_worker: Path, not_eager: None, rialto: Any, fontana: Any, committed_checkpoints_removed: None
) -> None:
    before = {}
    for department in (rialto, fontana):
        with tenant_context(department):
            before[department.schema_name] = (
                SignedCheckpoint.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
    with tenant_context(rialto):
        log_checkpoint.apply_async()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with tenant_context(rialto):
            if SignedCheckpoint.objects.filter(pk__gt=before["rialto"]).exists():
                break
        time.sleep(0.2)

    with tenant_context(rialto):
        checkpoint = SignedCheckpoint.objects.get(pk__gt=before["rialto"])
        assert checkpoint.note.startswith("rialto.localhost/audit-log\n")
    with tenant_context(fontana):
        assert not SignedCheckpoint.objects.filter(pk__gt=before["fontana"]).exists()
