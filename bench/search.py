"""Search benchmark: the staff search selector against a naive scan, on 100k or 1M cameras.

    python bench/search.py [--cameras 100000|1000000] [--repeat 40] [--naive-repeat 5] [--reload]

Fills the bench department (schema ``bench``) with N cameras clustered around a city of
about 37 x 33 km (SQL only: sites, cameras with their field-of-view wedges, consent rows),
then times, for radii 250 m / 1 km / 5 km in both modes (pin, fov):

* ``selector``: ``cameras.search_sql.cameras_in_area`` as it is (limit 500, nearest first, total
  capped at COUNT_CAP, each result with its site and consent columns);
* ``naive``: the same search without the spatial index: one SQL statement computing
  ``ST_Distance`` (sphere, as the selector) for every camera (``enable_indexscan``/
  ``enable_bitmapscan`` off, so a sequential scan), keeping those within the radius,
  nearest 500 first, with the total.

``--prewarm`` loads the bench department's tables and indexes into PostgreSQL's shared
buffers first (pg_prewarm; a console searched all day keeps its registry in memory). Whether
they fit depends on the server's ``shared_buffers`` (printed with the results): at 1M cameras
the registry is ~1.3 GB, the Debian default is 128 MB.

Each searched centre is drawn from the same distribution as the cameras (searches happen
where people live). Prints a table and writes JSON (default bench/results/search-<N>.json).
"""

import argparse
import datetime as dt
import math
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_department, django_setup, environment, summary_ms, table, write_json

django_setup()

from django.contrib.gis.geos import Point  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from cameras import search_sql  # noqa: E402

# --- The city -------------------------------------------------------------------------

CITY_LON, CITY_LAT = -117.30, 34.08  # centre of the synthetic city
CITY_W_M, CITY_H_M = 37_000, 33_000  # the extent DESIGN.md's figures were measured on
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(CITY_LAT))
DOWNTOWN_SIGMA_M = 3_500  # a dense core ...
NEIGHBOURHOODS = 150  # ... neighbourhood clusters, denser towards the centre ...
NEIGHBOURHOOD_SPREAD_M = 9_000
NEIGHBOURHOOD_SIGMA_M = (300, 1_200)
SHARE_DOWNTOWN, SHARE_NEIGHBOURHOOD = 0.30, 0.55  # ... and the rest spread evenly.
CAMERAS_PER_SITE = 3
SEED = 20240611

RADII_M = (250, 1_000, 5_000)
MODES = ("pin", "fov")
LIMIT = search_sql.DEFAULT_LIMIT


def _neighbourhoods(rng: random.Random) -> list[tuple[float, float, float]]:
    """(lon, lat, sigma_m) of the neighbourhood clusters."""
    out = []
    half_w, half_h = CITY_W_M / 2, CITY_H_M / 2
    while len(out) < NEIGHBOURHOODS:
        x, y = rng.gauss(0, NEIGHBOURHOOD_SPREAD_M), rng.gauss(0, NEIGHBOURHOOD_SPREAD_M)
        if abs(x) <= half_w and abs(y) <= half_h:
            sigma = rng.uniform(*NEIGHBOURHOOD_SIGMA_M)
            out.append((CITY_LON + x / M_PER_DEG_LON, CITY_LAT + y / M_PER_DEG_LAT, sigma))
    return out


def _centres(rng: random.Random, clusters: list[tuple[float, float, float]], count: int) -> list[Point]:
    """Search centres from the cameras' own distribution (the mixture the loader uses)."""
    out = []
    for _ in range(count):
        u = rng.random()
        if u < SHARE_DOWNTOWN:
            lon, lat, sigma = CITY_LON, CITY_LAT, DOWNTOWN_SIGMA_M
        elif u < SHARE_DOWNTOWN + SHARE_NEIGHBOURHOOD:
            lon, lat, sigma = rng.choice(clusters)
        else:
            lon = CITY_LON + rng.uniform(-CITY_W_M / 2, CITY_W_M / 2) / M_PER_DEG_LON
            lat = CITY_LAT + rng.uniform(-CITY_H_M / 2, CITY_H_M / 2) / M_PER_DEG_LAT
            sigma = 0.0
        lon += rng.gauss(0, sigma) / M_PER_DEG_LON if sigma else 0.0
        lat += rng.gauss(0, sigma) / M_PER_DEG_LAT if sigma else 0.0
        out.append(Point(lon, lat, srid=4326))
    return out


# --- Loading ----------------------------------------------------------------------------

# Site points: a mixture of a gaussian downtown, gaussian neighbourhoods and a uniform rest.
# Normal deviates by Box-Muller (PostgreSQL 15 has no random_normal()).
_SQL_POINTS = """
CREATE TEMP TABLE bench_point ON COMMIT DROP AS
SELECT r.n,
       CASE WHEN r.u_mix < %(share_dt)s THEN %(lon)s + g.gx * %(sigma_dt)s / %(m_lon)s
            WHEN r.u_mix < %(share_dt)s + %(share_nb)s THEN c.lon + g.gx * c.sigma_m / %(m_lon)s
            ELSE %(lon)s + (r.u3 - 0.5) * %(width)s / %(m_lon)s END AS lon,
       CASE WHEN r.u_mix < %(share_dt)s THEN %(lat)s + g.gy * %(sigma_dt)s / %(m_lat)s
            WHEN r.u_mix < %(share_dt)s + %(share_nb)s THEN c.lat + g.gy * c.sigma_m / %(m_lat)s
            ELSE %(lat)s + (r.u4 - 0.5) * %(height)s / %(m_lat)s END AS lat,
       CASE WHEN r.u5 < 0.74 THEN 'residential' WHEN r.u5 < 0.88 THEN 'business'
            WHEN r.u5 < 0.95 THEN 'multifamily' WHEN r.u5 < 0.97 THEN 'school'
            WHEN r.u5 < 0.98 THEN 'place_of_worship' ELSE 'other' END AS kind,
       r.u6 < 0.3 AS share_contact
FROM (
    SELECT n, random() AS u_mix, random() AS u1, random() AS u2, random() AS u3, random() AS u4,
           random() AS u5, random() AS u6, 1 + floor(random() * %(clusters)s)::int AS k
    FROM generate_series(1, %(sites)s) AS n
) AS r
JOIN bench_cluster AS c ON c.k = r.k
CROSS JOIN LATERAL (
    SELECT sqrt(-2 * ln(1 - r.u1)) * cos(2 * pi() * r.u2) AS gx,
           sqrt(-2 * ln(1 - r.u1)) * sin(2 * pi() * r.u2) AS gy
) AS g;
ALTER TABLE bench_point ADD PRIMARY KEY (n);
"""

_SQL_OWNERS = """
INSERT INTO accounts_user (password, is_superuser, email, full_name, role, badge_number, is_active, is_staff,
                           date_joined, language, compliance_duty)
SELECT '!bench-unusable', false, 'bench-owner-' || n || '@bench.example.org', 'Bench Owner ' || n, 'resident', '',
       true, false, now(), '', false
FROM generate_series(1, %(sites)s) AS n
ON CONFLICT (email) DO NOTHING
"""

_SQL_SITES = """
INSERT INTO cameras_site (id, public_id, kind, name, address, location, parcel_number, permit_number, business_name,
                          property_type, constructed_on, share_contact, police_notes, created_at, updated_at, owner_id,
                          business_category, department_owned)
SELECT %(site_base)s + p.n, gen_random_uuid(), p.kind, '', p.n || ' Bench Street',
       ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography, '', '', '', '', NULL, p.share_contact, '', now(),
       now(), u.id, '', false
FROM bench_point AS p
JOIN accounts_user AS u ON u.email = 'bench-owner-' || p.n || '@bench.example.org'
"""

# Cameras: the site's point, a type with a typical angle and range, a random bearing, and
# the field-of-view wedge built as cameras/geometry.py builds it (apex, arc of
# max(2, ceil(24 * angle / 180)) steps, apex; 48 points for a 360-degree disc).
_SQL_CAMERAS = """
INSERT INTO cameras_camera (id, public_id, label, camera_type, placement, mount_height_m, bearing_deg, fov_angle_deg,
                            range_m, location, fov, views, resolution, frame_rate, recording_mode, retention_days,
                            audio, recorder_make, recorder_model, export_format, snapshot, status, created_at,
                            updated_at, site_id, mobile, privacy_masks)
SELECT %(camera_base)s + c.j, gen_random_uuid(), 'Bench camera ' || c.j, c.camera_type,
       CASE WHEN c.u3 < 0.9 THEN 'outside' ELSE 'inside' END, 2.5, c.bearing, c.angle, c.range_m,
       ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)::geography, w.fov,
       CASE WHEN c.u4 < 0.4 THEN ARRAY['street', 'sidewalk'] WHEN c.u4 < 0.7 THEN ARRAY['driveway']
            WHEN c.u4 < 0.9 THEN ARRAY['entrance'] ELSE ARRAY['yard', 'alley'] END::varchar(20)[],
       '1920x1080', 15, 'motion', 30, false, '', '', 'MP4', '',
       CASE WHEN c.u5 < 0.03 THEN 'paused' ELSE 'active' END, now(), now(), %(site_base)s + c.n, false, '[]'
FROM (
    SELECT t.*, p.lon, p.lat, p.n,
           CASE t.camera_type WHEN 'doorbell' THEN 150 + floor(t.u1 * 30) WHEN 'fixed' THEN 60 + floor(t.u1 * 50)
                WHEN 'dome' THEN 100 + floor(t.u1 * 20) WHEN 'ptz' THEN 360 ELSE 90 END::int AS angle,
           CASE t.camera_type WHEN 'doorbell' THEN 8 + floor(t.u2 * 8) WHEN 'fixed' THEN 15 + floor(t.u2 * 26)
                WHEN 'dome' THEN 10 + floor(t.u2 * 21) WHEN 'ptz' THEN 30 + floor(t.u2 * 51)
                ELSE 10 + floor(t.u2 * 21) END::int AS range_m
    FROM (
        SELECT j, (j - 1) / %(per_site)s + 1 AS site_n, floor(random() * 360)::int AS bearing,
               random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5,
               CASE WHEN u < 0.35 THEN 'doorbell' WHEN u < 0.70 THEN 'fixed' WHEN u < 0.90 THEN 'dome'
                    WHEN u < 0.95 THEN 'ptz' ELSE 'other' END AS camera_type
        FROM (SELECT j, random() AS u FROM generate_series(1, %(cameras)s) AS j) AS s
    ) AS t
    JOIN bench_point AS p ON p.n = t.site_n
) AS c
CROSS JOIN LATERAL (
    SELECT ST_MakePolygon(ST_MakeLine(q.pt ORDER BY q.i))::geography AS fov
    FROM (
        SELECT -1 AS i, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326) AS pt WHERE c.angle < 360
        UNION ALL
        SELECT k.i, ST_SetSRID(ST_MakePoint(c.lon + c.range_m * sin(radians(k.dir)) / %(m_lon_cam)s,
                                            c.lat + c.range_m * cos(radians(k.dir)) / %(m_lat)s), 4326)
        FROM (
            SELECT i, CASE WHEN c.angle >= 360 THEN 360.0 * (i %% 48) / 48
                           ELSE c.bearing - c.angle / 2.0 + c.angle * i / s.steps::float8 END AS dir
            FROM (SELECT CASE WHEN c.angle >= 360 THEN 48 ELSE greatest(2, ceil(24 * c.angle / 180.0))::int END
                         AS steps) AS s,
                 generate_series(0, s.steps) AS i
        ) AS k
        UNION ALL
        SELECT 1000, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326) WHERE c.angle < 360
    ) AS q
) AS w
"""

_SQL_CONSENT = """
INSERT INTO cameras_consentgrant (level, windows, expires_at, max_live_minutes, notify_on_access, granted_at,
                                  revoked_at, camera_id)
SELECT CASE WHEN u < 0.40 THEN 'registered' WHEN u < 0.80 THEN 'on_request' WHEN u < 0.95 THEN 'live_exigent'
            ELSE 'live' END,
       '[]'::jsonb, NULL, NULL, false, now(), CASE WHEN u2 < 0.02 THEN now() END, id
FROM (SELECT id, random() AS u, random() AS u2 FROM cameras_camera WHERE id > %(camera_base)s) AS c
"""


def _loaded_cameras() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cameras_camera WHERE label LIKE 'Bench camera %%'")
        return int(cursor.fetchone()[0])


def load(cameras: int) -> dict[str, Any]:
    """Replace the bench registry with ``cameras`` synthetic cameras, in one transaction."""
    rng = random.Random(SEED)  # noqa: S311 (synthetic data, not secrets)
    clusters = _neighbourhoods(rng)
    sites = math.ceil(cameras / CAMERAS_PER_SITE)
    params = {
        "lon": CITY_LON,
        "lat": CITY_LAT,
        "m_lon": M_PER_DEG_LON,
        "m_lat": M_PER_DEG_LAT,
        # cameras/geometry.py scales longitude at each camera's own latitude; at camera ranges
        # the city-centre scale differs by < 0.1 %.
        "m_lon_cam": M_PER_DEG_LON,
        "width": CITY_W_M,
        "height": CITY_H_M,
        "sigma_dt": DOWNTOWN_SIGMA_M,
        "share_dt": SHARE_DOWNTOWN,
        "share_nb": SHARE_NEIGHBOURHOOD,
        "clusters": len(clusters),
        "sites": sites,
        "cameras": cameras,
        "per_site": CAMERAS_PER_SITE,
    }
    steps: dict[str, float] = {}

    def step(name: str, sql: str) -> None:
        start = time.perf_counter()
        cursor.execute(sql, params)
        steps[name] = round(time.perf_counter() - start, 2)
        print(f"  {name}: {steps[name]:.1f} s", flush=True)

    print(f"loading {cameras:,} cameras on {sites:,} sites ...", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [0.5])
        start = time.perf_counter()
        # The bench registry only: cascades to consent and any footage or live rows of it.
        cursor.execute("TRUNCATE cameras_consentgrant, cameras_camera, cameras_site CASCADE")
        steps["truncate"] = round(time.perf_counter() - start, 2)
        cursor.execute("CREATE TEMP TABLE bench_cluster (k int PRIMARY KEY, lon float8, lat float8, sigma_m float8)")
        cursor.executemany(
            "INSERT INTO bench_cluster VALUES (%s, %s, %s, %s)",
            [(k, lon, lat, sigma) for k, (lon, lat, sigma) in enumerate(clusters, start=1)],
        )
        step("points", _SQL_POINTS)
        step("owners", _SQL_OWNERS)
        cursor.execute("SELECT coalesce(max(id), 0) FROM cameras_site")
        params["site_base"] = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM cameras_camera")
        params["camera_base"] = cursor.fetchone()[0]
        # Rebuilding the secondary indexes after the insert is several times faster than
        # maintaining them row by row; all in this transaction, so an interrupted load
        # leaves the schema as it was.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN "
            "('cameras_site', 'cameras_camera', 'cameras_consentgrant') AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace)"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        step("sites", _SQL_SITES)
        step("cameras", _SQL_CAMERAS)
        step("consent", _SQL_CONSENT)
        start = time.perf_counter()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred foreign keys now
        steps["foreign_keys"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        steps["indexes"] = round(time.perf_counter() - start, 2)
        print(f"  indexes: {steps['indexes']:.1f} s", flush=True)
        # The ids were given explicitly: move the identity sequences past them.
        cursor.execute("SELECT setval(pg_get_serial_sequence('cameras_site', 'id'), max(id)) FROM cameras_site")
        cursor.execute("SELECT setval(pg_get_serial_sequence('cameras_camera', 'id'), max(id)) FROM cameras_camera")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cameras_consentgrant', 'id'), max(id)) FROM cameras_consentgrant"
        )
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute("ANALYZE cameras_site, cameras_camera, cameras_consentgrant, accounts_user")
        steps["analyze"] = round(time.perf_counter() - start, 2)
    steps["total"] = round(sum(steps.values()), 2)
    print(f"  loaded in {steps['total']:.1f} s", flush=True)
    return steps


COUNT_CAP = search_sql.COUNT_CAP


# --- The naive baseline -----------------------------------------------------------------
# The same search without the spatial index: ST_Distance computed for every camera (a
# sequential scan, which PostgreSQL may run with parallel workers), those within the radius
# kept, nearest first, the page and the total in one statement. It returns ids and distances
# only, not model instances, so it flatters the baseline a little.

_SQL_NAIVE = """
SELECT id, d, count(*) OVER () FROM (
    SELECT id, ST_Distance(location, %(c)s::geography, false) AS d, {within} AS within FROM cameras_camera
) AS s
WHERE within <= %(r)s
ORDER BY d, id
LIMIT %(limit)s
"""


def cameras_in_area_naive(*, area: search_sql.Area, mode: str, limit: int = LIMIT) -> tuple[list[int], int]:
    within = (
        "ST_Distance(fov, %(c)s::geography, false)"
        if mode == "fov"
        else "ST_Distance(location, %(c)s::geography, false)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL jit TO DEFAULT")  # the server's own settings, whatever the session's
        cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")
        cursor.execute(_SQL_NAIVE.format(within=within), {"c": area.center.ewkt, "r": area.radius_m, "limit": limit})
        rows = cursor.fetchall()
    return [row[0] for row in rows], (rows[0][2] if rows else 0)


# The other naive scan the issue names: every camera's pin read into Python and its distance
# computed there (haversine on the same sphere as PostGIS: the WGS 84 mean radius), those
# within the radius kept, nearest first. Pins only: a wedge's distance on the sphere is not
# a few lines of Python, and the SQL scan is the stricter baseline anyway. It reads plain
# tuples through one cursor, not model instances (~20x slower): a fair Python scan, not a
# strawman.
_SQL_ALL_PINS = "SELECT id, ST_X(location::geometry), ST_Y(location::geometry) FROM cameras_camera"
_SPHERE_RADIUS_M = 6_371_008.771415  # (2a + b) / 3 of WGS 84, what ST_Distance(..., false) uses


def cameras_in_area_naive_python(*, area: search_sql.Area, mode: str, limit: int = LIMIT) -> tuple[list[int], int]:
    assert mode == "pin"
    assert area.radius_m is not None
    lon0, lat0 = math.radians(area.center.x), math.radians(area.center.y)
    cos_lat0, radius = math.cos(lat0), area.radius_m
    with connection.cursor() as cursor:
        cursor.execute(_SQL_ALL_PINS)
        pins = cursor.fetchall()
    hits = []
    for pk, lon, lat in pins:
        phi = math.radians(lat)
        h = math.sin((phi - lat0) / 2) ** 2 + cos_lat0 * math.cos(phi) * math.sin((math.radians(lon) - lon0) / 2) ** 2
        metres = 2 * _SPHERE_RADIUS_M * math.asin(math.sqrt(h))
        if metres <= radius:
            hits.append((metres, pk))
    hits.sort()
    return [pk for _, pk in hits[:limit]], len(hits)


# --- Measuring ---------------------------------------------------------------------------

# Proposed for the web connections (config/settings/base.py OPTIONS, see the README): PostGIS
# declares its functions very costly, so plans of small queries pass jit_above_cost and get
# compiled (20-60 ms), and the planner starts parallel workers (5-30 ms on 2 busy cores); with
# the default random_page_cost (4, for spinning disks) it joins a 500-row page by hashing whole
# tables (seq scans of 100,000 consent rows) rather than by 500 index lookups.
OLTP_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0", "random_page_cost": "1.1"}

Searcher = Callable[..., tuple[list[Any], int]]


def cameras_in_area_selector(*, area: search_sql.Area, mode: str, limit: int = LIMIT) -> tuple[list[Any], int]:
    """The selector as the gate calls it: mobile cameras only with a fresh position (the
    default policy's five minutes; the loaded cameras are fixed, so this filters nothing)."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=300)
    return search_sql.cameras_in_area(area=area, mode=mode, mobile_since=since, limit=limit)


# name -> (function, run with OLTP_SETTINGS)
VARIANTS: dict[str, tuple[Searcher, bool]] = {
    "selector": (cameras_in_area_selector, False),
    "naive": (cameras_in_area_naive, False),
    "naive-py": (cameras_in_area_naive_python, False),
}
NAIVE = ("naive", "naive-py")
PY_MODES = ("pin",)  # the modes naive-py runs


class _DbTimer:
    """Time spent in cursor.execute (the database, plus transfer of the rows)."""

    def __init__(self) -> None:
        self.ns = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ns += time.perf_counter_ns() - start


def _session(settings: dict[str, str] | None) -> None:
    """Apply (or, with None, reset) session settings; not timed."""
    with connection.cursor() as cursor:
        for name in OLTP_SETTINGS:
            if settings is None:
                cursor.execute(f"RESET {name}")
            else:
                cursor.execute("SELECT set_config(%s, %s, false)", [name, settings[name]])


def _ids(found: list[Any]) -> list[int]:
    return [c if isinstance(c, int) else c.pk for c in found]


def measure(
    centres: list[Point], *, repeat: int, naive_repeat: int, budget_s: float, all_oltp: bool
) -> list[dict[str, Any]]:
    """Every variant on the same centres, interleaved (so that background load hits all
    alike); a variant stops early once it has used ``budget_s`` seconds (at least 5 runs)."""
    cells = []
    timer = _DbTimer()

    def run(name: str, area: search_sql.Area, mode: str) -> tuple[int, int, list[Any], int]:
        search, oltp = VARIANTS[name]
        _session(OLTP_SETTINGS if (oltp or all_oltp) else None)
        timer.ns = 0
        start = time.perf_counter_ns()
        found, total = search(area=area, mode=mode, limit=LIMIT)
        return time.perf_counter_ns() - start, timer.ns, found, total

    with connection.execute_wrapper(timer):
        for radius in RADII_M:
            for mode in MODES:
                samples: dict[str, list[int]] = {name: [] for name in VARIANTS}
                db: dict[str, list[int]] = {name: [] for name in VARIANTS}
                totals: dict[str, list[int]] = {name: [] for name in VARIANTS}
                returned: dict[str, list[int]] = {name: [] for name in VARIANTS}
                same_page = dict.fromkeys(VARIANTS, 0)
                compared = dict.fromkeys(VARIANTS, 0)
                for name in VARIANTS:  # warm-up, not timed
                    if name not in NAIVE:
                        run(name, search_sql.Area(center=centres[-1], radius_m=radius), mode)
                for i in range(repeat):
                    area = search_sql.Area(center=centres[i % len(centres)], radius_m=radius)
                    reference: list[int] | None = None
                    for name in VARIANTS:
                        wanted = naive_repeat if name in NAIVE else repeat
                        if name == "naive-py" and mode not in PY_MODES:
                            continue
                        if i >= wanted or (sum(samples[name]) / 1e9 > budget_s and len(samples[name]) >= 5):
                            continue
                        elapsed, in_db, found, total = run(name, area, mode)
                        samples[name].append(elapsed)
                        db[name].append(in_db)
                        totals[name].append(total)
                        returned[name].append(len(found))
                        ids = _ids(found)
                        if name == "selector":
                            reference = ids
                        elif reference is not None:
                            compared[name] += 1
                            same_page[name] += ids == reference
                for name in VARIANTS:
                    if not samples[name]:
                        continue
                    stats = summary_ms(samples[name])
                    cells.append(
                        {
                            "radius_m": radius,
                            "mode": mode,
                            "variant": name,
                            **stats,
                            "db_p50_ms": summary_ms(db[name])["p50_ms"],
                            "returned_mean": round(sum(returned[name]) / max(1, len(returned[name])), 1),
                            "total_mean": round(sum(totals[name]) / max(1, len(totals[name])), 1),
                            "same_page_as_selector": f"{same_page[name]}/{compared[name]}" if compared[name] else "",
                        }
                    )
                    print(
                        f"  {radius:>5} m {mode:<3} {name:<17} n={stats['n']:<3} p50={stats['p50_ms']:.1f} ms",
                        flush=True,
                    )
    _session(None)
    by_key = {(c["radius_m"], c["mode"], c["variant"]): c for c in cells}
    for cell in cells:
        for baseline, key in (("naive", "naive_over_this"), ("naive-py", "naive_py_over_this")):
            naive = by_key.get((cell["radius_m"], cell["mode"], baseline))
            ratio = naive["p50_ms"] / cell["p50_ms"] if naive and cell["variant"] not in NAIVE else None
            cell[key] = round(ratio, 1) if ratio else None
    return cells


def _prewarm() -> int | None:
    """Load the bench schema's camera, site, consent and user tables and their indexes into
    shared buffers (pg_prewarm); the number of pages, or None without the extension."""
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm SCHEMA public")
        except Exception as exc:  # not a superuser, or contrib missing: measure without it
            print(f"  no prewarm: {exc}".strip(), flush=True)
            return None
        cursor.execute(
            "SELECT coalesce(sum(public.pg_prewarm(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
            "AND c.relkind IN ('r', 'i') AND (c.relname LIKE 'cameras_%%' OR c.relname LIKE 'accounts_user%%')"
        )
        pages = int(cursor.fetchone()[0])
    print(f"  prewarmed {pages:,} pages", flush=True)
    return pages


def _load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def wait_for_quiet(seconds: float, threshold: float = 0.7) -> list[float]:
    """Wait up to ``seconds`` for the 1-minute load average to fall below ``threshold``
    (other processes on a 2-core machine skew every figure); returns the load average."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _load_average() and _load_average()[0] >= threshold:
        time.sleep(5)
    return _load_average()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=100_000, help="cameras in the bench department")
    parser.add_argument("--repeat", type=int, default=40, help="searches per radius and mode (distinct centres)")
    parser.add_argument("--naive-repeat", type=int, default=5, help="naive scans per radius and mode")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per variant per cell before it stops")
    parser.add_argument(
        "--limit", type=int, default=search_sql.DEFAULT_LIMIT, help="page size (default: the selector's, 500)"
    )
    parser.add_argument("--reload", action="store_true", help="reload even if the department has N cameras")
    parser.add_argument("--oltp", action="store_true", help="run every variant but naive with OLTP_SETTINGS")
    parser.add_argument("--prewarm", action="store_true", help="load the bench tables into shared buffers first")
    parser.add_argument("--quiet-wait", type=float, default=0, help="wait up to S seconds for a quiet machine")
    parser.add_argument("--json", help="where to write the results (default bench/results/search-<N>.json)")
    args = parser.parse_args()
    global LIMIT
    LIMIT = args.limit

    department = bench_department()
    load_steps: dict[str, float] = {}
    with tenant_context(department):
        loaded = _loaded_cameras()
        if args.reload or loaded != args.cameras:
            load_steps = load(args.cameras)
        else:
            print(f"bench department already holds {loaded:,} cameras (--reload to rebuild)")
        rng = random.Random(SEED + 1)  # noqa: S311
        clusters = _neighbourhoods(random.Random(SEED))  # noqa: S311
        centres = _centres(rng, clusters, max(args.repeat, args.naive_repeat, 1))
        prewarmed = _prewarm() if args.prewarm else None
        load_before = wait_for_quiet(args.quiet_wait) if args.quiet_wait else _load_average()
        print(f"measuring (load average {load_before}) ...", flush=True)
        started = time.perf_counter()
        cells = measure(
            centres, repeat=args.repeat, naive_repeat=args.naive_repeat, budget_s=args.budget, all_oltp=args.oltp
        )
        elapsed = time.perf_counter() - started
        env = environment()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather'), "
                "current_setting('shared_buffers')"
            )
            jit, workers, shared_buffers = cursor.fetchone()
            env["server_jit"], env["server_max_parallel_workers_per_gather"] = jit, workers
            env["shared_buffers"], env["prewarmed_pages"] = shared_buffers, prewarmed

    headers = [
        "radius",
        "mode",
        "variant",
        "n",
        "returned",
        "total",
        "p50 ms",
        "p99 ms",
        "db p50",
        "naive/this",
        "py/this",
        "page",
    ]
    rows = [
        [
            f"{c['radius_m']:,} m",
            c["mode"],
            c["variant"],
            c["n"],
            c["returned_mean"],
            c["total_mean"],
            c["p50_ms"],
            c["p99_ms"],
            c["db_p50_ms"],
            c["naive_over_this"] if c["naive_over_this"] is not None else float("nan"),
            c["naive_py_over_this"] if c["naive_py_over_this"] is not None else float("nan"),
            c["same_page_as_selector"],
        ]
        for c in cells
    ]
    print()
    print(
        f"Search, {args.cameras:,} cameras, page {LIMIT}, count cap {COUNT_CAP:,}; "
        f"load average {load_before} -> {_load_average()}; {'all with' if args.oltp else 'server'} settings; "
        f"shared_buffers {env['shared_buffers']}, prewarmed pages {env['prewarmed_pages']}"
    )
    print(table(headers, rows))
    print(
        "returned/total: means; db: time inside cursor.execute; naive/this: naive p50 / this p50;\n"
        "py/this: naive-py (the scan in Python, pins only) p50 / this p50;\n"
        "page: searches whose page (ids, in order) equals the current selector's"
    )
    targets = []
    for name in VARIANTS:
        if name in NAIVE:
            continue
        for mode in MODES:
            cell = next(c for c in cells if (c["radius_m"], c["mode"], c["variant"]) == (1_000, mode, name))
            targets.append(
                {
                    "variant": name,
                    "mode": mode,
                    "p50_ms": cell["p50_ms"],
                    "db_p50_ms": cell["db_p50_ms"],
                    "p50_under_10ms": cell["p50_ms"] < 10,
                    "naive_over_this": cell["naive_over_this"],
                    "naive_py_over_this": cell["naive_py_over_this"],
                    "at_least_500x": (cell["naive_over_this"] or 0) >= 500,
                    "at_least_500x_python": (cell["naive_py_over_this"] or 0) >= 500,
                }
            )
    print(
        "\nTargets at 1 km (stated for 1M cameras): p50 < 10 ms, and >= 500x faster than the naive scan"
        " (SQL; in Python for pins)"
    )
    for t in targets:
        fast = "met" if t["p50_under_10ms"] else "NOT met"
        ratio = "met" if t["at_least_500x"] else "NOT met"
        line = f"  {t['variant']:<17} {t['mode']:<3} p50 {t['p50_ms']:7.1f} ms {fast:<7}"
        line += f"  SQL {t['naive_over_this']}x {ratio}"
        if t["naive_py_over_this"] is not None:
            py = "met" if t["at_least_500x_python"] else "NOT met"
            line += f"; Python {t['naive_py_over_this']}x {py}"
        print(line)
    payload = {
        "benchmark": "search",
        "cameras": args.cameras,
        "page": LIMIT,
        "count_cap": COUNT_CAP,
        "repeat": args.repeat,
        "naive_repeat": args.naive_repeat,
        "budget_s": args.budget,
        "oltp_settings": OLTP_SETTINGS,
        "all_with_oltp_settings": args.oltp,
        "naive": "SQL: ST_Distance (sphere) for every camera with index and bitmap scans off (a sequential scan, "
        "parallel as the server allows), nearest 500 and count(*) over () in one statement; ids and "
        "distances only, server default settings",
        "naive_py": "Python: id and pin of every camera through one cursor, haversine on the WGS 84 mean sphere, "
        "nearest 500 and the count; pins only",
        "load_s": load_steps,
        "measure_s": round(elapsed, 1),
        "load_average_before": load_before,
        "load_average_after": _load_average(),
        "environment": env,
        "cells": cells,
        "targets_1km": targets,
    }
    suffix = ("-oltp" if args.oltp else "") + (f"-limit{LIMIT}" if LIMIT != search_sql.DEFAULT_LIMIT else "")
    path = write_json(args.json, f"search-{args.cameras}{suffix}", payload)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
