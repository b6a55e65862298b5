"""The anomaly queue is caught up by a beat task of every department, run by a real Celery
worker in the schema of the department it was sent for, and only there."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from audit.models import AccessEvent, RollupMark
from cameras.tasks import anomalies_catch_up_task
from tests.conftest import subprocess_database_url

pytestmark = [pytest.mark.django_db, pytest.mark.worker]
SCHEMAS = ("rialto", "fontana")


def test_the_queue_is_a_beat_task_of_every_department_with_work_every_5_minutes() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["anomalies"]

    # One dispatch in public, which sends the task to each department with work (tenants.periodic).
    assert entry == {
        "task": "tenants.tasks.periodic_dispatch",
        "schedule": 300.0,
        "args": ["cameras.tasks.anomalies_catch_up"],
        "tenant_schemas": ["public"],
    }


@pytest.fixture
def committed_marks_restored() -> Iterator[None]:
    """The queue's marks removed (committed) before the test; what the worker commits outlives
    the test's transaction, so its marks and flags are put back as they were afterwards."""
    marks: dict[str, list[tuple[Any, ...]]] = {}
    flags: dict[str, int] = {}
    with psycopg.connect(subprocess_database_url()) as conn:
        for schema in SCHEMAS:
            marks[schema] = conn.execute(
                f"SELECT name, seq, time_zone FROM {schema}.audit_rollupmark WHERE name LIKE 'anomalies%%'"  # noqa: S608
            ).fetchall()
            row = conn.execute(f"SELECT coalesce(max(id), 0) FROM {schema}.audit_anomalyflag").fetchone()  # noqa: S608
            flags[schema] = row[0] if row else 0
        # Start from no mark, so that only the worker can have made rialto's.
        for schema in SCHEMAS:
            conn.execute(f"DELETE FROM {schema}.audit_rollupmark WHERE name LIKE 'anomalies%%'")  # noqa: S608
        conn.commit()
    yield
    with psycopg.connect(subprocess_database_url(), autocommit=False) as conn:
        for schema in SCHEMAS:
            conn.execute(f"SET search_path TO {schema}")
            # Flags are append-only (audit migration 0031): the owner switches the guard off
            # (with the reviews' foreign key checked at once: ALTER TABLE waits for no pending check).
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
            conn.execute("ALTER TABLE audit_anomalyflag DISABLE TRIGGER audit_anomalyflag_no_update_delete")
            conn.execute(
                "DELETE FROM audit_anomalyflag WHERE id > %s AND id NOT IN (SELECT flag_id FROM audit_anomalyreview)",
                [flags[schema]],
            )
            conn.execute("ALTER TABLE audit_anomalyflag ENABLE ALWAYS TRIGGER audit_anomalyflag_no_update_delete")
            conn.execute("DELETE FROM audit_rollupmark WHERE name LIKE 'anomalies%%'")
            for name, seq, zone in marks[schema]:
                conn.execute(
                    "INSERT INTO audit_rollupmark (name, seq, time_zone) VALUES (%s, %s, %s)", [name, seq, zone]
                )
        conn.commit()


def _mark() -> int | None:
    return RollupMark.objects.filter(name="anomalies").values_list("seq", flat=True).first()


def _caught_up(head: int) -> bool:
    mark = _mark()
    return mark is not None and mark >= head


def test_a_real_worker_catches_the_queue_up_in_the_department_it_was_sent_for(
    celery_worker: Path, not_eager: None, rialto: Any, fontana: Any, committed_marks_restored: None
) -> None:
    with tenant_context(rialto):
        assert _mark() is None
        head = AccessEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        anomalies_catch_up_task.apply_async()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with tenant_context(rialto):
            if _caught_up(head):
                break
        time.sleep(0.2)

    with tenant_context(rialto):
        assert _caught_up(head)
    with tenant_context(fontana):
        assert _mark() is None
