"""The backup and restore drill (scripts/backup-drill.sh), run for real: pg_dump of a department
with committed events, restored into a fresh database, whose log must still verify and hold the
head recorded before the backup."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
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


def _drop_databases(names: set[str]) -> None:
    # DROP DATABASE runs outside a transaction: on a connection of its own
    with psycopg.connect(subprocess_database_url().rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_department_backed_up_and_restored_holds_its_head_and_no_forged_one(
    django_db_blocker: Any, rialto: Department
) -> None:
    """One drill (a drill takes seconds of pg_dump, restore and Django starts): the restored log
    holds the head recorded before the backup, and the copy it kept (--keep) refuses a head the
    log never had, which is how a drill fails on a backup from which events were cut."""
    head = _committed_events(django_db_blocker, rialto, 3)
    # A copy kept by an earlier run on this machine that stopped half-way (same test database name)
    _drop_databases(_drill_databases())

    done = _drill("rialto", "--keep")

    kept = _drill_databases()
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"head before the backup: {head}" in done.stdout
        assert f"its log holds {head}" in done.stdout
        assert len(kept) == 1, kept
        [copy] = kept
        seq = int(head.split(":")[0])
        forged = f"{seq}:{'ab' * 32}"
        refused = subprocess.run(
            [sys.executable, "manage.py", "audit_verify", "--schema", "rialto", "--expect", forged],
            cwd=ROOT,
            env=dict(
                os.environ,
                DATABASE_URL=subprocess_database_url().rsplit("/", 1)[0] + "/" + copy,
                DJANGO_SETTINGS_MODULE="config.settings.test",
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert refused.returncode != 0, refused.stdout + refused.stderr
    finally:
        _drop_databases(kept)
        for dump in (ROOT / ".local" / "test-backups").glob("rialto-*.dump"):
            dump.unlink()
    assert _drill_databases() == set()


def test_the_drill_names_a_schema_that_is_no_department(db: None) -> None:
    done = _drill("atlantis")

    assert done.returncode != 0
    assert "No department with the schema 'atlantis'" in done.stdout + done.stderr
    assert "does not verify before the backup" in done.stderr
