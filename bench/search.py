"""Search benchmark: the staff search selector against a naive scan, on 100k or 1M cameras.

    python bench/search.py [--cameras 100000|1000000] [--repeat 40] [--naive-repeat 5] [--reload]

Fills the bench department (schema ``bench``) with N cameras clustered around a city of
about 37 x 33 km (SQL only: sites, cameras with their field-of-view wedges, consent rows),
then times, for radii 250 m / 1 km / 5 km in both modes (pin, fov):

* ``selector``: ``cameras.geo.cameras_in_area`` as it is (limit 500, nearest first, total);
* ``proposed``: the same contract with KNN ordering, a bounded count and deferred geometry
  (``cameras_in_area_proposed`` below: the code proposed for cameras/geo.py);
* ``naive``: the same search without the spatial index: one SQL statement computing
  ``ST_Distance`` for every camera (``enable_indexscan``/``enable_bitmapscan`` off, so a
  sequential scan), keeping those within the radius, nearest 500 first, with the total.

Each searched centre is drawn from the same distribution as the cameras (searches happen
where people live). Prints a table and writes JSON (default bench/results/search-<N>.json).
"""

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_department, django_setup, environment, summary_ms, table, write_json  # noqa: E402

django_setup()

from django.contrib.gis.db.models.functions import Distance  # noqa: E402
from django.contrib.gis.geos import Point  # noqa: E402
from django.contrib.gis.measure import D  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.contrib.gis.db.models import PointField  # noqa: E402
from django.db.models import FloatField, Func, QuerySet, Value  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from cameras import geo  # noqa: E402
from cameras.models import Camera  # noqa: E402

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
LIMIT = geo.DEFAULT_LIMIT


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
                           date_joined)
SELECT '!bench-unusable', false, 'bench-owner-' || n || '@bench.example.org', 'Bench Owner ' || n, 'resident', '',
       true, false, now()
FROM generate_series(1, %(sites)s) AS n
ON CONFLICT (email) DO NOTHING
"""

_SQL_SITES = """
INSERT INTO cameras_site (id, public_id, kind, name, address, location, parcel_number, permit_number, business_name,
                          property_type, constructed_on, share_contact, police_notes, created_at, updated_at, owner_id)
SELECT %(site_base)s + p.n, gen_random_uuid(), p.kind, '', p.n || ' Bench Street',
       ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography, '', '', '', '', NULL, p.share_contact, '', now(),
       now(), u.id
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
                            updated_at, site_id)
SELECT %(camera_base)s + c.j, gen_random_uuid(), 'Bench camera ' || c.j, c.camera_type,
       CASE WHEN c.u3 < 0.9 THEN 'outside' ELSE 'inside' END, 2.5, c.bearing, c.angle, c.range_m,
       ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)::geography, w.fov,
       CASE WHEN c.u4 < 0.4 THEN ARRAY['street', 'sidewalk'] WHEN c.u4 < 0.7 THEN ARRAY['driveway']
            WHEN c.u4 < 0.9 THEN ARRAY['entrance'] ELSE ARRAY['yard', 'alley'] END::varchar(20)[],
       '1920x1080', 15, 'motion', 30, false, '', '', 'MP4', '',
       CASE WHEN c.u5 < 0.03 THEN 'paused' ELSE 'active' END, now(), now(), %(site_base)s + c.n
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
    rng = random.Random(SEED)
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
        for sequence_table in ("cameras_site", "cameras_camera", "cameras_consentgrant"):
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM " + sequence_table + "))",
                [sequence_table],
            )
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute("ANALYZE cameras_site, cameras_camera, cameras_consentgrant, accounts_user")
        steps["analyze"] = round(time.perf_counter() - start, 2)
    steps["total"] = round(sum(steps.values()), 2)
    print(f"  loaded in {steps['total']:.1f} s", flush=True)
    return steps



# --- The proposed selector --------------------------------------------------------------
# What cameras/geo.py would become (see the README): nearest-first by the GiST index's KNN
# order (``<->``) so that only the returned page is read and joined, the total counted only
# when the page is full and then only up to COUNT_CAP, and the wedge (unused by search
# results) left unread.

MAX_RANGE_M = 500  # Camera.range_m's validator: a wedge reaches at most this far from its pin.
COUNT_CAP = 10_000


class _KnnDistance(Func):
    """``location <-> point``: sphere distance in metres, the order a GiST index scan returns."""

    arg_joiner = " <-> "
    template = "%(expressions)s"
    output_field = FloatField()


def _in_area_proposed(area: geo.Area, mode: str) -> QuerySet[Camera]:
    queryset = geo._in_area(area, mode)
    if mode == "fov":
        # The nearest-first scan runs on the pins; bound it to pins whose wedge can reach the area.
        shape = area.polygon if area.polygon is not None else area.center
        reach = MAX_RANGE_M + (area.radius_m or 0 if area.polygon is None else 0)
        queryset = queryset.filter(location__dwithin=(shape, D(m=reach)))
    return queryset


def cameras_in_area_proposed(*, area: geo.Area, mode: str, limit: int = LIMIT) -> tuple[list[Camera], int]:
    """Cameras in the area, nearest first, at most ``limit``, with the total count
    (exact up to COUNT_CAP; COUNT_CAP means "at least")."""
    queryset = _in_area_proposed(area, mode)
    centre = Value(area.center, output_field=PointField(geography=True, srid=4326))
    cameras = list(
        queryset.select_related("site", "site__owner", "consent")
        .defer("fov", "site__location")
        .annotate(distance=Distance("location", area.center))
        .order_by(_KnnDistance("location", centre), "pk")[:limit]
    )
    total = len(cameras) if len(cameras) < limit else queryset[:COUNT_CAP].count()
    return cameras, total
