"""A new department's schema built from a recorded snapshot instead of by running every migration.

Migrating a new schema step by step costs ~1.5 s inside one process (3.5 s from the command
line), almost all of it Django rendering the project state of 120-odd migrations in Python,
not SQL. The snapshot is what those migrations leave in a fresh schema: its DDL (tables,
indexes, constraints, functions and triggers, audit's chain trigger among them) and the rows
post_migrate writes (content types and permissions), recorded by ``pg_dump`` from a schema
migrated step by step (``manage.py department_schema_snapshot``), plus the list of the
migrations it holds. A new department runs that SQL in one batch and records the same
migrations in its ``django_migrations``, in the order they were applied.

A snapshot that is behind the code (a migration added since it was recorded) still works:
the migrations it lacks are applied on top, the usual way, so only the time is lost; one
that names a migration the code no longer has is not used at all (the schema is migrated
step by step). tests/tenants/test_schema_snapshot.py proves that a department made from the
snapshot has the same catalog as one migrated step by step, and that later migrations apply
to it.
"""

import json
import logging
import os
import re
import subprocess
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

logger = logging.getLogger("porchlight.tenants")

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshot"
SQL_FILE = "department_schema.sql"
MIGRATIONS_FILE = "department_schema.migrations.json"
# The schema's name where the recorded SQL names it; replaced by the new schema's name.
PLACEHOLDER = "porchlight_department_snapshot"

Migration = tuple[str, str]


@dataclass(frozen=True)
class Snapshot:
    sql: str  # with PLACEHOLDER where the schema's name goes
    migrations: tuple[Migration, ...]  # in the order they were applied


def expected_migrations() -> frozenset[Migration]:
    """Every migration a schema that is up to date has recorded in its django_migrations.

    A squashed migration counts with the migrations it replaces: Django records both once
    the replaced ones are applied."""
    return _expected_migrations()


@cache
def _expected_migrations() -> frozenset[Migration]:
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    expected: set[Migration] = set()
    for key, migration in graph.nodes.items():
        expected.add(key)
        expected.update(tuple(r) for r in (migration.replaces or ()))
    return frozenset(expected)


def snapshot_load(directory: Path = SNAPSHOT_DIR) -> Snapshot | None:
    """The recorded snapshot in ``directory``, or None if there is none."""
    sql_path, migrations_path = directory / SQL_FILE, directory / MIGRATIONS_FILE
    if not sql_path.is_file() or not migrations_path.is_file():
        return None
    return _snapshot_read(str(sql_path), sql_path.stat().st_mtime_ns, str(migrations_path))


@cache
def _snapshot_read(sql_path: str, _mtime_ns: int, migrations_path: str) -> Snapshot:
    migrations = tuple((app, name) for app, name in json.loads(Path(migrations_path).read_text(encoding="utf-8")))
    return Snapshot(sql=Path(sql_path).read_text(encoding="utf-8"), migrations=migrations)


def snapshot_missing(snapshot: Snapshot) -> frozenset[Migration] | None:
    """The migrations the code has and the snapshot lacks (applied on top of it), or None when
    the snapshot names a migration the code no longer has (then it cannot be used)."""
    recorded = frozenset(snapshot.migrations)
    expected = expected_migrations()
    if not recorded <= expected:
        return None
    return expected - recorded


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema_create_from_snapshot(schema_name: str, *, snapshot: Snapshot | None = None, verbosity: int = 0) -> bool:
    """Create ``schema_name`` from the snapshot and record its migrations; apply any migration
    the snapshot lacks. False (nothing done) when there is no usable snapshot.

    ``schema_name`` must already be validated (tenants.services.department_validate_new):
    it is written into the SQL."""
    snapshot = snapshot if snapshot is not None else snapshot_load()
    if snapshot is None:
        return False
    missing = snapshot_missing(snapshot)
    if missing is None:
        logger.warning(
            "department schema snapshot names migrations the code does not have; migrating step by step",
            extra={"schema": schema_name},
        )
        return False
    started = time.perf_counter()
    sql = snapshot.sql.replace(PLACEHOLDER, schema_name)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {_quote(schema_name)}")
        # pg_dump's function bodies are not checked at creation (as pg_dump's own restore
        # does): a body may name a table created further down. For this transaction only.
        cursor.execute("SET LOCAL check_function_bodies = false")
        cursor.execute(sql)  # one batch: no parameters, so psycopg sends it as one query
        cursor.execute("SET LOCAL check_function_bodies = true")
        cursor.execute(
            f"INSERT INTO {_quote(schema_name)}.django_migrations (app, name, applied) "  # noqa: S608 (a validated, quoted name)
            "SELECT m.app, m.name, now() FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS m(app, name, n) "
            "ORDER BY m.n",
            [[app for app, _ in snapshot.migrations], [name for _, name in snapshot.migrations]],
        )
    if missing:
        # Behind the code: the usual path applies what the snapshot lacks.
        logger.warning(
            "department schema snapshot is behind the code; run manage.py department_schema_snapshot",
            extra={"schema": schema_name, "missing": sorted(".".join(m) for m in missing)},
        )
        call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=verbosity)
    logger.debug(
        "department schema created from snapshot",
        extra={"schema": schema_name, "ms": round((time.perf_counter() - started) * 1000, 1)},
    )
    return True


# --- Recording -----------------------------------------------------------------------------

# pg_dump's session settings (search_path among them) must not leak into the connection that
# creates a department; the schema is created by schema_create_from_snapshot itself.
# Its psql meta-commands (\restrict with a random key) are not SQL and go too.
_DROP_LINE = re.compile(r"^(SET |SELECT pg_catalog\.set_config\(|CREATE SCHEMA |--|\\)")


def snapshot_sql_from_dump(dump: str, source_schema: str) -> str:
    """pg_dump's plain output for ``source_schema`` as the snapshot's SQL: comments, session
    settings and the CREATE SCHEMA dropped, the schema's name replaced by PLACEHOLDER, and the
    django_migrations id sequence left to the rows inserted at creation."""
    if PLACEHOLDER in dump:
        raise ValueError(f"the dump already contains {PLACEHOLDER!r}")
    lines = []
    for line in dump.splitlines():
        if _DROP_LINE.match(line):
            continue
        if line.startswith("SELECT pg_catalog.setval(") and ".django_migrations_id_seq'" in line:
            continue
        lines.append(line)
    sql = "\n".join(lines)
    sql = re.sub(r"\n{3,}", "\n\n", sql).strip() + "\n"
    # pg_dump quotes a schema name only when it must; the new name is quoted always where it
    # qualifies a name (a reserved word is a valid schema name), and written as-is elsewhere
    # (inside a quoted identifier or a string, e.g. audit's per-schema lock key).
    sql = re.sub(rf'(?<![\w."]){re.escape(source_schema)}\.', f'"{source_schema}".', sql)
    return re.sub(rf"(?<![\w]){re.escape(source_schema)}(?!\w)", PLACEHOLDER, sql)


def snapshot_record(source_schema: str, directory: Path = SNAPSHOT_DIR) -> Snapshot:
    """Record ``source_schema`` (a schema just migrated step by step, with no department data
    in it) as the snapshot in ``directory``. Its data must be committed: pg_dump reads it
    from a connection of its own."""
    settings = connection.settings_dict
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    # Rows as multi-row INSERTs (not COPY, which needs psql): a few statements, not hundreds.
    command = ["pg_dump", "--schema", source_schema, "--no-owner", "--no-privileges", "--rows-per-insert=1000"]
    command += ["--exclude-table-data", f"{_quote(source_schema)}.django_migrations"]
    command += ["--dbname", str(settings["NAME"]), "--username", str(settings.get("USER") or "postgres")]
    if settings.get("HOST"):
        command += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        command += ["--port", str(settings["PORT"])]
    dump = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout  # noqa: S603
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {_quote(source_schema)}.django_migrations ORDER BY id")  # noqa: S608 (quoted name)
        migrations = [[app, name] for app, name in cursor.fetchall()]
        # Migrations also create extensions (pg_trgm, unaccent), in the public schema, which a
        # dump of one schema leaves out: the snapshot creates those the database has, if missing.
        cursor.execute(
            "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname <> 'plpgsql' ORDER BY e.extname"
        )
        extensions = "".join(
            f"CREATE EXTENSION IF NOT EXISTS {_quote(name)} WITH SCHEMA {_quote(schema)};\n"
            for name, schema in cursor.fetchall()
        )
    directory.mkdir(parents=True, exist_ok=True)
    sql = extensions + "\n" + snapshot_sql_from_dump(dump, source_schema)
    header = (
        "-- A new department's schema, recorded by `manage.py department_schema_snapshot` from a schema\n"
        "-- migrated step by step (tenants/schema_snapshot.py). Do not edit: record it again.\n"
    )
    (directory / SQL_FILE).write_text(header + sql, encoding="utf-8")
    (directory / MIGRATIONS_FILE).write_text(
        "[\n" + ",\n".join(json.dumps(m) for m in migrations) + "\n]\n", encoding="utf-8"
    )
    return Snapshot(sql=header + sql, migrations=tuple((a, n) for a, n in migrations))
