"""Address-search benchmark: places.selectors.addresses_search on 500,000 address points.

    python bench/address.py [--points 500000] [--repeat 100] [--baseline-repeat 5] [--reload]

Fills the bench department (schema ``bench``) with a synthetic city of about 37 x 33 km
(places.demo's street grid: 250 streets, houses every ~35 m on both sides, W/E halves of
the east-west streets, a fifth of the names Spanish with accents), written as an
OpenAddresses CSV and loaded with the real importer (its time is reported too). Then times,
for a mix of queries drawn (seeded) from the loaded points:

* ``exact``        "1234 Maple Ave" as stored;
* ``typo``         one letter of the street's name dropped ("1234 Mple Ave");
* ``abbreviation`` the suffix and direction written out ("1234 West Maple Avenue");
* ``accent``       an accented street typed without its accents ("1234 Penasco St");
* ``intersection`` "Maple Ave & W Oak St" (two streets that cross);

three ways, in the same run:

* ``selector``  addresses_search as it is (GIN trigram indexes);
* ``no index``  the same SQL with index and bitmap scans off: what the trigram index buys;
* ``ILIKE``     the naive scan "search ILIKE '%query%'" (normalized, unaccented) without
                the index, as one would write it first; it cannot find typos at all.

"found" is the share of queries whose expected address (or a corner within 60 m of the real
crossing) is the first answer. Prints a table and writes JSON (bench/results/address.json).
Target (issue 13): selector p50 < 20 ms for every kind.
"""

import argparse
import math
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import bench_department, django_setup, environment, summary_ms, table, write_json

django_setup()

from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from places.demo import M_PER_DEG_LAT, StreetGrid, addresses_write_csv  # noqa: E402
from places.models import AddressPoint  # noqa: E402
from places.normalize import normalize, strip_accents  # noqa: E402
from places.selectors import addresses_search  # noqa: E402
from places.services import address_file_import  # noqa: E402

CITY_LON, CITY_LAT = -117.30, 34.08
CITY_W_M, CITY_H_M = 37_000, 33_000
SEED = 20261206
WORDS = [
    "Oak",
    "Maple",
    "Cedar",
    "Pine",
    "Elm",
    "Willow",
    "Birch",
    "Aspen",
    "Sycamore",
    "Magnolia",
    "Juniper",
    "Laurel",
    "Walnut",
    "Chestnut",
    "Hickory",
    "Poplar",
    "Cypress",
    "Redwood",
    "Sequoia",
    "Palm",
    "Olive",
    "Lemon",
    "Orange",
    "Citrus",
    "Mesa",
    "Canyon",
    "Ridge",
    "Valley",
    "Sierra",
    "Vista",
    "Summit",
    "Highland",
    "Lakeview",
    "Sunset",
    "Sunrise",
    "Meadow",
    "Prairie",
    "Foothill",
    "Mountain",
    "River",
    "Peñasco",
    "Cañada",
    "Montaña",
    "Limón",
    "Señora",
    "Álamo",
    "Jardín",
    "Almendro",
    "Rincón",
    "Paloma",
]
NS_SUFFIXES, EW_SUFFIXES = ["Ave", "Dr", "Ln"], ["St", "Rd", "Blvd"]
WRITTEN_OUT = {
    "Ave": "Avenue",
    "Dr": "Drive",
    "Ln": "Lane",
    "St": "Street",
    "Rd": "Road",
    "Blvd": "Boulevard",
    "W": "West",
    "E": "East",
}
KINDS = ("exact", "typo", "abbreviation", "accent", "intersection")


def city_grid(points: int) -> StreetGrid:
    """A grid whose streets hold about ``points`` houses (35 m apart, both sides)."""
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(CITY_LAT))
    half_w, half_h = CITY_W_M / 2 / m_per_deg_lon, CITY_H_M / 2 / M_PER_DEG_LAT
    per_street_pair = 2 * (CITY_W_M + CITY_H_M) / 35.0
    streets = max(2, round(points / per_street_pair))
    rng = random.Random(SEED)  # noqa: S311 (synthetic data)
    ns = [f"{w} {s}" for s in NS_SUFFIXES for w in WORDS]
    ew = [f"{w} {s}" for s in EW_SUFFIXES for w in WORDS]
    rng.shuffle(ns)
    rng.shuffle(ew)
    if streets > len(ns):
        raise SystemExit(f"--points {points} needs {streets} streets each way; the name lists have {len(ns)}")
    polygon = [
        (CITY_LON - half_w, CITY_LAT - half_h),
        (CITY_LON + half_w, CITY_LAT - half_h),
        (CITY_LON + half_w, CITY_LAT + half_h),
        (CITY_LON - half_w, CITY_LAT + half_h),
    ]
    return StreetGrid(
        polygon=polygon,
        north_south=ns[:streets],
        east_west=ew[:streets],
        city="Benchville",
        postcode="90000",
        seed=SEED,
    )


def _load(grid: StreetGrid, wanted: int, reload: bool) -> dict[str, Any]:
    existing = AddressPoint.objects.count()
    if existing and abs(existing - wanted) < wanted * 0.02 and not reload:
        print(f"{existing:,} address points already loaded (--reload to load again)", flush=True)
        return {"points": existing, "import_s": None}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE places_addresspoint, places_street")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-addresses.csv.gz"
        started = time.monotonic()
        rows = addresses_write_csv(grid, path)
        written = time.monotonic() - started
        print(f"wrote {rows:,} rows in {written:.1f} s; importing ...", flush=True)
        started = time.monotonic()
        report = address_file_import(path=path)
        took = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE places_addresspoint")
    print(f"imported {report.created:,} points in {took:.1f} s ({report.created / took:,.0f}/s)", flush=True)
    return {"points": report.created, "import_s": round(took, 1), "generate_s": round(written, 1)}


def _drop_letter(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]


def queries(grid: StreetGrid, per_kind: int) -> dict[str, list[tuple[str, Any]]]:
    """(query, expected) per kind: expected is a label, or (lat, lon) of the crossing."""
    rng = random.Random(SEED + 1)  # noqa: S311
    fields = ("number", "street", "city", "postcode")
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")  # ORDER BY random() below draws the same rows each run
    rows = list(AddressPoint.objects.order_by("?").values_list(*fields)[: per_kind * 3])
    rows += list(AddressPoint.objects.filter(street__regex=r"[^ -~]").order_by("?").values_list(*fields)[:per_kind])
    label = lambda n, s, c, p: f"{n} {s}, {c} {p}"  # noqa: E731
    out: dict[str, list[tuple[str, Any]]] = {kind: [] for kind in KINDS}
    for n, s, c, p in rows:
        words = s.split()
        if len(out["exact"]) < per_kind:
            out["exact"].append((f"{n} {s}", label(n, s, c, p)))
        body = [w for w in words if w not in WRITTEN_OUT]
        if len(out["typo"]) < per_kind and len(body[0]) >= 5:
            typo = s.replace(body[0], _drop_letter(body[0], rng))
            out["typo"].append((f"{n} {typo}", label(n, s, c, p)))
        if len(out["abbreviation"]) < per_kind:
            out["abbreviation"].append((f"{n} " + " ".join(WRITTEN_OUT.get(w, w) for w in words), label(n, s, c, p)))
        if len(out["accent"]) < per_kind and strip_accents(s) != s:
            out["accent"].append((f"{n} {strip_accents(s)}", label(n, s, c, p)))
    ring = list(grid.polygon)
    west, east = min(x for x, _ in ring), max(x for x, _ in ring)
    south, north = min(y for _, y in ring), max(y for _, y in ring)
    centre = (west + east) / 2
    while len(out["intersection"]) < per_kind:
        i, j = rng.randrange(len(grid.north_south)), rng.randrange(len(grid.east_west))
        lon = west + (east - west) * (i + 0.5) / len(grid.north_south)
        lat = south + (north - south) * (j + 0.5) / len(grid.east_west)
        prefix = "W" if lon < centre else "E"
        query = f"{grid.north_south[i]} & {prefix} {grid.east_west[j]}"
        out["intersection"].append((query, (lat, lon)))
    return out


def _found(result: list[Any], expected: Any) -> bool:
    if not result:
        return False
    first = result[0]
    if isinstance(expected, str):
        return bool(first.label == expected)
    lat, lon = expected
    dy = (first.lat - lat) * M_PER_DEG_LAT
    dx = (first.lon - lon) * M_PER_DEG_LAT * math.cos(math.radians(lat))
    return math.hypot(dx, dy) < 60


class _Match:
    def __init__(self, label: str, lat: float, lon: float) -> None:
        self.label, self.lat, self.lon = label, lat, lon


def ilike_scan(query: str) -> list[_Match]:
    """The naive search: a substring of the normalized, unaccented text, in a sequential scan."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            "SELECT number || ' ' || street || ', ' || city || ' ' || postcode, ST_Y(location::geometry), "
            "ST_X(location::geometry) FROM places_addresspoint "
            "WHERE search ILIKE '%%' || public.unaccent(%s) || '%%' ORDER BY id LIMIT 8",
            [normalize(query)],
        )
        return [_Match(*row) for row in cursor.fetchall()]


def selector_without_index(query: str) -> list[Any]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
        return addresses_search(query=query)


def measure(
    fn: Callable[[str], list[Any]], mix: list[tuple[str, Any]], misses: list[str] | None = None
) -> tuple[dict[str, float], float]:
    samples, found = [], 0
    for query, expected in mix:
        started = time.perf_counter_ns()
        result = fn(query)
        samples.append(time.perf_counter_ns() - started)
        if _found(result, expected):
            found += 1
        elif misses is not None:
            misses.append(f"{query!r}: expected {expected}, got {result[0].label if result else 'nothing'}")
    return summary_ms(samples), found / len(mix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=100, help="queries per kind for the selector")
    parser.add_argument("--baseline-repeat", type=int, default=5, help="queries per kind for the scans")
    parser.add_argument("--reload", action="store_true", help="load the points again")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    department = bench_department()
    grid = city_grid(args.points)
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tenant_context(department):
        loaded = _load(grid, args.points, args.reload)
        mix = queries(grid, args.repeat)
        for query, _ in mix["exact"][:20]:  # warm the caches the way a day of use does
            addresses_search(query=query)
        rows, results = [], {}
        for kind in KINDS:
            if not mix[kind]:
                print(f"  {kind}: no such query in a city this small", flush=True)
                continue
            misses: list[str] = []
            sel, sel_found = measure(lambda q: addresses_search(query=q), mix[kind], misses)
            base = mix[kind][: args.baseline_repeat]
            noidx, noidx_found = measure(selector_without_index, base)
            ilike, ilike_found = measure(ilike_scan, base)
            results[kind] = {
                "selector": {**sel, "found": sel_found},
                "no_index": {**noidx, "found": noidx_found},
                "ilike": {**ilike, "found": ilike_found},
                "example": mix[kind][0][0],
                "misses": misses,
            }
            rows.append(
                [
                    kind,
                    sel["n"],
                    sel["p50_ms"],
                    sel["p99_ms"],
                    f"{sel_found:.0%}",
                    noidx["p50_ms"],
                    f"{noidx_found:.0%}",
                    ilike["p50_ms"],
                    f"{ilike_found:.0%}",
                    mix[kind][0][0],
                ]
            )
            print(f"  {kind}: p50 {sel['p50_ms']:.2f} ms", flush=True)
            for miss in misses[:5]:
                print(f"    not first: {miss}", flush=True)
        every = [results[kind]["selector"]["p50_ms"] for kind in results]
    load_after = [round(x, 2) for x in os.getloadavg()]
    print()
    print(f"{loaded['points']:,} address points; load average {load_before} before, {load_after} after")
    print(
        table(
            ["kind", "n", "p50 ms", "p99 ms", "found", "no-index p50", "found", "ILIKE p50", "found", "example"],
            rows,
        )
    )
    met = all(p50 < 20 for p50 in every)
    print(f"\ntarget p50 < 20 ms for every kind: {'met' if met else 'NOT met'} (worst p50 {max(every):.2f} ms)")
    path = write_json(
        args.json,
        "address",
        {
            "points": loaded,
            "results": results,
            "target_met": met,
            "load_average_before": load_before,
            "load_average_after": load_after,
            "environment": environment(),
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
