"""The SQL of staff searches: cameras in an area (circle or polygon) and in a map viewport.

Only the gate (cameras/access/search.py) calls the searches: they return camera data, and
every staff read of camera data is a gate decision. (cameras/geometry.py is the other kind
of geography: building the shapes a camera is stored with.)

The area search is the hottest read of the console, so it is written in SQL (three short
statements at most) and returns plain rows, not model instances: at 1M cameras, building
500 Camera/Site/User/ConsentGrant instances with their geometries cost more than the
database (bench/search.py). Distances are on the sphere, as Leaflet draws the officer's
circle (and ~3x cheaper than the spheroid); they differ from the spheroid by at most 0.5 %.
"""

import datetime as dt
import json
import math
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.gis.geos import Point, Polygon
from django.db import connection
from django.utils import timezone

from .addresses import address_for_police, block_template
from .consent import ConsentLevel
from .models import MOBILE_LABEL, CameraStatus, CameraType

DEFAULT_LIMIT = 500
MAX_RADIUS_M = 10_000
# A search counts the cameras in its area up to this many; more reads as "at least COUNT_CAP".
COUNT_CAP = 1_000
MAX_RANGE_M = 500  # Camera.range_m's validator: a wedge reaches at most this far from its pin.
_M_PER_DEG_MIN = 110_000  # a degree of latitude is 110.57-111.69 km: this errs on the large side
_CAMERA_TYPES = dict(CameraType.choices)
_MOBILE_LABEL = MOBILE_LABEL


@dataclass(frozen=True)
class Area:
    """A circle (centre + radius) or a polygon, in WGS 84."""

    center: Point
    radius_m: float | None = None
    polygon: Polygon | None = None

    def as_details(self) -> dict[str, object]:
        if self.polygon is not None:
            return {"shape": "polygon", "coordinates": self.polygon.coords[0], "center": self.center.coords}
        return {"shape": "circle", "center": self.center.coords, "radius_m": self.radius_m}


class SearchRow(NamedTuple):
    """One camera of a search result: what the console, the API and the CSV show, and what
    the gate needs to judge consent. The owner's name, e-mail and address are read from the
    database only when the owner shares them (None otherwise). A named tuple: 500 of them
    are built per search."""

    pk: int
    public_id: uuid.UUID
    camera_type: str
    views: list[str]
    status: str
    lon: float
    lat: float
    distance_m: float
    site_kind: str
    share_contact: bool
    owner_id: int
    contact_name: str | None
    contact_email: str | None
    contact_address: str | None
    consent_level: str | None  # None: no consent row
    consent_windows: list[dict[str, Any]]
    consent_expires_at: dt.datetime | None
    consent_revoked_at: dt.datetime | None
    consent_notify: bool  # the owner asked to be told of every access
    # The site's street address as police may see it: whole when the owner shares contact
    # details, else to the block (cameras.addresses); the house number never leaves here.
    street: str = ""
    # The department's own camera: no owner to ask for footage or to message (the gate refuses).
    department_owned: bool = False
    # A mobile source (body-worn, drone, vehicle): where it is is its last position, reported
    # at ``position_at``; its site's address is only where it is kept (``street`` stays empty).
    mobile: bool = False
    position_at: dt.datetime | None = None

    @property
    def type_label(self) -> str:
        """What an officer reads for the kind of camera (as Camera.kind_label): a mobile source
        says it moves, not the type it is registered as."""
        if self.mobile:
            return str(_MOBILE_LABEL)
        return str(_CAMERA_TYPES.get(self.camera_type, self.camera_type))


# A retired department camera (cameras.department) is kept for the log but is in no search, map
# or dock. PostgreSQL evaluates the subquery once into a hash (a "hashed SubPlan": the retired
# cameras are few) and probes it per row, so the location index's `<->` plan is unchanged.
# (camera_id is NOT NULL, so NOT IN has no NULL trap.)
_IN_SERVICE = "id NOT IN (SELECT camera_id FROM cameras_departmentcamera WHERE retired_at IS NOT NULL)"
# The nearest pins first (a GiST index scan in KNN order; `<->` on geography is the sphere
# distance), with the camera's own columns (its row is read anyway), stopping at COUNT_CAP
# whatever the size of the area. Circles are bounded by a box rather than ST_DWithin:
# PostGIS estimates ST_DWithin(column, point, r) as if r were 0, and on that estimate
# PostgreSQL reads and sorts the whole circle; the box's corners are dropped afterwards.
# (One statement joining the page's sites and consent in a LATERAL was measured slower,
# 12.8 ms against ~8.5 ms for these three: planning and per-row join overhead.)
_NEAREST = (
    """
SELECT id, ST_Distance(location, %(c)s::geography, false), public_id, camera_type, views, status, site_id,
       ST_X(location::geometry), ST_Y(location::geometry), mobile, position_at
FROM cameras_camera WHERE {where} AND {fresh} AND """
    + _IN_SERVICE
    + """ ORDER BY location <-> %(c)s::geography LIMIT %(cap)s
"""
)
# A mobile source (body-worn, drone, vehicle) is where its last position put it only while that
# position is fresh (the policy's mobile_position_max_age_seconds); a stale or never-reported
# one (position_at NULL) is left out. A filter on the rows the location index yields, so the
# plan stays the GiST scan in `<->` order: no index of its own, and fixed cameras pass at once.
_FRESH = "(NOT mobile OR position_at >= %(fresh)s)"
# The page's sites. The owner's contact is read only where the site shares it (the
# subqueries run only when the CASE condition holds); the address is read for every site and
# rounded to its block below, before it leaves this module, unless the site shares it.
_SITES = """
SELECT s.id, s.kind, s.share_contact, s.owner_id,
       CASE WHEN s.share_contact THEN (SELECT u.full_name FROM accounts_user AS u WHERE u.id = s.owner_id) END,
       CASE WHEN s.share_contact THEN (SELECT u.email FROM accounts_user AS u WHERE u.id = s.owner_id) END,
       CASE WHEN s.share_contact THEN s.address END,
       s.address, s.department_owned
FROM cameras_site AS s WHERE s.id = ANY(%(ids)s)
"""
_CONSENT = """
SELECT camera_id, level, windows, expires_at, revoked_at, notify_on_access
FROM cameras_consentgrant WHERE camera_id = ANY(%(ids)s)
"""
_PIN_IN_BOX = "location && %(box)s::geography"
_PIN_IN_POLYGON = "location && %(area)s::geography AND ST_Intersects(location, %(area)s::geography)"
# A wedge reaches at most MAX_RANGE_M from its pin: bound the pins first, then intersect.
_FOV_IN_POLYGON = (
    "ST_DWithin(location, %(area)s::geography, %(reach)s, false) AND ST_Intersects(fov, %(area)s::geography)"
)
# Cameras whose pin is outside the circle but whose wedge reaches in (the wedge index first,
# the polygon distance, ~10 us each, last).
_WEDGES_REACHING_IN = (
    """
SELECT id, ST_Distance(location, %(c)s::geography, false), public_id, camera_type, views, status, site_id,
       ST_X(location::geometry), ST_Y(location::geometry), mobile, position_at
FROM cameras_camera
WHERE fov && %(box)s::geography
  AND (NOT mobile OR position_at >= %(fresh)s)
  AND """
    + _IN_SERVICE
    + """
  AND NOT ST_DWithin(location, %(c)s::geography, %(r)s, false)
  AND ST_DWithin(fov, %(c)s::geography, %(r)s, false)
"""
)


def _envelope(center: Point, radius_m: float) -> str:
    """Points whose box on the sphere (what ``&&`` on geography compares) contains the circle,
    with a margin. A circle that reaches a pole, or spans more than 180 degrees of longitude,
    gets every longitude: near a pole the circle is a cap around it."""
    reach = radius_m * 1.02 + 10
    dlat = reach / _M_PER_DEG_MIN
    south, north = max(-90.0, center.y - dlat), min(90.0, center.y + dlat)
    if south <= -90 or north >= 90:
        return _lonlat_box_cover(-180, south, 180, north)
    # The parallel farthest from the equator is the shortest: a degree of longitude there is
    # the fewest metres.
    dlon = reach / (_M_PER_DEG_MIN * math.cos(math.radians(max(abs(south), abs(north)))))
    if dlon >= 180:
        return _lonlat_box_cover(-180, south, 180, north)
    return _lonlat_box_cover(center.x - dlon, south, center.x + dlon, north)


def _lonlat_box_cover(west: float, south: float, east: float, north: float) -> str:
    """Points whose geocentric (x, y, z) box, which is what ``&&`` and the GiST index on a
    geography column compare, contains every point of the longitude/latitude rectangle
    (west may be below -180 or east above 180: the rectangle then crosses the antimeridian).

    A rectangle as a geography polygon does not do: its edges are great circles, which bow
    towards the pole (a camera just inside the equator-side edge is outside), cannot be 180
    degrees long (PostGIS raises "Antipodal edge") and take the short way round the globe (a
    rectangle wider than 180 degrees becomes its complement).
    """
    # x = cos(lat) cos(lon), y = cos(lat) sin(lon), z = sin(lat), with cos(lat) >= 0: over the
    # rectangle each is largest and smallest at a latitude that is an edge or the one nearest
    # the equator, and a longitude that is an edge or a multiple of 90 degrees.
    lats = {south, north, min(max(0.0, south), north)}
    lons = {west, east} | {90.0 * k for k in range(math.ceil(west / 90), math.floor(east / 90) + 1)}
    wrapped = sorted({(lon + 180) % 360 - 180 for lon in lons})  # -180 and 180 are one meridian
    # As EWKT text (what the query takes): building GEOS points cost ~0.1 ms per search.
    points = ",".join(f"({lon!r} {lat!r})" for lon in wrapped for lat in sorted(lats))
    return f"SRID=4326;MULTIPOINT({points})"


def _rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _matches(area: Area, mode: str, mobile_since: dt.datetime) -> list[tuple[Any, ...]]:
    """The cameras in the area (id, metres, own columns), at most COUNT_CAP, nearest first."""
    params: dict[str, Any] = {"c": area.center.ewkt, "cap": COUNT_CAP, "fresh": mobile_since}
    if area.polygon is not None:
        params.update(area=area.polygon.ewkt, reach=MAX_RANGE_M)
        where = _FOV_IN_POLYGON if mode == "fov" else _PIN_IN_POLYGON
        return _rows(_NEAREST.format(where=where, fresh=_FRESH), params)
    assert area.radius_m is not None
    radius = area.radius_m
    params.update(box=_envelope(area.center, radius), r=radius)
    found = [row for row in _rows(_NEAREST.format(where=_PIN_IN_BOX, fresh=_FRESH), params) if row[1] <= radius]
    if mode == "fov" and len(found) < COUNT_CAP:
        # Every pin in the circle is in `found`; add the wedges that reach in from outside.
        found += _rows(_WEDGES_REACHING_IN, params)
        found = sorted(found, key=lambda row: (row[1], row[0]))[:COUNT_CAP]
    return found


_NO_SITE = ("", False, 0, None, None, None, "", False)
_NO_CONSENT = (None, "[]", None, None, False)


def cameras_in_area(
    *, area: Area, mode: str, mobile_since: dt.datetime, limit: int = DEFAULT_LIMIT
) -> tuple[list[SearchRow], int]:
    """Cameras in the area, nearest first, at most ``limit``, with the total count: exact
    below COUNT_CAP, COUNT_CAP when there are at least that many. A mobile camera counts only
    if its last position is from ``mobile_since`` or later (cameras.mobile.mobile_fresh_since).

    Three statements (four for a field-of-view circle with fewer than COUNT_CAP pins
    inside): the cost follows COUNT_CAP and ``limit``, not the number of cameras in the area
    (bench/search.py measures it).
    """
    found = _matches(area, mode, mobile_since)
    # KNN order is distance order; ties (and the merged wedges) are settled by id.
    page = sorted(found, key=lambda row: (row[1], row[0]))[:limit]
    return _search_rows(page), len(found)


def _search_rows(page: list[tuple[Any, ...]]) -> list[SearchRow]:
    """The page's cameras (id, metres, own columns) as SearchRows, in the page's order: their
    sites and consent read in two statements."""
    if not page:
        return []
    sites = {row[0]: row[1:] for row in _rows(_SITES, {"ids": list({row[6] for row in page})})}
    consent = {row[0]: row[1:] for row in _rows(_CONSENT, {"ids": [row[0] for row in page]})}
    rows = []
    block = block_template()
    for pk, metres, public_id, kind, views, status, site_id, lon, lat, mobile, position_at in page:
        site_kind, share, owner_id, name, email, address, raw_address, department = sites.get(site_id, _NO_SITE)
        level, windows, expires_at, revoked_at, notify = consent.get(pk, _NO_CONSENT)
        if isinstance(windows, str):  # jsonb arrives as text on a raw cursor
            windows = [] if windows == "[]" else json.loads(windows)
        rows.append(
            SearchRow(
                pk,
                public_id,
                kind,
                views or [],
                status,
                lon,
                lat,
                metres,
                site_kind,
                share,
                owner_id,
                name,
                email,
                address,
                level,
                windows,
                expires_at,
                revoked_at,
                notify,
                "" if mobile else address_for_police(raw_address, share_contact=share, template=block),
                department,
                mobile,
                position_at if mobile else None,
            )
        )
    return rows


# An incident's cameras: those whose wedge covers the incident's point, pin within the radius,
# nearest first (the wedge index narrows them; at most MAX_RANGE_M from the pin by validation).
_COVERING_POINT = (
    """
SELECT id, ST_Distance(location, %(c)s::geography, false), public_id, camera_type, views, status, site_id,
       ST_X(location::geometry), ST_Y(location::geometry), mobile, position_at
FROM cameras_camera
WHERE fov && %(c)s::geography AND ST_Covers(fov, %(c)s::geography)
  AND ST_DWithin(location, %(c)s::geography, %(r)s, false)
  AND (NOT mobile OR position_at >= %(fresh)s)
  AND """
    + _IN_SERVICE
    + """
ORDER BY location <-> %(c)s::geography, id LIMIT %(n)s
"""
)


@dataclass(frozen=True)
class IncidentCameras:
    covering: list[SearchRow]  # nearest first: their field of view covers the point
    nearest: list[SearchRow]  # then the nearest other pins within the radius


def cameras_for_incident(
    *, point: Point, radius_m: float, covering: int, limit: int, mobile_since: dt.datetime
) -> IncidentCameras:
    """The cameras docked beside an incident: the ``covering`` nearest whose field of view covers
    ``point`` (pin within ``radius_m``), then the nearest other pins within ``radius_m``, at most
    ``limit`` in all; a mobile source only where its last position is from ``mobile_since`` on.
    Three or four statements, whatever the number of cameras registered."""
    params: dict[str, Any] = {
        "c": point.ewkt,
        "r": radius_m,
        "n": covering,
        "box": _envelope(point, radius_m),
        "cap": limit + covering,
        "fresh": mobile_since,
    }
    seeing = _rows(_COVERING_POINT, params) if covering > 0 else []
    taken = {row[0] for row in seeing}
    pins = [
        row
        for row in _rows(_NEAREST.format(where=_PIN_IN_BOX, fresh=_FRESH), params)
        if row[1] <= radius_m and row[0] not in taken
    ]
    pins = sorted(pins, key=lambda row: (row[1], row[0]))[: max(0, limit - len(seeing))]
    rows = _search_rows(seeing + pins)
    return IncidentCameras(covering=rows[: len(seeing)], nearest=rows[len(seeing) :])


# The viewport as the map draws it: a rectangle in longitude and latitude, compared in the
# plane. The geography index narrows the search to the rectangle's box on the sphere first.
_IN_VIEWPORT = (
    """
SELECT c.public_id, ST_X(c.location::geometry), ST_Y(c.location::geometry),
       g.level, g.expires_at, g.revoked_at, c.status
FROM cameras_camera AS c LEFT JOIN cameras_consentgrant AS g ON g.camera_id = c.id
WHERE c.location && %(cover)s::geography
  AND c.location::geometry && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)
  AND (NOT c.mobile OR c.position_at >= %(fresh)s)
  AND c."""
    + _IN_SERVICE
    + """
LIMIT %(limit)s
"""
)


def cameras_in_bbox(
    *, west: float, south: float, east: float, north: float, mobile_since: dt.datetime, limit: int = 20_000
) -> list[tuple[str, float, float, str]]:
    """(public_id, lon, lat, level) of the cameras in a map viewport, in one query; a mobile
    camera only while its last position is from ``mobile_since`` or later.

    The level is the one in force: revoked or expired consent, or a paused camera, leaves
    police what ``registered`` gives (as cameras.consent decides for every action but locate).
    """
    cover = _lonlat_box_cover(west, south, east, north)
    params = {"cover": cover, "w": west, "s": south, "e": east, "n": north, "limit": limit, "fresh": mobile_since}
    now = timezone.now()
    return [
        (
            str(pid),
            lon,
            lat,
            ConsentLevel.REGISTERED
            if level is None
            or status == CameraStatus.PAUSED
            or (revoked_at is not None and revoked_at <= now)
            or (expires_at is not None and expires_at <= now)
            else level,
        )
        for pid, lon, lat, level, expires_at, revoked_at, status in _rows(_IN_VIEWPORT, params)
    ]
