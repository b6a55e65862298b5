"""The log's figures, kept up to date as events are written, so that no page scans the log.

Three tables are maintained in the same transaction as each event by the database itself (an
AFTER INSERT trigger on the log, audit migration 0033, whose SECURITY DEFINER function the owner
owns: the serving processes' app role may only read them, docs/database-roles.md):
``DayRollup`` (per department-local day, action, outcome, reason, purpose category,
evidence), ``MonthRollup`` (the same per local month: a year is read from it) and
``HourRollup`` (per local month, weekday, hour, action, outcome).
Events of a department are already written one at a time (the chain's advisory lock, held
until the commit), so the upserts never race, and a rolled-back access takes its counts
with it. The trigger reads the time zone from public.tenants_department (UTC when the name is
unknown to PostgreSQL, as ``department_time_zone`` falls back) and counts an export naming
clips as evidence (AccessEvent.action_label). ``rollups_rebuild`` writes them as the owner
(management command, bench).

The police-area breakdown (``AreaRollup``) needs places and cameras, which the log knows
nothing of: it is caught up after the fact from a high-water mark (``AreaRollupMark``) by a
SECURITY DEFINER function the owner owns (cameras migration 0014, called by
cameras.area_rollups), so it too is only read by the app role.

"Local" is the department's time zone (tenants.Department.time_zone) when the event was
written. A department whose time zone changes rebuilds them (``audit_rollups_rebuild``),
which is also how they are recovered from the log itself: the tests hold them equal to a
full scan (``rollup_scan_day``, ``rollup_scan_hour``).
"""

from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction

from tenants.models import Department

__all__ = [
    "AREA_ROLLUPS_BEHIND",
    "department_time_zone",
    "rollup_scan_area_free",
    "rollup_scan_day",
    "rollup_scan_hour",
    "rollup_scan_month",
    "rollup_stored_day",
    "rollup_stored_hour",
    "rollup_stored_month",
    "rollups_rebuild",
    "rollups_time_zone",
]

# True when events were written after the area rollup's mark (its catch-up has work), for one
# department's schema ({schema}): beat asks it of every department (tenants.periodic). One
# look-up in the log's unique index on seq (EXISTS plans faster than max() over 1,000 schemas).
AREA_ROLLUPS_BEHIND = (
    "EXISTS (SELECT 1 FROM {schema}.audit_accessevent WHERE seq > "
    "coalesce((SELECT seq FROM {schema}.audit_arearollupmark), 0))"
)


@lru_cache(maxsize=256)
def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def department_time_zone() -> str:
    """The current department's time zone name (UTC when none is known: the public schema,
    or a name Python does not know, which must never make an access fail)."""
    name = getattr(getattr(connection, "tenant", None), "time_zone", None)
    if name is None:  # a schema entered by name (django-tenants' schema_context): ask the department
        schema = connection.schema_name  # type: ignore[attr-defined]
        name = Department.objects.filter(schema_name=schema).values_list("time_zone", flat=True).first()
    name = name or "UTC"
    return name if _zone_ok(name) else "UTC"


# The same figures computed from the log itself: the rebuild writes them, the tests and
# bench/oversight.py compare them with what was maintained.
_EVIDENCE_SQL = (
    "(action = 'export' AND EXISTS (SELECT 1 FROM unnest(targets) AS target WHERE left(target, 5) = 'clip:'))"
)
_SCAN_DAY = f"""
SELECT (occurred_at AT TIME ZONE %s)::date AS day, action, outcome, reason, purpose_category, {_EVIDENCE_SQL},
       count(*), coalesce(sum(quantity), 0)::bigint
FROM audit_accessevent GROUP BY 1, 2, 3, 4, 5, 6
"""  # noqa: S608 (no input in the text)
_SCAN_MONTH = f"""
SELECT date_trunc('month', day)::date, action, outcome, reason, purpose_category, evidence,
       sum(n)::bigint, sum(q)::bigint
FROM ({_SCAN_DAY}) AS d(day, action, outcome, reason, purpose_category, evidence, n, q) GROUP BY 1, 2, 3, 4, 5, 6
"""  # noqa: S608 (no input in the text)
_SCAN_HOUR = """
SELECT date_trunc('month', t)::date, extract(isodow FROM t)::int, extract(hour FROM t)::int, action, outcome, count(*)
FROM (SELECT occurred_at AT TIME ZONE %s AS t, action, outcome FROM audit_accessevent) AS e GROUP BY 1, 2, 3, 4, 5
"""


def _rows(sql: str, params: list[Any]) -> set[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {tuple(row) for row in cursor.fetchall()}


def rollup_scan_day() -> set[tuple[Any, ...]]:
    """(day, action, outcome, reason, category, evidence, events, quantity) from a full scan."""
    return _rows(_SCAN_DAY, [department_time_zone()])


def rollup_scan_month() -> set[tuple[Any, ...]]:
    """(month, action, outcome, reason, category, evidence, events, quantity) from a full scan."""
    return _rows(_SCAN_MONTH, [department_time_zone()])


def rollup_stored_month() -> set[tuple[Any, ...]]:
    return _rows(
        "SELECT month, action, outcome, reason, category, evidence, events, quantity FROM audit_monthrollup", []
    )


def rollup_scan_hour() -> set[tuple[Any, ...]]:
    """(month, weekday, hour, action, outcome, events) from a full scan."""
    return _rows(_SCAN_HOUR, [department_time_zone()])


def rollup_stored_day() -> set[tuple[Any, ...]]:
    return _rows("SELECT day, action, outcome, reason, category, evidence, events, quantity FROM audit_dayrollup", [])


def rollup_stored_hour() -> set[tuple[Any, ...]]:
    return _rows("SELECT month, weekday, hour, action, outcome, events FROM audit_hourrollup", [])


def rollup_scan_area_free() -> int:
    """How many events the area rollup has not read yet (for the dashboard's note)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce((SELECT max(seq) FROM audit_accessevent), 0)"
            " - coalesce((SELECT seq FROM audit_arearollupmark), 0)"
        )
        return int(cursor.fetchone()[0])


def rollups_time_zone() -> str:
    """The time zone the figures were last counted from the start in ("" if never): the
    area rollup's mark keeps it (set when it starts and by a rebuild). A department whose
    time zone has changed since has figures in two zones until ``audit_rollups_rebuild``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT time_zone FROM audit_arearollupmark")
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def _chain_lock(cursor: Any) -> None:
    # The chain trigger's own lock (migration 0005): no event is written while the rollups
    # are rebuilt, and the rebuild waits for those being written to commit.
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('porchlight.audit.' || current_schema()))")


def rollups_rebuild() -> tuple[int, int]:
    """Recompute the day and hour rollups from the log, and restart the area rollup from the
    log's first event (cameras.area_rollups catches it up). Returns the rows written. The
    owner's (management command, benches): the app role may not write the figures."""
    zone = department_time_zone()
    with transaction.atomic(), connection.cursor() as cursor:
        _chain_lock(cursor)
        cursor.execute("DELETE FROM audit_dayrollup")
        cursor.execute(
            "INSERT INTO audit_dayrollup (day, action, outcome, reason, category, evidence, events, quantity) "
            + _SCAN_DAY,
            [zone],
        )
        days = cursor.rowcount
        cursor.execute("DELETE FROM audit_monthrollup")
        cursor.execute(
            "INSERT INTO audit_monthrollup (month, action, outcome, reason, category, evidence, events, quantity) "
            "SELECT date_trunc('month', day)::date, action, outcome, reason, category, evidence, sum(events), "
            "sum(quantity) FROM audit_dayrollup GROUP BY 1, 2, 3, 4, 5, 6"
        )
        cursor.execute("DELETE FROM audit_hourrollup")
        cursor.execute(
            "INSERT INTO audit_hourrollup (month, weekday, hour, action, outcome, events) " + _SCAN_HOUR, [zone]
        )
        hours = cursor.rowcount
        # The catch-up's own lock (cameras migration 0014): it waits, then starts again from 0.
        cursor.execute("SELECT 1 FROM audit_arearollupmark FOR UPDATE")
        cursor.execute("DELETE FROM audit_arearollup")
        cursor.execute(
            "INSERT INTO audit_arearollupmark (id, seq, time_zone) VALUES (1, 0, %s) "
            "ON CONFLICT (id) DO UPDATE SET seq = 0, time_zone = EXCLUDED.time_zone",
            [zone],
        )
    return days, hours
