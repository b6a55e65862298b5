"""The log's figures by police area, caught up from a high-water mark.

The log (audit) knows nothing of places or cameras, and places knows nothing of the log; this
module sits above both (the lowest layer that may import them, and the one that knows where
a camera is). It reads the events after the mark that have a place (a search's centre, or a
camera: its registered position, approximate as police see it), finds each one's police area
(places.areas.police_areas_at, one query per batch) and adds the counts, moving the mark in
the same transaction. The mark's row is locked while it works: a second worker waits, then
finds the events already counted (idempotent). A camera deleted since has no position: its
events count as "no police area", as do places outside every area.
"""

from collections import Counter
from typing import Any

from django.db import transaction

from audit.rollups import EventPlace, area_events_between, area_events_pending, area_rollups_add
from places.areas import police_areas_at

from .models import Camera

__all__ = ["BATCH", "area_counts_between", "area_rollups_catch_up"]

# Log numbers read per transaction: ~10,000 events resolve in well under a second, a
# transaction short enough not to hold the mark long (bench/oversight.py).
BATCH = 10_000


def _areas_counted(events: list[EventPlace]) -> Counter[tuple[Any, str, str, str, str]]:
    """(day, area_ref, area_name, action, outcome) -> events, each event in its place's area."""
    camera_ids = {event.camera_id for event in events if event.center is None and event.camera_id}
    positions: dict[str, tuple[float, float]] = {}
    if camera_ids:
        valid = [value for value in camera_ids if len(value) == 36]
        for public_id, location in Camera.objects.filter(public_id__in=valid).values_list("public_id", "location"):
            positions[str(public_id)] = (location.x, location.y)
    placed = [(event, event.center or positions.get(event.camera_id)) for event in events]
    areas = iter(police_areas_at([point for _, point in placed if point is not None]))
    counts: Counter[tuple[Any, str, str, str, str]] = Counter()
    for event, point in placed:
        area = next(areas) if point is not None else None
        ref, name = (f"police_area:{area.pk}", area.name) if area else ("", "")
        counts[(event.day, ref, name, event.action, event.outcome)] += 1
    return counts


def _batch(*, limit: int) -> tuple[int, int]:
    with transaction.atomic():
        mark, upto, events = area_events_pending(limit=limit)
        area_rollups_add(counts=dict(_areas_counted(events)), upto=upto)
    return upto - mark, len(events)


def area_counts_between(*, after: int, upto: int, zone: str) -> dict[tuple[Any, str, str, str, str], int]:
    """The area counts of the events numbered after ``after`` up to ``upto``, written nowhere
    (the annual report corrects the area rollup to its checkpoint with them)."""
    counts: Counter[tuple[Any, str, str, str, str]] = Counter()
    for first in range(after, upto, BATCH):
        counts.update(_areas_counted(area_events_between(after=first, upto=min(upto, first + BATCH), zone=zone)))
    return dict(counts)


def area_rollups_catch_up(*, limit: int = BATCH, batches: int | None = None) -> int:
    """Count every event written since the last run (in batches of ``limit`` log numbers);
    returns how many log numbers were read."""
    read = 0
    while batches is None or batches > 0:
        step, _ = _batch(limit=limit)
        read += step
        if step < limit:
            return read
        batches = None if batches is None else batches - 1
    return read
