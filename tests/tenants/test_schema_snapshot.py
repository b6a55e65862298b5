"""A department created from the recorded schema snapshot is the schema its migrations make.

The catalog of a schema made from the snapshot (tenants.schema_snapshot) is compared with one
migrated step by step: tables, columns and their types and defaults, indexes, constraints,
triggers (audit's chain trigger, whose per-schema lock key is written into its body), functions,
sequences, views, types, and the rows migrating leaves (content types, permissions, the
recorded migrations). Each schema's own name is replaced by ``<schema>`` before comparing, so
a body that still named the recorded schema would differ.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from accounts.onboarding import department_create
from audit.models import AccessEvent
from tenants.models import Department
from tenants.schema_snapshot import (
    Snapshot,
    expected_migrations,
    schema_create_from_snapshot,
    snapshot_load,
    snapshot_missing,
    snapshot_record,
)
from tests.tenancy import connection

SNAPSHOT_MADE = "snaptest_from_snapshot"
STEPWISE = "snaptest_stepwise"
STALE_MADE = "snaptest_from_stale"

CATALOG_QUERIES = {
    "relations": """
        SELECT c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
               coalesce(array_to_string(c.reloptions, ','), ''), pg_get_userbyid(c.relowner)
        FROM pg_class c WHERE c.relnamespace = %(ns)s""",
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity, a.attgenerated,
               coalesce(co.collname, ''),
               -- The column's place among the live ones: a migrated schema keeps the numbers of
               -- columns dropped by later migrations (attnum has gaps), a recreated one does not.
               row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
        WHERE c.relnamespace = %(ns)s AND a.attnum > 0 AND NOT a.attisdropped""",
    "indexes": """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = %(ns)s""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid), condeferrable,
               condeferred, convalidated
        FROM pg_constraint WHERE connamespace = %(ns)s""",
    "triggers": """
        SELECT t.tgname, pg_get_triggerdef(t.oid), t.tgenabled
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = %(ns)s AND NOT t.tgisinternal""",
    "functions": "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = %(ns)s",
    "sequences": """
        SELECT sequencename, data_type::text, start_value, increment_by, min_value, max_value, cycle,
               coalesce(last_value, 0)
        FROM pg_sequences WHERE schemaname = %(name)s""",
    "views": "SELECT viewname, definition FROM pg_views WHERE schemaname = %(name)s",
    "types": """
        SELECT t.typname, t.typtype, format_type(t.oid, NULL)
        FROM pg_type t WHERE t.typnamespace = %(ns)s AND t.typtype IN ('e', 'd', 'c', 'r', 'm')
          AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')""",
    "enum_labels": """
        SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
        WHERE t.typnamespace = %(ns)s""",
    "policies": "SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = %(name)s",
    "content_types": "SELECT id, app_label, model FROM {schema}.django_content_type",
    "permissions": "SELECT id, codename, name, content_type_id FROM {schema}.auth_permission",
    "migrations": "SELECT id, app, name FROM {schema}.django_migrations",
}


# pg_dump prints a partial index's `type IN ('a', 'b')` (Django's UniqueConstraint condition) as
# PostgreSQL deparsed it, `= ANY ((ARRAY['a'::character varying, ...])::text[])`, and that text
# parses back into a tree that deparses as `= ANY (ARRAY[('a'::character varying)::text, ...])`:
# the same predicate, cast per element. Both are written the second way before comparing.
_VARCHAR_ARRAY = re.compile(r"\(\(ARRAY\[((?:'[^']*'::character varying(?:, )?)+)\]\)::text\[\]\)")


def _same_cast(text: str) -> str:
    def per_element(match: re.Match[str]) -> str:
        elements = re.findall(r"'[^']*'::character varying", match.group(1))
        return "(ARRAY[" + ", ".join(f"({e})::text" for e in elements) + "])"

    return _VARCHAR_ARRAY.sub(per_element, text)


def catalog(schema: str) -> dict[str, set[tuple[Any, ...]]]:
    """What the schema holds, its own name written as <schema> everywhere."""
    out: dict[str, set[tuple[Any, ...]]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Every name outside pg_catalog printed schema-qualified; SET LOCAL ends with the
        # transaction, so django-tenants' cached search_path stays true.
        cursor.execute("SET LOCAL search_path = pg_catalog")
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
        (ns,) = cursor.fetchone()
        for key, query in CATALOG_QUERIES.items():
            cursor.execute(query.replace("{schema}", f'"{schema}"'), {"ns": ns, "name": schema})
            out[key] = {
                tuple(_same_cast(v.replace(schema, "<schema>")) if isinstance(v, str) else v for v in row)
                for row in cursor.fetchall()
            }
    return out


def assert_same_catalog(one: str, other: str) -> None:
    first, second = catalog(one), catalog(other)
    assert first["relations"], f"{one} holds nothing"
    for key in CATALOG_QUERIES:
        if key == "migrations":
            # Ids follow the order migrations were applied in; a stale snapshot's missing ones
            # come last, so compare what was applied.
            assert {r[1:] for r in first[key]} == {r[1:] for r in second[key]}, key
            continue
        only_first, only_second = first[key] - second[key], second[key] - first[key]
        assert (only_first, only_second) == (set(), set()), key


def _drop(*schemas: str) -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="module")
def schemas(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Committed: one schema made from the snapshot, one migrated step by step (pg_dump reads
    the latter from a connection of its own)."""
    with django_db_blocker.unblock():
        _drop(SNAPSHOT_MADE, STEPWISE, STALE_MADE)
        assert schema_create_from_snapshot(SNAPSHOT_MADE)
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{STEPWISE}"')
        call_command("migrate_schemas", tenant=True, schema_name=STEPWISE, interactive=False, verbosity=0)
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        _drop(SNAPSHOT_MADE, STEPWISE, STALE_MADE)


def test_the_recorded_snapshot_is_current() -> None:
    snapshot = snapshot_load()
    assert snapshot is not None, "tenants/snapshot/ is missing: run manage.py department_schema_snapshot"
    assert snapshot_missing(snapshot) == frozenset(), (
        "a tenant migration was added after the department schema snapshot was recorded: "
        "run manage.py department_schema_snapshot and commit tenants/snapshot/"
    )


def test_a_schema_from_the_snapshot_is_the_schema_migrations_make(schemas: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        assert_same_catalog(SNAPSHOT_MADE, STEPWISE)


def test_the_catalog_comparison_sees_a_chain_trigger_naming_another_schema(
    schemas: None, django_db_blocker: Any
) -> None:
    """The comparison is not blind: the chain trigger's function taking another department's
    lock (what a snapshot that kept the recorded schema's name would do) is a difference."""
    with django_db_blocker.unblock(), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = %s AND p.proname = 'audit_accessevent_chain'",
                [SNAPSHOT_MADE],
            )
            (definition,) = cursor.fetchone()
            assert f"porchlight.audit.{SNAPSHOT_MADE}" in definition
            cursor.execute(definition.replace(f"porchlight.audit.{SNAPSHOT_MADE}", "porchlight.audit.rialto"))
        with pytest.raises(AssertionError, match="functions"):
            assert_same_catalog(SNAPSHOT_MADE, STEPWISE)
        transaction.set_rollback(True)


def test_a_stale_snapshot_gets_the_migrations_it_lacks_applied_on_top(
    schemas: None, django_db_blocker: Any, tmp_path: Path
) -> None:
    """A snapshot recorded before a migration was added: departments made from it get that
    migration applied the usual way and end up the same as a schema migrated step by step."""
    with django_db_blocker.unblock():
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=STEPWISE,
            app_label="messaging",
            migration_name="0001_initial",
            interactive=False,
            verbosity=0,
        )
        connection.set_schema_to_public()
        stale = snapshot_record(STEPWISE, tmp_path)
        missing = snapshot_missing(stale)
        assert missing is not None
        assert ("messaging", "0002_thread_keeps_camera_words") in missing
        assert schema_create_from_snapshot(STALE_MADE, snapshot=stale)
        connection.set_schema_to_public()
        # Back to where it was, for the module's other tests.
        call_command("migrate_schemas", tenant=True, schema_name=STEPWISE, interactive=False, verbosity=0)
        connection.set_schema_to_public()
        assert_same_catalog(STALE_MADE, SNAPSHOT_MADE)


def test_a_snapshot_naming_a_migration_the_code_lacks_is_not_used(db: None) -> None:
    snapshot = snapshot_load()
    assert snapshot is not None
    foreign = Snapshot(sql=snapshot.sql, migrations=(*snapshot.migrations, ("messaging", "9999_gone")))
    assert snapshot_missing(foreign) is None
    assert not schema_create_from_snapshot("snaptest_never", snapshot=foreign)
    assert not schema_exists("snaptest_never")


def test_a_department_with_a_reserved_word_for_a_schema_is_created_and_logs_access(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    """The recorded SQL quotes the new name where it qualifies one (``order`` is a keyword), and
    the chain trigger of the new schema works: an access event gets its sequence number."""
    with django_capture_on_commit_callbacks(execute=True):
        result = department_create(
            name="Order PD", schema_name="order", domain="order.localhost", admin_email="chief@order.example.org"
        )
    department = Department.objects.get(schema_name="order")
    assert result.department == department
    with tenant_context(department), connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        assert set(cursor.fetchall()) == expected_migrations()
        # The trigger numbers, times and chains the row, whatever it is given.
        event = AccessEvent.objects.create(
            seq=0,
            occurred_at=timezone.now(),
            actor_id=result.admin.pk,
            action="search",
            outcome="allowed",
            reason="t",
            content_hash="0" * 64,
        )
        event.refresh_from_db()
        assert event.seq == 1
