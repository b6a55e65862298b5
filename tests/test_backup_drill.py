"""The backup and restore drill (scripts/backup-drill.sh), run for real: pg_dump of a department
with committed events, restored into a fresh database, whose log must still verify and hold the
head recorded before the backup."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from audit.selectors import chain_head
from audit.services import ActorSnapshot, EventFacts, access_event_record
from tenants.models import Department
from tests.conftest import subprocess_database_url

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.server]

ROOT = Path(__file__).resolve().parent.parent
ACTOR = ActorSnapshot(user_id=7, label="Officer Drill", badge="4712", role="officer", mfa=True, ip="10.0.0.2")


def _committed_events(django_db_blocker: Any, department: Department, n: int) -> str:
    """Write ``n`` events on a thread and connection of their own (committed, so pg_dump sees
    them) and return the head as SEQ:HASH."""

    def write() -> str:
        with django_db_blocker.unblock():
            try:
                with tenant_context(department), transaction.atomic():
                    for _ in range(n):
                        access_event_record(
                            actor=ACTOR, facts=EventFacts(action="search", outcome="allowed", reason="ok")
                        )
                with tenant_context(department):
                    head = chain_head()
                return f"{head.count}:{head.head_hash}"
            finally:
                connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(write).result()


def _drill(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        DATABASE_URL=subprocess_database_url(),
        DJANGO_SETTINGS_MODULE="config.settings.test",
        PYTHON=sys.executable,
        PORCHLIGHT_BACKUP_DIR=str(ROOT / ".local" / "test-backups"),
    )
    return subprocess.run(
        [str(ROOT / "scripts" / "backup-drill.sh"), *args], env=env, capture_output=True, text=True, timeout=300
    )


def _drill_databases() -> set[str]:
    """The databases a drill on the test database makes (others' databases come and go)."""
    prefix = connection.settings_dict["NAME"] + "_drill_"
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE left(datname, %s) = %s", [len(prefix), prefix])
        return {row[0] for row in cursor.fetchall()}


def test_a_department_backed_up_and_restored_still_holds_its_head(django_db_blocker: Any, rialto: Department) -> None:
    head = _committed_events(django_db_blocker, rialto, 3)

    done = _drill("rialto")

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"head before the backup: {head}" in done.stdout
    assert f"its log holds {head}" in done.stdout
    # the fresh database and the backup file are removed afterwards
    assert _drill_databases() == set()
    assert not list((ROOT / ".local" / "test-backups").glob("rialto-*.dump"))


def test_the_drill_fails_when_the_restored_log_does_not_hold_the_head_kept_outside(
    django_db_blocker: Any, rialto: Department
) -> None:
    head = _committed_events(django_db_blocker, rialto, 1)
    seq = int(head.split(":")[0])
    # a head kept from before that the log never had (e.g. a backup from which events were cut)
    forged = f"{seq}:{'ab' * 32}"

    done = _drill("rialto", "--expect", forged)

    assert done.returncode != 0
    assert f"does not hold {forged}: the backup is not good" in done.stderr


def test_the_drill_names_a_schema_that_is_no_department(db: None) -> None:
    done = _drill("atlantis")

    assert done.returncode != 0
    assert "No department with the schema 'atlantis'" in done.stdout + done.stderr
    assert "does not verify before the backup" in done.stderr
