"""``migrate_schemas`` migrates the departments that are behind and skips those up to date.

tenants.migration_executors (settings.GET_EXECUTOR_FUNCTION) reads every schema's
django_migrations in one query and hands django-tenants' executor only the schemas behind.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection as db_connection
from django_tenants.signals import schema_migrated
from django_tenants.utils import schema_context

from accounts.onboarding import department_create
from tenants.migration_executors import (
    SkippingMultiprocessingExecutor,
    SkippingStandardExecutor,
    get_executor,
    schemas_behind,
)
from tenants.models import Department
from tests.tenancy import connection

BEHIND_MIGRATION = ("messaging", "0002_thread_keeps_camera_words")


def _columns(schema: str) -> set[str]:
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'messaging_thread'",
            [schema],
        )
        return {row[0] for row in cursor.fetchall()}


def _applied(schema: str) -> bool:
    with db_connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM "{schema}".django_migrations WHERE app = %s AND name = %s',  # noqa: S608 (test schema)
            list(BEHIND_MIGRATION),
        )
        return cursor.fetchone() is not None


def _put_behind(schema: str) -> None:
    """Unapply messaging's last migration in ``schema`` (its columns go, its record too)."""
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=schema,
        app_label="messaging",
        migration_name="0001_initial",
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()
    assert not _applied(schema)
    assert "camera_address" not in _columns(schema)


def _department(schema: str) -> Department:
    return department_create(
        name=f"Migrate {schema}",
        schema_name=schema,
        domain=f"{schema}.localhost",
        admin_email=f"a@{schema}.example.org",
    ).department


def test_the_settings_choose_the_skipping_executors() -> None:
    assert get_executor("standard") is SkippingStandardExecutor
    assert get_executor("multiprocessing") is SkippingMultiprocessingExecutor
    assert get_executor("subprocess").codename == "subprocess"  # django-tenants' own, unchanged


def test_a_department_behind_is_migrated_and_one_up_to_date_is_skipped(
    db: None, capfd: pytest.CaptureFixture[str]
) -> None:
    behind, current = _department("migbehind"), _department("migcurrent")
    _put_behind(behind.schema_name)
    assert schemas_behind(["migbehind", "migcurrent", "rialto", "no_such_schema"]) == ["migbehind", "no_such_schema"]
    capfd.readouterr()

    call_command("migrate_schemas", tenant=True, executor="standard", interactive=False, verbosity=1)
    connection.set_schema_to_public()

    out = capfd.readouterr().out
    assert _applied("migbehind")
    assert {"camera_address", "camera_type"} <= _columns("migbehind")
    assert "standard:migbehind]" in out
    assert "standard:migcurrent]" not in out
    assert "standard:rialto]" not in out
    assert "to migrate" in out
    assert schemas_behind([behind.schema_name, current.schema_name]) == []


def test_a_missing_migration_record_alone_makes_a_schema_behind(db: None) -> None:
    department = _department("migrecord")
    with schema_context("migrecord"), db_connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", list(BEHIND_MIGRATION))
    connection.set_schema_to_public()
    assert schemas_behind([department.schema_name]) == [department.schema_name]


def test_with_a_target_every_schema_goes_through_migrate(db: None, capfd: pytest.CaptureFixture[str]) -> None:
    """An app label (or --fake, --plan …) is a deliberate run: nothing is skipped."""
    _department("migtarget")
    capfd.readouterr()
    call_command(
        "migrate_schemas", "messaging", tenant=True, executor="standard", schema_name="migtarget", interactive=False
    )
    connection.set_schema_to_public()
    out = capfd.readouterr().out
    assert "standard:migtarget]" in out
    assert "up to date" not in out


@pytest.fixture
def committed_behind(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[str]]:
    """Two committed departments, both behind: forked workers see only committed schemas."""
    schemas = ["migfork1", "migfork2"]
    with django_db_blocker.unblock():
        for schema in schemas:
            _department(schema)
            _put_behind(schema)
    yield schemas
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        for department in Department.objects.filter(schema_name__in=schemas):
            department.delete()
        with db_connection.cursor() as cursor:
            for schema in schemas:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_the_multiprocessing_executor_migrates_the_schemas_behind_in_forked_workers(
    committed_behind: list[str], django_db_blocker: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    migrated_here: list[str] = []

    def receiver(sender: Any, schema_name: str, **kwargs: Any) -> None:
        migrated_here.append(schema_name)

    capfd.readouterr()
    schema_migrated.connect(receiver)
    try:
        with django_db_blocker.unblock():
            call_command("migrate_schemas", tenant=True, executor="multiprocessing", interactive=False, verbosity=1)
            connection.set_schema_to_public()
            for schema in committed_behind:
                assert _applied(schema)
                assert "camera_address" in _columns(schema)
    finally:
        schema_migrated.disconnect(receiver)
    out = capfd.readouterr().out
    assert re.search(r"\[multiprocessing\] \d+ of \d+ schemas up to date, 2 to migrate", out)
    assert all(f"multiprocessing:{schema}]" in out for schema in committed_behind)
    assert "multiprocessing:rialto]" not in out
    # django-tenants signals schema_migrated where a schema was migrated: not in this process,
    # so the workers were processes of their own.
    assert migrated_here == []
