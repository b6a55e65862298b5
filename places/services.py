"""Writes of the address index: loading address points, batch by batch, idempotently."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from .normalize import address_key, normalize
from .readers import AddressIn, RowError, read_addresses

__all__ = ["BATCH_SIZE", "ImportReport", "address_file_import", "address_points_upsert"]

# One INSERT ... SELECT FROM unnest(...) per batch: 2,000 rows are ~150 ms of work, a
# transaction short enough not to hold locks for long, and few enough round trips that
# 500,000 rows load in about a minute (bench/address.py).
BATCH_SIZE = 2000

_UPSERT = """
INSERT INTO places_addresspoint (number, street, unit, city, postcode, location, street_key, search, key)
SELECT n, st, u, c, p, ST_SetSRID(ST_MakePoint(x, y), 4326)::geography,
       public.unaccent(sk), public.unaccent(se), k
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::float8[], %s::float8[],
            %s::text[], %s::text[], %s::text[]) AS t(n, st, u, c, p, x, y, sk, se, k)
ON CONFLICT (key) DO UPDATE SET
    number = EXCLUDED.number, street = EXCLUDED.street, unit = EXCLUDED.unit, city = EXCLUDED.city,
    postcode = EXCLUDED.postcode, location = EXCLUDED.location, street_key = EXCLUDED.street_key,
    search = EXCLUDED.search
WHERE (places_addresspoint.number, places_addresspoint.street, places_addresspoint.unit,
       places_addresspoint.city, places_addresspoint.postcode, places_addresspoint.location::text)
   IS DISTINCT FROM
      (EXCLUDED.number, EXCLUDED.street, EXCLUDED.unit, EXCLUDED.city, EXCLUDED.postcode, EXCLUDED.location::text)
RETURNING (xmax = 0) AS inserted
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


def address_points_upsert(*, points: Sequence[AddressIn]) -> tuple[int, int, int]:
    """Insert or update ``points`` in the current department's index, in one transaction.

    Returns (created, updated, unchanged). A point whose number, street, unit, city and
    postcode (normalized) are already there updates that row; later duplicates in one batch win.
    """
    by_key = {
        address_key(number=p.number, street=p.street, unit=p.unit, city=p.city, postcode=p.postcode): p
        for p in points
    }
    if not by_key:
        return 0, 0, 0
    rows = list(by_key.values())
    columns = [
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
        created, updated, unchanged = address_points_upsert(points=batch)
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
    return report
