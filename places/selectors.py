"""Reads of the address index: typo-, abbreviation- and accent-tolerant search with
PostgreSQL's pg_trgm and unaccent, and intersections computed from the address points.

Everything reads the current department's schema only (the connection's search_path): an
address of another department is never returned.
"""

from dataclasses import dataclass
from typing import Literal

from django.contrib.gis.geos import Point
from django.db import connection

from .models import AddressPoint, address_label
from .normalize import intersection_split, leading_number, normalize

__all__ = ["AddressMatch", "addresses_exist", "addresses_search", "intersection_find"]

Kind = Literal["address", "intersection", "coordinates"]

# Two streets "meet" when an address point of one is this close to one of the other: corner
# houses stand 20-60 m from the crossing, so 200 m finds every real corner and no street
# that merely runs parallel a block away (blocks are ~200-400 m long here).
MEET_WITHIN_M = 200.0
# Grid cell for the closest-pair join, in degrees: ~0.0025 deg is 280 m of latitude and
# 230 m of longitude at 34 deg N, more than MEET_WITHIN_M, so two points that close always
# share a cell or sit in neighbouring ones (the join looks at the 3 x 3 around each).
_CELL_DEG = 0.0025
# How many street names per side of an intersection are tried ("Cedar Ave" may match
# "Cedar Avenue" and "Cedar Street"); each pair is one join.
_STREET_CANDIDATES = 3


@dataclass(frozen=True)
class AddressMatch:
    label: str
    lat: float
    lon: float
    kind: Kind

    def as_json(self) -> dict[str, object]:
        return {"label": self.label, "lat": round(self.lat, 6), "lon": round(self.lon, 6), "kind": self.kind}


_ADDRESS_SQL = """
SELECT number, street, unit, city, postcode, ST_Y(location::geometry), ST_X(location::geometry)
FROM places_addresspoint
WHERE public.unaccent(%(q)s) <%% search
ORDER BY (number = %(number)s) DESC,
         round(word_similarity(public.unaccent(%(q)s), search)::numeric, 2) DESC,
         similarity(public.unaccent(%(q)s), search) DESC,
         {near_order}
         id
LIMIT %(limit)s
"""

_STREETS_SQL = """
SELECT street_key, min(street)
FROM places_addresspoint
WHERE public.unaccent(%(q)s) <%% street_key
GROUP BY street_key
ORDER BY max(word_similarity(public.unaccent(%(q)s), street_key)) DESC,
         max(similarity(public.unaccent(%(q)s), street_key)) DESC, street_key
LIMIT %(limit)s
"""

# The closest pair of points of two streets: a hash join on grid cells (each point of b
# entered in its cell's 3 x 3 neighbourhood), so the cost follows the points of the two
# streets, not their product. The corner is the middle of that pair.
_MEET_SQL = """
WITH a AS (
    SELECT location::geometry AS g FROM places_addresspoint WHERE street_key = %(a)s
), b AS (
    SELECT location::geometry AS g FROM places_addresspoint WHERE street_key = %(b)s
), ag AS (
    SELECT g, floor(ST_X(g) / %(cell)s)::int AS cx, floor(ST_Y(g) / %(cell)s)::int AS cy FROM a
), bg AS (
    SELECT g, floor(ST_X(g) / %(cell)s)::int + dx AS cx, floor(ST_Y(g) / %(cell)s)::int + dy AS cy
    FROM b, generate_series(-1, 1) AS dx, generate_series(-1, 1) AS dy
), pair AS (
    SELECT ag.g AS ga, bg.g AS gb FROM ag JOIN bg USING (cx, cy)
    ORDER BY ST_DistanceSphere(ag.g, bg.g) LIMIT 1
)
SELECT ST_Y(ST_Centroid(ST_Collect(ga, gb))), ST_X(ST_Centroid(ST_Collect(ga, gb)))
FROM pair WHERE ST_DistanceSphere(ga, gb) <= %(within)s
"""


def _streets(text: str, limit: int) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(_STREETS_SQL, {"q": normalize(text), "limit": limit})
        return [(key, name) for key, name in cursor.fetchall()]


def intersection_find(*, first: str, second: str, limit: int = 1) -> list[AddressMatch]:
    """Where the streets named ``first`` and ``second`` meet, best-matching names first.

    The corner is the middle of the closest pair of address points of the two streets
    (within MEET_WITHIN_M); streets that never come that close do not meet.
    """
    found: list[AddressMatch] = []
    seen: set[tuple[str, str]] = set()
    one, two = _streets(first, _STREET_CANDIDATES), _streets(second, _STREET_CANDIDATES)
    pairs = sorted(
        ((i + j, a, b) for i, a in enumerate(one) for j, b in enumerate(two) if a[0] != b[0]),
        key=lambda item: item[0],
    )
    with connection.cursor() as cursor:
        for _rank, (key_a, name_a), (key_b, name_b) in pairs:
            if len(found) >= limit:
                break
            if (key_b, key_a) in seen:
                continue
            seen.add((key_a, key_b))
            cursor.execute(_MEET_SQL, {"a": key_a, "b": key_b, "cell": _CELL_DEG, "within": MEET_WITHIN_M})
            row = cursor.fetchone()
            if row is not None and row[0] is not None:
                found.append(AddressMatch(label=f"{name_a} & {name_b}", lat=row[0], lon=row[1], kind="intersection"))
    return found


def addresses_search(*, query: str, limit: int = 8, near: Point | None = None) -> list[AddressMatch]:
    """Addresses (or the intersection) of the current department that best match ``query``.

    Tolerates typos (pg_trgm word similarity), abbreviations ("W Baseline Rd" finds
    "West Baseline Road", normalize()), accents ("Penasco" finds "Peñasco", unaccent), and
    reads "A & B" / "A and B" / "A at B" as an intersection. With ``near`` (a WGS 84 point),
    equally good matches come nearest first. At most ``limit`` results, best first.
    """
    text = query.strip()[:200]
    limit = max(1, min(limit, 50))
    if not normalize(text):
        return []
    streets = intersection_split(text)
    if streets is not None:
        corners = intersection_find(first=streets[0], second=streets[1], limit=1)
        if corners:
            return corners
    params: dict[str, object] = {"q": normalize(text), "number": leading_number(text) or "", "limit": limit}
    near_order = ""
    if near is not None:
        near_order = "location <-> ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,"
        params.update(lon=near.x, lat=near.y)
    with connection.cursor() as cursor:
        cursor.execute(_ADDRESS_SQL.format(near_order=near_order), params)
        return [
            AddressMatch(
                label=address_label(number=n, street=st, unit=u, city=c, postcode=p), lat=y, lon=x, kind="address"
            )
            for n, st, u, c, p, y, x in cursor.fetchall()
        ]


def addresses_exist() -> bool:
    """Whether the current department has loaded any address points."""
    return AddressPoint.objects.exists()
