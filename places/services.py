"""Writes of the address index: loading address points, batch by batch, idempotently."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from .models import CELL_SQL
from .normalize import address_key, normalize
from .readers import AddressIn, RowError, read_addresses

__all__ = ["BATCH_SIZE", "ImportReport", "address_file_import", "address_points_upsert", "streets_refresh"]

# One INSERT ... SELECT FROM unnest(...) per batch: 2,000 rows are ~150 ms of work, a
# transaction short enough not to hold locks for long, and few enough round trips that
# 500,000 rows load in about a minute (bench/address.py).
BATCH_SIZE = 2000

_UPSERT = """
INSERT INTO places_addresspoint (number, street, unit, city, postcode, location, street_key, search, cell, key)
SELECT n, st, u, c, p, ST_SetSRID(ST_MakePoint(x, y), 4326)::geography,
       public.unaccent(sk), public.unaccent(se), {cell}, k
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::float8[], %s::float8[],
            %s::text[], %s::text[], %s::text[]) AS t(n, st, u, c, p, x, y, sk, se, k)
ON CONFLICT (key) DO UPDATE SET
    number = EXCLUDED.number, street = EXCLUDED.street, unit = EXCLUDED.unit, city = EXCLUDED.city,
    postcode = EXCLUDED.postcode, location = EXCLUDED.location, street_key = EXCLUDED.street_key,
    search = EXCLUDED.search, cell = EXCLUDED.cell
WHERE (places_addresspoint.number, places_addresspoint.street, places_addresspoint.unit,
       places_addresspoint.city, places_addresspoint.postcode, places_addresspoint.location::text)
   IS DISTINCT FROM
      (EXCLUDED.number, EXCLUDED.street, EXCLUDED.unit, EXCLUDED.city, EXCLUDED.postcode, EXCLUDED.location::text)
RETURNING (xmax = 0) AS inserted
""".format(cell=CELL_SQL.format(x="x", y="y"))

# The streets of the batch, once each (the first spelling seen names the street).
_STREETS = """
INSERT INTO places_street (key, name, cells)
SELECT DISTINCT ON (k) k, n, '{}'::bigint[] FROM (SELECT public.unaccent(sk) AS k, st AS n
                                 FROM unnest(%s::text[], %s::text[]) AS t(sk, st)) AS s
ORDER BY k
ON CONFLICT (key) DO NOTHING
"""

# The cells each street's points are in (all streets, or those named).
_STREET_CELLS = """
UPDATE places_street s SET cells = c.cells
FROM (SELECT street_key, array_agg(DISTINCT cell ORDER BY cell) AS cells
      FROM places_addresspoint {where} GROUP BY street_key) AS c
WHERE c.street_key = s.key AND s.cells IS DISTINCT FROM c.cells
"""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.errors)


def search_text(point: AddressIn) -> str:
    return normalize(" ".join((point.number, point.street, point.unit, point.city, point.postcode)))


def streets_refresh(*, keys: Sequence[str] | None = None) -> None:
    """Recompute the cells of the streets named by ``keys`` (normalized, unaccented), or of all."""
    with connection.cursor() as cursor:
        if keys is None:
            cursor.execute(_STREET_CELLS.format(where=""))
        else:
            cursor.execute(_STREET_CELLS.format(where="WHERE street_key = ANY(%s)"), [list(keys)])


def address_points_upsert(*, points: Sequence[AddressIn], refresh_streets: bool = True) -> tuple[int, int, int]:
    """Insert or update ``points`` in the current department's index, in one transaction.

    Returns (created, updated, unchanged). A point whose number, street, unit, city and
    postcode (normalized) are already there updates that row; later duplicates in one batch
    win. ``refresh_streets=False`` leaves the streets' cells to a streets_refresh() at the
    end (a file import: once for all batches instead of once per batch).
    """
    by_key = {
        address_key(number=p.number, street=p.street, unit=p.unit, city=p.city, postcode=p.postcode): p for p in points
    }
    if not by_key:
        return 0, 0, 0
    rows = list(by_key.values())
    columns: list[list[Any]] = [
        [p.number for p in rows],
        [p.street for p in rows],
        [p.unit for p in rows],
        [p.city for p in rows],
        [p.postcode for p in rows],
        [p.lon for p in rows],
        [p.lat for p in rows],
        [normalize(p.street) for p in rows],
        [search_text(p) for p in rows],
        list(by_key),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_UPSERT, columns)
        inserted = [row[0] for row in cursor.fetchall()]
        cursor.execute(_STREETS, [columns[7], columns[1]])
        if refresh_streets:
            cursor.execute("SELECT array_agg(DISTINCT public.unaccent(k)) FROM unnest(%s::text[]) AS k", [columns[7]])
            row = cursor.fetchone()
            streets_refresh(keys=row[0] if row and row[0] else [])
    created = sum(inserted)
    updated = len(inserted) - created
    return created, updated, len(points) - created - updated


def address_file_import(
    *, path: Path, progress: Callable[[int], None] | None = None, batch_size: int = BATCH_SIZE
) -> ImportReport:
    """Load an OpenAddresses CSV/GeoJSON file into the current department's index.

    Bad rows are reported (line and reason) and skipped; every good batch is committed on
    its own, so a bad row or a later failure loses nothing already loaded. Running it again
    with the same file changes nothing. ``progress`` is called with the rows read so far.
    """
    report = ImportReport()
    batch: list[AddressIn] = []
    read = 0

    def flush() -> None:
        created, updated, unchanged = address_points_upsert(points=batch, refresh_streets=False)
        report.created += created
        report.updated += updated
        report.unchanged += unchanged
        batch.clear()
        if progress:
            progress(read)

    rows: Iterable[RowError | tuple[int, AddressIn]] = read_addresses(path)
    for row in rows:
        read += 1
        if isinstance(row, RowError):
            report.errors.append(row)
            continue
        batch.append(row[1])
        if len(batch) >= batch_size:
            flush()
    flush()
    with transaction.atomic():
        streets_refresh()
    return report
