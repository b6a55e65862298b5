"""The serving processes' database role and what it may do (docs/database-roles.md).

Two roles reach the database:

- the **owner**: whoever runs the migrations (``make migrate``, ``migrate_schemas``), seeds the
  demo and provisions departments (``create_department``, the schema snapshot). It owns every
  schema, table, sequence and function, and only it runs DDL.
- the **app role** (``settings.PORCHLIGHT_DB_APP_ROLE``, ``porchlight_app``): what the ASGI
  server, the Celery workers and the beat connect as (scripts/run.sh, scripts/prod.sh). LOGIN
  NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE, owning nothing, so it can neither ``ALTER
  TABLE … DISABLE TRIGGER`` nor drop a guard: the append-only triggers bind it.

``schema_grants_apply`` gives it the DML the code needs, table by table, every time from zero
(REVOKE ALL, then GRANT), so a run is the whole truth whatever came before. The access log and
the tables that guard it (``AUDIT``) get SELECT and INSERT only, plus exactly what the code needs
(said beside each). No table gets TRUNCATE. The figures read from the log are the owner's
(``READ_ONLY``): the database counts them, and the app role may only run the owner's counting
function (``EXECUTE``). Where a grant cannot hold the values written (the history columns the
app role may update), the same run sets the constraint triggers that do (tenants.history_guards).
It runs after every migration (``post_migrate``), when a department's schema is made
(tenants.models.Department.create_schema), and from ``manage.py db_grants`` for every schema
(make migrate runs it: a department already up to date is not migrated, so post_migrate would
not reach it).
"""

import functools
import logging
import re
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction

from .history_guards import history_guards_sql

logger = logging.getLogger("porchlight.tenants")

# Table -> the privileges the app role gets on it. UPDATE, DELETE and TRUNCATE are refused on
# each (and their triggers refuse them to everyone but a table owner who disables them first).
AUDIT: dict[str, str] = {
    # The chain trigger (audit migration 0005) reads the newest row: SELECT.
    "audit_accessevent": "SELECT, INSERT",
    "audit_chainverification": "SELECT, INSERT",
    "audit_signedcheckpoint": "SELECT, INSERT",
    "audit_anomalyreview": "SELECT, INSERT",
    # The engine adds a later run's events to a flag the board has not reviewed yet
    # (audit.anomalies.anomaly_flags_accumulate: SELECT … FOR UPDATE, then UPDATE of seqs); the
    # trigger of audit migration 0031 refuses any other change, and any change once reviewed.
    "audit_anomalyflag": "SELECT, INSERT, UPDATE (seqs)",
    # The Merkle tree is derived from the events: when they no longer match it (a rewrite), it is
    # deleted and rebuilt from them (audit.checkpoints.tree_grow), and the signed checkpoints,
    # which are append-only, and the witnesses holding them show it. Never updated.
    "audit_merklenode": "SELECT, INSERT, DELETE",
    # A detected rewrite of the log (audit.integrity's failures) and the board's resolution of it:
    # kept once, read by the public, the owners and the board; never changed (audit migration 0035's
    # triggers refuse UPDATE, DELETE and TRUNCATE as well).
    "audit_logfailure": "SELECT, INSERT",
    "audit_logfailureresolution": "SELECT, INSERT",
}
# The department's Ed25519 key (audit.signing), which signs the evidence exports and the log's
# checkpoints: the first use creates it (INSERT) and names it once (audit.checkpoints.log_origin:
# UPDATE of log_origin where it is still ''). Never replaced nor deleted by the serving code.
SIGNING_KEY: dict[str, str] = {"footage_signingkey": "SELECT, INSERT, UPDATE (log_origin)"}
# The record of each erasure from the change history (accounts.Erasure), which the history's
# guards require before they let personal data be blanked: added to, never changed or deleted.
ERASURES: dict[str, str] = {"accounts_erasure": "SELECT, INSERT"}
# The change history (simple-history's ``*_historical*`` tables; the board's "administrative
# changes" page reads it): read and added to. Never deleted. Updated only in these columns, the
# personal data an owner's account deletion erases from it (accounts.services.owner_account_erase,
# cameras.services._erase_site_history and _erase_camera_history, live.services
# .bridges_history_erase), and, where who acted is a ForeignKey to the user (simple-history's
# default, on_delete=SET_NULL), history_user_id, which Django sets NULL when that user is deleted.
# When, what kind of change and why (history_date, history_type, history_change_reason) are never
# updated; nor who acted on the department's policy, a plain number beside an e-mail address.
# A grant cannot limit the values written: constraint triggers checked at commit do
# (tenants.history_guards, set below with the grants): history_user_id only to NULL once that
# user is deleted, these columns only to their blanks once their subject is deleted and its
# erasure recorded (accounts.Erasure).
HISTORY_ERASED: dict[str, tuple[str, ...]] = {
    "accounts_historicaluser": ("email", "full_name", "badge_number", "invitation_sent_at"),
    "cameras_historicalsite": (
        "name",
        "address",
        "location",
        "parcel_number",
        "permit_number",
        "business_name",
        "property_type",
        "police_notes",
    ),
    "cameras_historicalcamera": ("label", "location", "fov", "recorder_make", "recorder_model"),
    "live_historicalbridge": ("name",),
}
HISTORY_MARK = "_historical"
# Written only by the owner: its migrations and provisioning, and the figures the dashboard,
# the transparency page and the annual report read, which the database counts in functions the
# owner owns (SECURITY DEFINER): the log's trigger (audit migration 0033) the day, month and
# hour figures, cameras_area_rollups_catch_up (cameras migration 0014) those by police area and
# their mark; audit_rollups_rebuild recomputes them.
READ_ONLY = frozenset(
    {
        "django_migrations",
        "audit_dayrollup",
        "audit_monthrollup",
        "audit_hourrollup",
        "audit_arearollup",
        "audit_arearollupmark",
    }
)
# Functions the app role may run (EXECUTE), taken from everyone else (PostgreSQL gives PUBLIC
# EXECUTE on a new function): the beat's task asks the owner's function to count the figures by
# police area; the annual report counts the events after their mark with the same function the
# catch-up uses (it runs with the caller's rights and only reads).
EXECUTE = ("cameras_area_rollups_catch_up(bigint)", "cameras_area_counts(bigint, bigint, text)")
DML = "SELECT, INSERT, UPDATE, DELETE"


@functools.cache
def _history_user_foreign_keys() -> frozenset[str]:
    """The history tables whose history_user is a ForeignKey (Django sets it NULL on delete)."""
    found = set()
    for model in apps.get_models():
        table = model._meta.db_table
        if HISTORY_MARK not in table:
            continue
        try:
            field = model._meta.get_field("history_user")
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.ForeignKey):
            found.add(table)
    return frozenset(found)


def history_privileges(table: str) -> str:
    """What the app role gets on a history table: SELECT, INSERT, and UPDATE of the columns the
    code overwrites (HISTORY_ERASED, history_user_id where Django sets it NULL)."""
    columns = list(HISTORY_ERASED.get(table, ()))
    if table in _history_user_foreign_keys():
        columns.insert(0, "history_user_id")
    if not columns:
        return "SELECT, INSERT"
    return "SELECT, INSERT, UPDATE (" + ", ".join(_q(c) for c in columns) + ")"


_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role() -> str:
    """The app role's name ('' when this installation has none: grants are then skipped)."""
    role = getattr(settings, "PORCHLIGHT_DB_APP_ROLE", "")
    if role and not _ROLE_NAME.match(role):
        raise ValueError(f"PORCHLIGHT_DB_APP_ROLE '{role}' is not a plain lower-case role name.")
    return role


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Created once per cluster; two processes creating it at once (two test databases migrating in
# parallel) get duplicate_object or unique_violation, which says it exists.
_ROLE_ENSURE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {literal}) THEN
        BEGIN
            CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {literal}
               AND (rolsuper OR rolbypassrls OR rolcreatedb OR rolcreaterole OR rolreplication OR NOT rolcanlogin)) THEN
        ALTER ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
    END IF;
END
$$;
"""


def app_role_ensure(role: str) -> bool:
    """Create the app role if it is missing, and take back any attribute it must not have.
    False (with a warning) when it is missing and this connection may not create roles."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT exists(SELECT 1 FROM pg_roles WHERE rolname = %s), "
            "(SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user)",
            [role],
        )
        exists, can_create = cursor.fetchone()
        if not exists and not can_create:
            logger.warning(
                "database app role missing and not creatable here; grants skipped",
                extra={"role": role},
            )
            return False
        if can_create:
            literal = "'" + role + "'"
            cursor.execute(_ROLE_ENSURE.format(role=_q(role), literal=literal))
    return True


# The schema's own relations (not an extension's, such as PostGIS's spatial_ref_sys).
_RELATIONS = """
SELECT c.relname, c.relkind FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname
"""


def _functions(cursor: Any, schema: str) -> list[str]:
    """The EXECUTE functions ``schema`` has (a schema not yet migrated may lack them), named
    with their schema and argument types."""
    names = [f"{_q(schema)}.{signature}" for signature in EXECUTE]
    cursor.execute("SELECT name FROM unnest(%s::text[]) AS name WHERE to_regprocedure(name) IS NOT NULL", [names])
    return [row[0] for row in cursor.fetchall()]


# Grants and default privileges are catalog rows: two processes changing the same ones at once
# (migrate_schemas' forked workers) fail with "tuple concurrently updated". One at a time, per
# database (where those rows live).
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('porchlight.db_grants'))"


def schema_grants_apply(schema: str, *, role: str | None = None) -> int:
    """Give the app role exactly its privileges on ``schema``'s tables, views, sequences and
    the functions it may run, and the history tables the guards that hold what it may write
    there (tenants.history_guards). Returns how many relations were set (0 when there is no
    app role)."""
    role = app_role() if role is None else role
    if not role or not app_role_ensure(role):
        return 0
    r = _q(role)
    statements = [
        f"GRANT USAGE ON SCHEMA {_q(schema)} TO {r}",
        f"REVOKE CREATE ON SCHEMA {_q(schema)} FROM {r}",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_LOCK)
        cursor.execute(_RELATIONS, [schema])
        relations = cursor.fetchall()
        for name, kind in relations:
            target = f"{_q(schema)}.{_q(name)}"
            if kind == "S":
                statements.append(f"REVOKE ALL ON SEQUENCE {target} FROM {r}")
                statements.append(f"GRANT USAGE, SELECT ON SEQUENCE {target} TO {r}")
                continue
            if name in AUDIT or name in SIGNING_KEY or name in ERASURES:
                privileges = AUDIT.get(name) or SIGNING_KEY.get(name) or ERASURES[name]
            elif name in READ_ONLY or kind in ("v", "m"):
                privileges = "SELECT"
            elif HISTORY_MARK in name:
                privileges = history_privileges(name)
            else:
                privileges = DML
            statements.append(f"REVOKE ALL ON TABLE {target} FROM {r}")
            statements.append(f"GRANT {privileges} ON TABLE {target} TO {r}")
        for function in _functions(cursor, schema):
            statements.append(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC, {r}")
            statements.append(f"GRANT EXECUTE ON FUNCTION {function} TO {r}")
        tables = {name for name, kind in relations if kind in ("r", "p")}
        statements += history_guards_sql(
            cursor,
            schema,
            user_tables=tables & _history_user_foreign_keys(),
            erased={table: columns for table, columns in HISTORY_ERASED.items() if table in tables},
        )
        cursor.execute(";\n".join(statements))
    return len(relations)


def default_privileges_apply(*, role: str | None = None) -> None:
    """What a table, sequence or schema the owner creates later gets at once (a new department,
    a new migration's table), until ``schema_grants_apply`` sets it exactly: the DML, never
    TRUNCATE. Per database, for the role running this (the owner)."""
    role = app_role() if role is None else role
    if not role or not app_role_ensure(role):
        return
    r = _q(role)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_LOCK)
        statements = [
            f"ALTER DEFAULT PRIVILEGES GRANT {DML} ON TABLES TO {r}",
            f"ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO {r}",
            f"ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO {r}",
            # A database made before PostgreSQL 15 lets everyone create in public (the app role
            # would own what it made); only then is there something to take back.
            "DO $$ BEGIN IF has_schema_privilege('public', 'public', 'CREATE') THEN "
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC; END IF; END $$",
            # Temporary tables and functions (pg_temp) are the app role's own: nothing at runtime
            # makes them (bench/ does, as the owner, who owns the database and keeps the right).
            "DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC, %I', "
            f"current_database(), '{role}'); END $$",
        ]
        cursor.execute(";\n".join(statements))


def grants_apply_all() -> list[str]:
    """Default privileges, then every schema: public and each department's. Returns the
    schemas set."""
    from django_tenants.utils import get_public_schema_name

    from .models import Department

    if not app_role():
        return []
    default_privileges_apply()
    public = get_public_schema_name()
    schemas = [public, *Department.objects.exclude(schema_name=public).values_list("schema_name", flat=True)]
    done = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        existing = {row[0] for row in cursor.fetchall()}
    for schema in schemas:
        if schema in existing:
            schema_grants_apply(schema)
            done.append(schema)
    return done


def post_migrate_grants(sender: object, plan: object = None, **kwargs: object) -> None:
    """After ``migrate`` (not after a test's flush, which sends no plan): the migrated schema."""
    if plan is None or not app_role():
        return
    default_privileges_apply()
    schema_grants_apply(getattr(connection, "schema_name", "public"))
