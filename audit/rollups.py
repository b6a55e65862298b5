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

The police-area breakdown (``AreaRollup``, ``RollupMark``) is still written by the serving
processes (a Celery task), so the app role may still change it: moving it into the database
is left to do. The police-area breakdown needs places and cameras, which the log knows nothing of: it is
caught up after the fact from a high-water mark (``RollupMark`` "areas") by
cameras.area_rollups, which reads the pending events here (``area_events_pending``) and
writes its counts back (``area_rollups_add``), under a lock on the mark, idempotently.

"Local" is the department's time zone (tenants.Department.time_zone) when the event was
written. A department whose time zone changes rebuilds them (``audit_rollups_rebuild``),
which is also how they are recovered from the log itself: the tests hold them equal to a
full scan (``rollup_scan_day``, ``rollup_scan_hour``).
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction

from tenants.models import Department

__all__ = [
    "AREAS",
    "AREA_ROLLUPS_BEHIND",
    "EventPlace",
    "area_events_between",
    "area_events_pending",
    "area_rollups_add",
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

AREAS = "areas"
# True when events were written after the area rollup's mark (its catch-up has work), for one
# department's schema ({schema}): beat asks it of every department (tenants.periodic). One
# look-up in the log's unique index on seq (EXISTS plans faster than max() over 1,000 schemas).
AREA_ROLLUPS_BEHIND = (
    "EXISTS (SELECT 1 FROM {schema}.audit_accessevent WHERE seq > "
    "coalesce((SELECT seq FROM {schema}.audit_rollupmark WHERE name = 'areas'), 0))"
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
            " - coalesce((SELECT seq FROM audit_rollupmark WHERE name = %s), 0)",
            [AREAS],
        )
        return int(cursor.fetchone()[0])


def rollups_time_zone() -> str:
    """The time zone the figures were last counted from the start in ("" if never): the
    area rollup's mark keeps it (set when it starts and by a rebuild). A department whose
    time zone has changed since has figures in two zones until ``audit_rollups_rebuild``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT time_zone FROM audit_rollupmark WHERE name = %s", [AREAS])
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def _chain_lock(cursor: Any) -> None:
    # The chain trigger's own lock (migration 0005): no event is written while the rollups
    # are rebuilt, and the rebuild waits for those being written to commit.
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('porchlight.audit.' || current_schema()))")


def rollups_rebuild() -> tuple[int, int]:
    """Recompute the day and hour rollups from the log, and restart the area rollup from the
    log's first event (cameras.area_rollups catches it up). Returns the rows written."""
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
        cursor.execute("SELECT 1 FROM audit_rollupmark WHERE name = %s FOR UPDATE", [AREAS])
        cursor.execute("DELETE FROM audit_arearollup")
        cursor.execute(
            "INSERT INTO audit_rollupmark (name, seq, time_zone) VALUES (%s, 0, %s) "
            "ON CONFLICT (name) DO UPDATE SET seq = 0, time_zone = EXCLUDED.time_zone",
            [AREAS, zone],
        )
    return days, hours


@dataclass(frozen=True)
class EventPlace:
    """An event the area rollup counts: where it happened is a search's centre or its first
    camera (``camera_id``: the camera's public id, resolved above the log)."""

    seq: int
    day: dt.date
    action: str
    outcome: str
    center: tuple[float, float] | None
    camera_id: str


_PENDING = """
SELECT seq, (occurred_at AT TIME ZONE %s)::date, action, outcome,
       (details -> 'area' -> 'center' ->> 0)::float8, (details -> 'area' -> 'center' ->> 1)::float8,
       coalesce((SELECT substr(t, 8) FROM unnest(targets) AS t WHERE left(t, 7) = 'camera:' LIMIT 1), '')
FROM audit_accessevent
WHERE seq > %s AND seq <= %s
  AND (jsonb_typeof(details -> 'area' -> 'center') = 'array'
       OR EXISTS (SELECT 1 FROM unnest(targets) AS t WHERE left(t, 7) = 'camera:'))
ORDER BY seq
"""


def area_events_pending(*, limit: int) -> tuple[int, int, list[EventPlace]]:
    """(mark, upto, events): the events after the area rollup's mark, up to ``limit`` of the
    log's numbers, that have a place. Locks the mark until the caller's transaction ends, so
    two workers never count the same events; call it inside one (area_rollups_add ends it)."""
    zone = department_time_zone()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_rollupmark (name, seq, time_zone) VALUES (%s, 0, %s) ON CONFLICT (name) DO NOTHING",
            [AREAS, zone],
        )
        cursor.execute("SELECT seq FROM audit_rollupmark WHERE name = %s FOR UPDATE", [AREAS])
        mark = int(cursor.fetchone()[0])
        cursor.execute("SELECT coalesce(max(seq), 0) FROM audit_accessevent")
        upto = min(int(cursor.fetchone()[0]), mark + limit)
        cursor.execute(_PENDING, [zone, mark, upto])
        events = [
            EventPlace(
                seq=seq,
                day=day,
                action=action,
                outcome=outcome,
                center=(x, y) if x is not None and y is not None else None,
                camera_id=camera,
            )
            for seq, day, action, outcome, x, y, camera in cursor.fetchall()
        ]
    return mark, upto, events


def area_events_between(*, after: int, upto: int, zone: str) -> list[EventPlace]:
    """The events numbered after ``after`` up to ``upto`` that have a place, without touching the
    mark (the annual report's correction of the area rollup to a checkpoint)."""
    with connection.cursor() as cursor:
        cursor.execute(_PENDING, [zone, after, upto])
        return [
            EventPlace(
                seq=seq,
                day=day,
                action=action,
                outcome=outcome,
                center=(x, y) if x is not None and y is not None else None,
                camera_id=camera,
            )
            for seq, day, action, outcome, x, y, camera in cursor.fetchall()
        ]


def area_rollups_add(*, counts: dict[tuple[dt.date, str, str, str, str], int], upto: int) -> None:
    """Add ``counts`` ((day, area_ref, area_name, action, outcome) -> events) and move the mark
    to ``upto``, in the transaction that area_events_pending locked the mark in."""
    with connection.cursor() as cursor:
        if counts:
            keys = list(counts)
            cursor.execute(
                "INSERT INTO audit_arearollup (day, area_ref, area_name, action, outcome, events) "
                "SELECT * FROM unnest(%s::date[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bigint[]) "
                "ON CONFLICT (day, area_ref, action, outcome) DO UPDATE SET "
                "events = audit_arearollup.events + EXCLUDED.events, area_name = EXCLUDED.area_name",
                [
                    [k[0] for k in keys],
                    [k[1] for k in keys],
                    [k[2] for k in keys],
                    [k[3] for k in keys],
                    [k[4] for k in keys],
                    [counts[k] for k in keys],
                ],
            )
        cursor.execute("UPDATE audit_rollupmark SET seq = %s WHERE name = %s", [upto, AREAS])
