"""The log's figures by police area, counted by the database from a high-water mark.

The log (audit) knows nothing of places or cameras, and places knows nothing of the log; the
counting sits above both, in two functions cameras migration 0014 creates in each department's
schema. An event is placed at a search's centre, else at its first camera's registered position
(approximate, as police see it), and counted in the police area containing that place (a beat
before a district); a camera deleted since, or a place outside every area, counts as "no police
area". ``cameras_area_rollups_catch_up`` is the owner's (SECURITY DEFINER): it reads the events
after the mark, adds their counts to audit_arearollup and moves the mark, under a lock on the
mark (a second worker waits, then finds the events counted: idempotent). The serving processes'
app role may run it and read the figures, never write them (docs/database-roles.md), so what the
board and the annual report read is what the log says.
"""

import datetime as dt
from typing import Any

from django.db import connection

__all__ = ["BATCH", "area_counts_between", "area_rollups_catch_up"]

# Log numbers read per call: ~10,000 events are placed in well under a second, a transaction
# short enough not to hold the mark long (bench/oversight.py).
BATCH = 10_000


def area_counts_between(*, after: int, upto: int, zone: str) -> dict[tuple[dt.date, str, str, str, str], int]:
    """(day, area_ref, area_name, action, outcome) -> events, for the events numbered after
    ``after`` up to ``upto``, written nowhere (the annual report corrects the area rollup to its
    checkpoint with them). The same counting as the catch-up's, in the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cameras_area_counts(%s, %s, %s)", [after, upto, zone])
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return {(day, ref, name, action, outcome): int(n) for day, ref, name, action, outcome, n in rows}


def area_rollups_catch_up(*, limit: int = BATCH, batches: int | None = None) -> int:
    """Count every event written since the last run (in batches of ``limit`` log numbers, each
    its own statement); returns how many log numbers were read."""
    read = 0
    while batches is None or batches > 0:
        with connection.cursor() as cursor:
            cursor.execute("SELECT cameras_area_rollups_catch_up(%s)", [limit])
            step = int(cursor.fetchone()[0])
        read += step
        if step < limit:
            return read
        batches = None if batches is None else batches - 1
    return read
