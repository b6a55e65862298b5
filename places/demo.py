"""Deterministic, made-up address points for the demo departments (and for bench/address.py).

A grid of real-sounding streets over the department's boundary: north-south avenues and
east-west roads (with W/E prefixes either side of the centre line), houses every ~35 m on
both sides, numbered as US blocks are (100 per block, odd on one side, even on the other),
and one Spanish street name with an accent per city. Same arguments, same rows, same bytes:
seed_demo writes the file to .local/ and loads it with the ordinary importer, so no binary
is committed that could drift from this generator.

    python -m places.demo rialto /tmp/rialto-addresses.csv.gz
"""

import csv
import gzip
import io
import json
import math
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEMO_STREETS", "StreetGrid", "addresses_generate", "addresses_write_csv", "demo_grid"]

M_PER_DEG_LAT = 111_320.0
CSV_HEADER = ["LON", "LAT", "NUMBER", "STREET", "UNIT", "CITY", "DISTRICT", "REGION", "POSTCODE", "ID", "HASH"]


@dataclass(frozen=True)
class StreetGrid:
    polygon: Sequence[tuple[float, float]]  # (lon, lat) ring; only points inside are kept
    north_south: Sequence[str]
    east_west: Sequence[str]
    city: str
    postcode: str
    spacing_m: float = 35.0
    seed: int = 1


DEMO_STREETS: dict[str, dict[str, object]] = {
    "rialto": {
        "city": "Rialto",
        "postcode": "92376",
        "north_south": [
            "Cedar Ave",
            "Lilac Ave",
            "Linden Ave",
            "Acacia Ave",
            "Willow Ave",
            "Calle Peñasco",
            "Riverside Ave",
            "Sycamore Ave",
            "Eucalyptus Ave",
            "Ayala Dr",
            "Pepper Ave",
        ],
        "east_west": [
            "Highland Ave",
            "Casa Grande Dr",
            "Foothill Blvd",
            "Baseline Rd",
            "Merrill Ave",
            "Avenida Señora",
            "Rialto Ave",
            "Randall Ave",
            "Valley Blvd",
            "San Bernardino Ave",
            "Bloomington Ave",
            "Jurupa Ave",
        ],
    },
    "fontana": {
        "city": "Fontana",
        "postcode": "92335",
        "north_south": [
            "Etiwanda Ave",
            "Cherry Ave",
            "Beech Ave",
            "Calle Montaña",
            "Mango Ave",
            "Citrus Ave",
            "Juniper Ave",
            "Sierra Ave",
            "Palmetto Ave",
            "Alder Ave",
        ],
        "east_west": [
            "Summit Ave",
            "Highland Ave",
            "Baseline Ave",
            "Foothill Blvd",
            "Arrow Blvd",
            "Camino Limón",
            "Merrill Ave",
            "Valley Blvd",
            "Randall Ave",
            "Slover Ave",
            "Jurupa Ave",
        ],
    },
}


def demo_grid(schema: str, polygon: Sequence[tuple[float, float]]) -> StreetGrid:
    spec = DEMO_STREETS[schema]
    return StreetGrid(
        polygon=polygon,
        north_south=list(spec["north_south"]),  # type: ignore[call-overload]
        east_west=list(spec["east_west"]),  # type: ignore[call-overload]
        city=str(spec["city"]),
        postcode=str(spec["postcode"]),
        seed=sum(schema.encode()),
    )


def _inside(lon: float, lat: float, ring: Sequence[tuple[float, float]]) -> bool:
    inside = False
    points = list(ring)
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def addresses_generate(grid: StreetGrid) -> Iterator[tuple[float, float, str, str]]:
    """(lon, lat, number, street) of every house of the grid, always in the same order."""
    rng = random.Random(grid.seed)  # noqa: S311 (made-up demo data)
    ring = list(grid.polygon)
    west, east = min(x for x, _ in ring), max(x for x, _ in ring)
    south, north = min(y for _, y in ring), max(y for _, y in ring)
    mid_lat = (south + north) / 2
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(mid_lat))
    centre_lon = (west + east) / 2
    setback = 14.0  # metres from the street's centre line to the house point
    # Avenues (north-south): numbered from the southern edge, 100 per ~160 m block.
    for i, name in enumerate(grid.north_south):
        lon = west + (east - west) * (i + 0.5) / len(grid.north_south)
        length = (north - south) * M_PER_DEG_LAT
        for step in range(int(length // grid.spacing_m)):
            along = step * grid.spacing_m + rng.uniform(0, 6)
            for side in (-1, 1):
                x = lon + side * setback / m_per_deg_lon
                y = south + along / M_PER_DEG_LAT
                if _inside(x, y, ring):
                    number = 100 + 2 * int(along / 3.2) + (1 if side < 0 else 0)
                    yield x, y, str(number), name
    # Roads (east-west): W/E either side of the centre line, numbered outwards from it.
    for j, name in enumerate(grid.east_west):
        lat = south + (north - south) * (j + 0.5) / len(grid.east_west)
        length = (east - west) * m_per_deg_lon
        for step in range(int(length // grid.spacing_m)):
            along = step * grid.spacing_m + rng.uniform(0, 6)
            x = west + along / m_per_deg_lon
            prefix = "W" if x < centre_lon else "E"
            from_centre = abs(x - centre_lon) * m_per_deg_lon
            for side in (-1, 1):
                y = lat + side * setback / M_PER_DEG_LAT
                if _inside(x, y, ring):
                    number = 100 + 2 * int(from_centre / 3.2) + (1 if side < 0 else 0)
                    yield x, y, str(number), f"{prefix} {name}"


def addresses_write_csv(grid: StreetGrid, path: Path) -> int:
    """Write the grid as an OpenAddresses CSV (gzip when ``path`` ends in .gz); returns the rows."""
    rows = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for lon, lat, number, street in addresses_generate(grid):
        writer.writerow([f"{lon:.6f}", f"{lat:.6f}", number, street, "", grid.city, "", "CA", grid.postcode, "", ""])
        rows += 1
    data = buffer.getvalue().encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        # mtime=0 and no file name: the same rows give the same bytes on every run.
        with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(data)
    else:
        path.write_bytes(data)
    return rows


if __name__ == "__main__":
    from tenants.demo import DEMO_DEPARTMENTS

    schema, out = sys.argv[1], Path(sys.argv[2])
    spec = next(d for d in DEMO_DEPARTMENTS if d["schema"] == schema)
    count = addresses_write_csv(demo_grid(schema, spec["boundary"]), out)
    print(f"{out}: {count} address points for {spec['name']}")


def demo_beats_geojson(polygon: Sequence[tuple[float, float]], *, columns: int = 2, rows: int = 2) -> dict[str, object]:
    """The demo's police beats: the boundary's extent cut into columns x rows rectangles
    ("Beat 1" north-west, row by row), each clipped to the boundary. GeoJSON, for the
    ordinary importer (places.areas.areas_import), as the address points are."""
    from django.contrib.gis.geos import Polygon

    boundary = Polygon([*polygon, polygon[0]] if polygon[0] != polygon[-1] else list(polygon), srid=4326)
    min_x, min_y, max_x, max_y = boundary.extent
    width, height = (max_x - min_x) / columns, (max_y - min_y) / rows
    features: list[dict[str, object]] = []
    for row in range(rows):
        for column in range(columns):
            x0, y1 = min_x + column * width, max_y - row * height
            cell = Polygon.from_bbox((x0, y1 - height, x0 + width, y1))
            cell.srid = 4326
            clipped = cell.intersection(boundary)
            if clipped.empty:
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": f"Beat {len(features) + 1}", "kind": "beat"},
                    "geometry": json.loads(clipped.geojson),
                }
            )
    return {"type": "FeatureCollection", "features": features}
