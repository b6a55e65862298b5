"""Reads of the address index: typo-, abbreviation- and accent-tolerant search with
PostgreSQL's pg_trgm and unaccent, and intersections computed from the address points.

Everything reads the current department's schema only (the connection's search_path): an
address of another department is never returned.
"""

from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.gis.geos import Point
from django.db import connection

from .models import CELL_STEP_X, address_label
from .normalize import intersection_split, leading_number, normalize

__all__ = ["AddressMatch", "addresses_search", "intersection_find", "streets_known"]

Kind = Literal["address", "intersection", "coordinates"]

# Two streets "meet" when an address point of one is this close to one of the other: corner
# houses stand 20-60 m from the crossing, so 200 m finds every real corner and no street
# that merely runs parallel a block away (blocks are ~200-400 m long here).
MEET_WITHIN_M = 200.0
# The grid cells (places.models.CELL_DEG, ~280 m x 230 m here) are larger than
# MEET_WITHIN_M, so two points that close always share a cell or sit in neighbouring ones.
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


# The best-matching street names: pg_trgm word similarity (the query's words found in the
# name, typos allowed) through the GIN index on places_street.key.
_STREETS_SQL = """
SELECT key, name, word_similarity(%(q)s, key) AS ws
FROM places_street
WHERE %(q)s <%% key
ORDER BY ws DESC, similarity(%(q)s, key) DESC, key
LIMIT %(limit)s
"""

_POINT_COLUMNS = (
    "p.number, p.street, p.unit, p.city, p.postcode, ST_Y(p.location::geometry), ST_X(p.location::geometry)"
)

# With a house number: that number on the matched streets first, then numbers it begins
# (a number typed halfway), best street first; equally good streets nearest first.
_NUMBERED_SQL = f"""
SELECT {_POINT_COLUMNS}
FROM unnest(%(keys)s::text[], %(scores)s::float8[]) AS s(key, score)
JOIN places_addresspoint p ON p.street_key = s.key
WHERE p.number = %(number)s OR p.number LIKE %(prefix)s
ORDER BY (p.number = %(number)s) DESC, s.score DESC, {{near}} length(p.number), p.number, p.unit, p.id
LIMIT %(limit)s
"""  # noqa: S608 (constants only; every value is a parameter)

# A number the street does not have: the nearest numbers of the best street.
_NEAREST_NUMBER_SQL = f"""
SELECT {_POINT_COLUMNS}
FROM places_addresspoint p
WHERE p.street_key = %(key)s AND p.number ~ '^[0-9]{{1,9}}'
ORDER BY abs(substring(p.number from '^[0-9]{{1,9}}')::bigint - %(value)s), p.number, p.unit, p.id
LIMIT %(limit)s
"""  # noqa: S608 (constants only; every value is a parameter)

# Without a number: one address per matched street, the one nearest the map (or else the
# street's lowest number).
_STREET_SQL = f"""
SELECT {_POINT_COLUMNS}
FROM unnest(%(keys)s::text[], %(scores)s::float8[]) WITH ORDINALITY AS s(key, score, rank)
CROSS JOIN LATERAL (
    SELECT * FROM places_addresspoint q WHERE q.street_key = s.key
    ORDER BY {{near_q}} length(q.number), q.number, q.id LIMIT 1
) p
ORDER BY s.score DESC, {{near}} s.rank
"""  # noqa: S608 (constants only; every value is a parameter)

# Where two streets meet: the cells of street a that touch a cell of street b (the cell or
# one of its 8 neighbours), then the closest pair among the points of a in those cells and
# of b around them (indexed by street and cell): a few dozen points, however long the
# streets. The corner is the middle of that pair. MATERIALIZED: each point is cast from
# geography once, not once per pair.
_MEET_SQL = f"""
WITH near AS (
    SELECT DISTINCT ca
    FROM unnest((SELECT cells FROM places_street WHERE key = %(a)s)) AS ca
    JOIN (
        SELECT cb + dx * {CELL_STEP_X} + dy AS cn
        FROM unnest((SELECT cells FROM places_street WHERE key = %(b)s)) AS cb,
             generate_series(-1, 1) AS dx, generate_series(-1, 1) AS dy
    ) AS n ON n.cn = ca
), around AS (
    SELECT DISTINCT ca + dx * {CELL_STEP_X} + dy AS c
    FROM near, generate_series(-1, 1) AS dx, generate_series(-1, 1) AS dy
), pa AS MATERIALIZED (
    SELECT location::geometry AS g FROM places_addresspoint
    WHERE street_key = %(a)s AND cell IN (SELECT ca FROM near)
), pb AS MATERIALIZED (
    SELECT location::geometry AS g FROM places_addresspoint
    WHERE street_key = %(b)s AND cell IN (SELECT c FROM around)
), pair AS (
    -- Planar distance in degrees: enough to choose the closest of a few dozen pairs, and
    -- cheaper than the sphere; the distance kept is then checked on the sphere.
    SELECT pa.g AS ga, pb.g AS gb FROM pa CROSS JOIN pb ORDER BY pa.g <-> pb.g LIMIT 1
)
SELECT ST_Y(ST_Centroid(ST_Collect(ga, gb))), ST_X(ST_Centroid(ST_Collect(ga, gb)))
FROM pair WHERE ST_DistanceSphere(ga, gb) <= %(within)s
"""  # noqa: S608 (constants only; every value is a parameter)


def _search_form(text: str) -> str:
    """``text`` as the search columns hold it: normalized, then unaccented by PostgreSQL.

    Computed once per query and passed as a constant: in a WHERE clause unaccent() is a
    STABLE call the planner may evaluate once per row (20 us each), and a constant lets it
    estimate the trigram index scan."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT public.unaccent(%s)", [normalize(text)])
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def _streets(text: str, limit: int) -> list[tuple[str, str, float]]:
    """(key, name, score) of the streets best matching ``text``, best first."""
    form = _search_form(text)
    if not form:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_STREETS_SQL, {"q": form, "limit": limit})
        return [(key, name, float(score)) for key, name, score in cursor.fetchall()]


def intersection_find(*, first: str, second: str, limit: int = 1) -> list[AddressMatch]:
    """Where the streets named ``first`` and ``second`` meet, best-matching names first.

    The corner is the middle of the closest pair of address points of the two streets
    (within MEET_WITHIN_M); streets that never come that close do not meet.
    """
    found: list[AddressMatch] = []
    seen: set[frozenset[str]] = set()
    one, two = _streets(first, _STREET_CANDIDATES), _streets(second, _STREET_CANDIDATES)
    pairs = sorted(
        ((-(a[2] + b[2]), i + j, a, b) for i, a in enumerate(one) for j, b in enumerate(two) if a[0] != b[0]),
        key=lambda item: item[:2],
    )
    with connection.cursor() as cursor:
        for _score, _rank, (key_a, name_a, _sa), (key_b, name_b, _sb) in pairs:
            if len(found) >= limit:
                break
            if frozenset((key_a, key_b)) in seen:
                continue
            seen.add(frozenset((key_a, key_b)))
            cursor.execute(_MEET_SQL, {"a": key_a, "b": key_b, "within": MEET_WITHIN_M})
            row = cursor.fetchone()
            if row is not None and row[0] is not None:
                found.append(AddressMatch(label=f"{name_a} & {name_b}", lat=row[0], lon=row[1], kind="intersection"))
    return found


def _street_part(text: str, number: str | None) -> str:
    """The street of "1200 W Baseline Rd, Rialto 92376": without the number, the part after
    the first comma (city, postcode) and trailing postcodes."""
    if number:
        text = text.lstrip()[len(number) :]
    head = text.split(",", 1)[0]
    words = head.split()
    while len(words) > 1 and words[-1].isdigit() and len(words[-1]) >= 5:
        words.pop()
    return " ".join(words)


def _matches(rows: list[tuple[Any, ...]]) -> list[AddressMatch]:
    return [
        AddressMatch(label=address_label(number=n, street=st, unit=u, city=c, postcode=p), lat=y, lon=x, kind="address")
        for n, st, u, c, p, y, x in rows
    ]


def addresses_search(*, query: str, limit: int = 8, near: Point | None = None) -> list[AddressMatch]:
    """Addresses (or the intersection) of the current department that best match ``query``.

    Tolerates typos (pg_trgm word similarity on the street names), abbreviations ("W
    Baseline Rd" finds "West Baseline Road", normalize()), accents ("Penasco" finds
    "Peñasco", unaccent), and reads "A & B" / "A and B" / "A at B" as an intersection. The
    house number picks the addresses of the matched streets; without one, each matched
    street offers one address. With ``near`` (a WGS 84 point), equally good matches come
    nearest first. At most ``limit`` results, best first.
    """
    text = query.strip()[:200]
    limit = max(1, min(limit, 50))
    if not normalize(text):
        return []
    crossing = intersection_split(text)
    if crossing is not None:
        corners = intersection_find(first=crossing[0], second=crossing[1], limit=1)
        if corners:
            return corners
    number = leading_number(text)
    streets = _streets(_street_part(text, number), _STREET_CANDIDATES if number else limit)
    if not streets:
        return []
    # Scores rounded: streets as good as each other ("W" and "E Baseline Rd") sort by distance.
    params: dict[str, Any] = {
        "keys": [key for key, _n, _s in streets],
        "scores": [round(score, 2) for _k, _n, score in streets],
        "limit": limit,
    }
    near_order = ""
    if near is not None:
        near_order = "p.location <-> ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,"
        params.update(lon=near.x, lat=near.y)
    with connection.cursor() as cursor:
        if number is None:
            cursor.execute(
                _STREET_SQL.format(near=near_order, near_q=near_order.replace("p.location", "q.location")), params
            )
            return _matches(cursor.fetchall())
        params.update(number=number, prefix=number.replace("%", "") + "%")
        cursor.execute(_NUMBERED_SQL.format(near=near_order), params)
        rows = cursor.fetchall()
        if not rows or normalize(str(rows[0][0])) != number:
            digits = "".join(ch for ch in number if ch.isdigit())[:9]
            cursor.execute(_NEAREST_NUMBER_SQL, {"key": streets[0][0], "value": int(digits), "limit": limit})
            rows = (rows + cursor.fetchall())[:limit]
        return _matches(rows)


def streets_known(*, names: list[str]) -> int:
    """How many of the street ``names`` the current department's index has."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM places_street WHERE key IN (SELECT public.unaccent(n) FROM unnest(%s::text[]) AS n)",
            [[normalize(name) for name in names]],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def address_nearest(*, point: Point) -> tuple[str, Point] | None:
    """The address point nearest ``point`` ("1456 Riverside Ave", where it is), or None for
    an empty index: one nearest-neighbour step on the GiST index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number, street, ST_X(location::geometry), ST_Y(location::geometry) FROM places_addresspoint"
            " WHERE number <> '' ORDER BY location <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography LIMIT 1",
            [point.x, point.y],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    number, street, x, y = row
    return f"{number} {street}", Point(x, y, srid=4326)
