"""What the app role may write into the change history, held by the database at commit
(docs/database-roles.md; set with the grants by tenants.db_grants.schema_grants_apply).

The app role may UPDATE two kinds of columns of simple-history's tables, because Django and the
owners' erasure do: ``history_user_id``, which Django sets NULL when the user it names is deleted
(on_delete=SET_NULL), and the personal data an owner's deletion erases (db_grants.HISTORY_ERASED).
A column grant cannot limit the values written: with it alone, whoever holds the serving
processes' credentials could unsign any change, sign it as someone else, or blank any owner's
data at will, and the history would read as if it had always been so. Two constraint triggers
per table let only those two changes through, checked when the transaction commits (DEFERRABLE
INITIALLY DEFERRED: Django sets history_user_id NULL before it deletes the user):

- ``history_user_guard``: history_user_id may change only to NULL, and only if the user it named
  no longer exists at commit. The foreign key held until then, so that user was deleted in the
  same transaction.
- ``history_erasure_guard``: the erasable columns may change only to what the erasure writes
  (blanks; a place at Null Island), only for a user, site or camera whose erasure is recorded
  (accounts.Erasure, which the erasing service writes first in the same transaction) and which
  no longer exists at commit.

Anything else fails the commit with a message naming the table, the row and the rule. The table
owner (migrations, provisioning, repairs) is not held: it owns the tables and could drop the
triggers anyway. Each schema gets its own functions, with their search_path fixed (the schema,
pg_catalog, pg_temp last) and every table named with its schema, as the log's functions are.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

__all__ = ["ERASURE_RULES", "GUARDS", "history_guards_sql"]

USER_GUARD = "history_user_guard"
ERASURE_GUARD = "history_erasure_guard"
GUARDS = (USER_GUARD, ERASURE_GUARD)
ERASURES_TABLE = "accounts_erasure"


@dataclass(frozen=True)
class ErasureRule:
    """When the erasable columns of one history table may change (SQL over NEW and OLD)."""

    columns: tuple[str, ...]  # those ``blank`` speaks of: the same as db_grants.HISTORY_ERASED's
    blank: str  # the erasable columns hold what the erasure writes
    subject: str  # the subject whose erasure must be recorded ("user:" || OLD.id)
    gone: str  # what the row is the history of no longer exists


# A place erased is moved to Null Island (cameras.services._NOWHERE; the field of view becomes a
# wedge of one metre there): anywhere within about 100 m of it.
_NOWHERE = (
    "{postgis}.ST_Covers({postgis}.ST_MakeEnvelope(-0.001, -0.001, 0.001, 0.001, 4326), {value}::{postgis}.geometry)"
)


def _nowhere(value: str) -> str:
    return _NOWHERE.replace("{value}", value)


def _gone(table: str, key: str) -> str:
    return f"NOT EXISTS (SELECT 1 FROM {{schema}}.{table} AS x WHERE x.id = {key})"  # noqa: S608 (constants)


# What accounts.services.owner_account_erase, cameras.services._erase_site_history and
# _erase_camera_history, and live.services.bridges_history_erase write (a bridge's name is erased
# with its site: the site's erasure is its record).
ERASURE_RULES: dict[str, ErasureRule] = {
    "accounts_historicaluser": ErasureRule(
        columns=("email", "full_name", "badge_number", "invitation_sent_at"),
        blank="NEW.email ~ '^owner-[0-9a-f]{12}@deleted[.]invalid$' AND NEW.full_name = '' "
        "AND NEW.badge_number = '' AND NEW.invitation_sent_at IS NULL",
        subject="'user:' || OLD.id",
        gone=_gone("{users}", "OLD.id"),
    ),
    "cameras_historicalsite": ErasureRule(
        columns=(
            "name",
            "address",
            "location",
            "parcel_number",
            "permit_number",
            "business_name",
            "property_type",
            "police_notes",
        ),
        blank="NEW.name = '' AND NEW.address = '' AND NEW.parcel_number = '' AND NEW.permit_number = '' "
        "AND NEW.business_name = '' AND NEW.property_type = '' AND NEW.police_notes = '' AND "
        + _nowhere("NEW.location"),
        subject="'site:' || OLD.id",
        gone=_gone("cameras_site", "OLD.id"),
    ),
    "cameras_historicalcamera": ErasureRule(
        columns=("label", "location", "fov", "recorder_make", "recorder_model"),
        blank="NEW.label = '' AND NEW.recorder_make = '' AND NEW.recorder_model = '' AND "
        + _nowhere("NEW.location")
        + " AND "
        + _nowhere("NEW.fov"),
        subject="'camera:' || OLD.id",
        gone=_gone("cameras_camera", "OLD.id"),
    ),
    "live_historicalbridge": ErasureRule(
        columns=("name",),
        blank="NEW.name = ''",
        subject="'site:' || OLD.site_id",
        gone=_gone("cameras_site", "OLD.site_id"),
    ),
}

_OWNER = "pg_has_role(current_user, (SELECT c.relowner FROM pg_class AS c WHERE c.oid = TG_RELID), 'MEMBER')"

_USER_FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.history_user_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.history_user_id IS NOT DISTINCT FROM OLD.history_user_id OR {owner} THEN
        RETURN NULL;
    END IF;
    IF NEW.history_user_id IS NOT NULL THEN
        RAISE EXCEPTION '%: who made a change (history_user_id) may not be changed to another user (history_id %)',
            TG_TABLE_NAME, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM {schema}.{users} AS u WHERE u.id = OLD.history_user_id) THEN
        RAISE EXCEPTION '%: who made a change (history_user_id) may be set to NULL only when that user is deleted '
            'in the same transaction, and user % still exists (history_id %)',
            TG_TABLE_NAME, OLD.history_user_id, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
"""

_ERASURE_FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, pg_catalog, pg_temp
AS $$
BEGIN
    IF ({new}) IS NOT DISTINCT FROM ({old}) OR {owner} THEN
        RETURN NULL;
    END IF;
    IF NOT coalesce({blank}, false) THEN
        RAISE EXCEPTION '%: the personal data in ({columns}) may only be erased, as an owner''s deletion erases '
            'them, not changed (history_id %)', TG_TABLE_NAME, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM {schema}.{erasures} AS e WHERE e.subject = {subject}) THEN
        RAISE EXCEPTION '%: no erasure of % is recorded ({erasures}), so its personal data stay (history_id %)',
            TG_TABLE_NAME, {subject}, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT ({gone}) THEN
        RAISE EXCEPTION '%: % still exists: its personal data are erased only when it is deleted, in the same '
            'transaction (history_id %)', TG_TABLE_NAME, {subject}, OLD.history_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
"""

_TRIGGER = (
    "CREATE CONSTRAINT TRIGGER {name} AFTER UPDATE ON {schema}.{table} DEFERRABLE INITIALLY DEFERRED "
    "FOR EACH ROW EXECUTE FUNCTION {schema}.{function}()"
)

# The guards a schema has: each table's, with what makes it the one wanted (its function, enabled
# in the ordinary way, a deferred constraint trigger, AFTER UPDATE FOR EACH ROW: tgtype 1 + 16).
_EXISTING = """
SELECT c.relname, t.tgname, p.proname
FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_proc AS p ON p.oid = t.tgfoid
WHERE n.nspname = %s AND t.tgname = ANY(%s) AND p.pronamespace = n.oid AND t.tgenabled = 'O'
  AND t.tgconstraint <> 0 AND t.tgdeferrable AND t.tginitdeferred AND t.tgtype = 17 AND t.tgattr::text = ''
"""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each {name} replaced (by hand: the SQL's own braces stay as they are)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def history_guards_sql(
    cursor: Any, schema: str, *, user_tables: Iterable[str], erased: Mapping[str, Iterable[str]]
) -> list[str]:
    """The statements that give ``schema``'s history tables their guards: the user guard on
    ``user_tables`` (where history_user_id may be updated), the erasure guard on each table of
    ``erased`` (table -> the columns that may be updated). Functions are (re)placed every time; a
    trigger is made only where the one wanted is missing, so a second run changes nothing."""
    user_tables = sorted(user_tables)
    # An erasable column granted without a rule that checks what is written to it would be the
    # hole this closes: refuse to set the grants instead.
    unruled = sorted(t for t, c in erased.items() if t not in ERASURE_RULES or set(c) != set(ERASURE_RULES[t].columns))
    if unruled:
        raise ValueError(
            f"the erasable columns of {', '.join(unruled)} differ from their rule in"
            " tenants.history_guards.ERASURE_RULES"
        )
    if not user_tables and not erased:
        return []
    cursor.execute(
        "SELECT n.nspname FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'postgis'"
    )
    row = cursor.fetchone()
    names = {
        "schema": _q(schema),
        "users": _q(get_user_model()._meta.db_table),
        "erasures": ERASURES_TABLE,
        "postgis": _q(row[0]) if row else "public",
        "owner": _OWNER,
    }
    cursor.execute(_EXISTING, [schema, list(GUARDS)])
    existing = {(table, name, function) for table, name, function in cursor.fetchall()}
    statements = [_fill(_USER_FUNCTION, names)] if user_tables else []
    wanted = [(table, USER_GUARD, USER_GUARD) for table in user_tables]
    for table, columns in sorted(erased.items()):
        rule, function = ERASURE_RULES[table], f"{table}_erasure_guard"
        columns = list(columns)
        values = {
            **names,
            "function": function,
            "columns": ", ".join(columns),
            "new": ", ".join(f"NEW.{_q(c)}::text" for c in columns),
            "old": ", ".join(f"OLD.{_q(c)}::text" for c in columns),
            "blank": _fill(rule.blank, names),
            "subject": rule.subject,
            "gone": _fill(rule.gone, names),
        }
        statements.append(_fill(_ERASURE_FUNCTION, values))
        wanted.append((table, ERASURE_GUARD, function))
    for table, name, function in wanted:
        if (table, name, function) in existing:
            continue
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {_q(schema)}.{_q(table)}")
        statements.append(_fill(_TRIGGER, {**names, "name": name, "table": _q(table), "function": function}))
    return statements
