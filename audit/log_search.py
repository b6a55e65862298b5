"""The board's search of the access log: a filter on every field, and keyset paging.

Events are listed by (occurred_at, seq), newest or oldest first. A page continues after the
last event of the one before, named by its number alone: the comparison reads that event's
time in the database (``(occurred_at, seq) < (SELECT …)``), so a page costs the same on the
first page and the ten-thousandth, and an event whose time was tampered with to one Python
cannot hold still pages. Each filter of one value has an index that yields its events in
that order (migration 0014); ``upto`` keeps every page of one reading to the events that
existed when it began, as the oversight page does.

No clock and no request here: the caller turns the department's dates into times.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import BooleanField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.db.models.lookups import Exact

from .models import AccessEvent

if TYPE_CHECKING:
    import datetime as dt
    import uuid
    from collections.abc import Iterator

__all__ = [
    "Area",
    "LogFilter",
    "Sort",
    "events_count_capped",
    "events_iter",
    "events_page",
    "events_search",
    "log_values",
]

# How many events a chunk of an export reads at once: enough to amortise a query, few enough
# that a worker holds a few megabytes, however large the selection.
EXPORT_CHUNK = 2_000


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class Area:
    """A circle (centre and radius in metres) or a polygon (a GeoJSON geometry, text)."""

    lon: float | None = None
    lat: float | None = None
    radius_m: float | None = None
    polygon_geojson: str = ""

    def as_details(self) -> dict[str, Any]:
        if self.polygon_geojson:
            return {"shape": "polygon", "geojson": self.polygon_geojson}
        return {"shape": "circle", "lon": self.lon, "lat": self.lat, "radius_m": self.radius_m}


@dataclass(frozen=True)
class LogFilter:
    """What the board asked for; an empty field does not filter. ``start`` is inclusive,
    ``end`` exclusive (both aware)."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    actions: tuple[str, ...] = ()
    outcome: str = ""
    reason: str = ""
    badge: str = ""
    role: str = ""
    purpose_category: str = ""
    case_number: str = ""
    purpose_text: str = ""  # contained in the purpose text, whatever the case
    camera: uuid.UUID | None = None
    # An incident (its public id): the events done for it name it among their targets.
    incident: uuid.UUID | None = None
    area: Area | None = None
    upto: int | None = None
    # An anomaly flag (its id) and the numbers of the events that raised it: the selection is
    # those events only (the queue's "see these events"). Logged and signed as the flag's id.
    flag: int | None = None
    seqs: tuple[int, ...] | None = None

    def as_details(self) -> dict[str, Any]:
        """The filter as JSON-ready values: logged with each reading and in an export's manifest."""
        out: dict[str, Any] = {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "actions": list(self.actions),
            "outcome": self.outcome,
            "reason": self.reason,
            "badge": self.badge,
            "role": self.role,
            "purpose_category": self.purpose_category,
            "case_number": self.case_number,
            "purpose_text": self.purpose_text,
            "camera": str(self.camera) if self.camera else "",
            "incident": str(self.incident) if self.incident else "",
            "area": self.area.as_details() if self.area else None,
            "upto": self.upto,
            "flag": self.flag,
        }
        return {key: value for key, value in out.items() if value not in ("", [], None)}


def _area_condition(area: Area) -> RawSQL:
    """Events whose recorded area (details.area: a search's circle or polygon) meets ``area``.
    ``details ? 'area'`` matches the partial GiST index's predicate, so the index is used."""
    if area.polygon_geojson:
        return RawSQL(
            "details ? 'area' AND ST_Intersects(audit_event_area(details), "
            "ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326)::geography)",
            [area.polygon_geojson],
            output_field=BooleanField(),
        )
    return RawSQL(
        "details ? 'area' AND ST_DWithin(audit_event_area(details), "
        "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s)",
        [area.lon, area.lat, area.radius_m],
        output_field=BooleanField(),
    )


def events_search(*, log_filter: LogFilter) -> QuerySet[AccessEvent]:
    """The events the filter selects, unordered (events_page and events_iter order them)."""
    f = log_filter
    events = AccessEvent.objects.all()
    if f.upto is not None:
        events = events.filter(seq__lte=f.upto)
    if f.seqs is not None:
        events = events.filter(seq__in=f.seqs)
    if f.start is not None:
        events = events.filter(occurred_at__gte=f.start)
    if f.end is not None:
        events = events.filter(occurred_at__lt=f.end)
    if len(f.actions) == 1:
        events = events.filter(action=f.actions[0])
    elif f.actions:
        events = events.filter(action__in=f.actions)
    if f.outcome:
        events = events.filter(outcome=f.outcome)
    if f.reason:
        events = events.filter(reason=f.reason)
    if f.badge:
        events = events.filter(actor_badge=f.badge)
    if f.role:
        events = events.filter(actor_role=f.role)
    if f.purpose_category:
        events = events.filter(purpose_category=f.purpose_category)
    if f.case_number:
        # Whatever the case ("cr-2025-001" finds "CR-2025-001"): UPPER(case_number) = UPPER(…),
        # the expression of the index audit_event_case_upper_time, so it is answered from it.
        events = events.filter(Exact(Upper("case_number"), Upper(Value(f.case_number))))
    if f.purpose_text:
        # UPPER(purpose_text) LIKE UPPER('%…%'): the trigram index on UPPER(purpose_text) answers it.
        events = events.filter(purpose_text__icontains=f.purpose_text)
    if f.camera is not None:
        events = events.filter(targets__contains=[f"camera:{f.camera}"])
    if f.incident is not None:
        events = events.filter(targets__contains=[f"incident:{f.incident}"])
    if f.area is not None:
        events = events.filter(_area_condition(f.area))
    return events


def _ordered(events: QuerySet[AccessEvent], sort: Sort, after: int | None) -> QuerySet[AccessEvent]:
    if after is not None:
        # The row comparison against the named event's own (occurred_at, seq): one index range.
        comparison = "<" if sort == Sort.NEWEST else ">"
        events = events.filter(
            RawSQL(  # noqa: S611 (the operator is one of two constants; the number is a parameter)
                f"(audit_accessevent.occurred_at, audit_accessevent.seq) {comparison} "  # noqa: S608 (fixed operator)
                "(SELECT e.occurred_at, e.seq FROM audit_accessevent e WHERE e.seq = %s)",
                [after],
                output_field=BooleanField(),
            )
        )
    if sort == Sort.NEWEST:
        return events.order_by("-occurred_at", "-seq")
    return events.order_by("occurred_at", "seq")


@dataclass(frozen=True)
class Page:
    events: list[AccessEvent]
    next_after: int | None  # the number to continue after, or None on the last page


def events_page(*, log_filter: LogFilter, sort: Sort = Sort.NEWEST, after: int | None = None, size: int = 50) -> Page:
    """One page of the selection, after event ``after`` (None: the first page)."""
    rows = list(_ordered(events_search(log_filter=log_filter), sort, after)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(events=rows, next_after=rows[-1].seq if more and rows else None)


def events_iter(*, log_filter: LogFilter, sort: Sort = Sort.OLDEST) -> Iterator[AccessEvent]:
    """Every event of the selection, read in chunks by keyset (an export of millions of events
    holds one chunk at a time, and no cursor stays open between chunks)."""
    after: int | None = None
    while True:
        chunk = list(_ordered(events_search(log_filter=log_filter), sort, after)[:EXPORT_CHUNK])
        yield from chunk
        if len(chunk) < EXPORT_CHUNK:
            return
        after = chunk[-1].seq


def events_count_capped(*, log_filter: LogFilter, cap: int = 1_000) -> tuple[int, bool]:
    """How many events the filter selects, counting at most ``cap`` + 1 of them (a count of
    millions would cost a scan on every page): (count, whether there are more than ``cap``).
    1,000, not more: at 1,000,000 events counting 10,001 rows of a month or of every refusal
    took 240-350 ms, more than the whole page may (bench/board_search.py); exact counts of any
    size are the dashboard's, from the rollups."""
    n = events_search(log_filter=log_filter).order_by()[: cap + 1].count()  # no sort: any 1,001 rows will do
    return min(n, cap), n > cap


# The columns whose values the form offers as choices, each read from its own index.
_VALUE_COLUMNS = {"reason", "purpose_category"}


def log_values(*, column: str) -> list[str]:
    """The distinct values of ``column`` in the log, by skipping through its index (a loose
    index scan: one index probe per value, however many events share it), so the form can
    offer what is there and name what is not."""
    if column not in _VALUE_COLUMNS:
        raise ValueError(f"not a column the board filters by: {column}")
    sql = f"""
        WITH RECURSIVE v(value) AS (
            (SELECT {column} FROM audit_accessevent ORDER BY {column} LIMIT 1)
            UNION ALL
            SELECT (SELECT {column} FROM audit_accessevent WHERE {column} > v.value ORDER BY {column} LIMIT 1)
            FROM v WHERE v.value IS NOT NULL
        )
        SELECT value FROM v WHERE value IS NOT NULL AND value <> ''
    """  # noqa: S608 (column from the fixed set above)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]
