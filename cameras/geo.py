"""Geo selectors for staff searches. Only cameras/access.py calls these: they return
camera data, and every staff read of camera data is a gate decision."""

import math
from dataclasses import dataclass

from django.contrib.gis.db.models import PointField
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.db.models import FloatField, Func, QuerySet, Value

from .models import Camera

DEFAULT_LIMIT = 500
MAX_RADIUS_M = 10_000
# A search counts the cameras in its area up to this many; more reads as "at least COUNT_CAP".
COUNT_CAP = 1_000
MAX_RANGE_M = 500  # Camera.range_m's validator: a wedge reaches at most this far from its pin.
_M_PER_DEG_MIN = 110_000  # a degree of latitude is 110.57-111.69 km: this errs on the large side
# The columns search results use (access._hit, the console's list, map and CSV, the API).
RESULT_FIELDS = (
    "public_id",
    "camera_type",
    "views",
    "status",
    "location",
    "site__kind",
    "site__share_contact",
    "site__address",
    "site__owner__full_name",
    "site__owner__email",
    "consent__camera",
    "consent__level",
    "consent__windows",
    "consent__expires_at",
    "consent__revoked_at",
    "consent__notify_on_access",
)


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


class _KnnDistance(Func):
    """``location <-> point``: sphere distance in metres, the order a GiST index scan returns."""

    arg_joiner = " <-> "
    template = "%(expressions)s"
    output_field = FloatField()


class _Metres(Func):
    """ST_Distance on geography (spheroid, metres) as a plain float."""

    function = "ST_Distance"
    output_field = FloatField()


def _envelope(center: Point, radius_m: float) -> Polygon:
    """A longitude/latitude rectangle that contains the circle (with a margin)."""
    reach = radius_m * 1.02 + 10
    dlat = reach / _M_PER_DEG_MIN
    dlon = reach / (_M_PER_DEG_MIN * math.cos(math.radians(min(89.0, abs(center.y) + dlat))))
    box = Polygon.from_bbox((center.x - dlon, center.y - dlat, center.x + dlon, center.y + dlat))
    box.srid = 4326
    return box


def _nearest(queryset: QuerySet[Camera], centre: Value) -> list[tuple[int, float]]:
    """(id, metres) of the first COUNT_CAP cameras of ``queryset``, nearest pin first: one
    GiST index scan in KNN order that stops at the cap, whatever the size of the area."""
    return list(
        queryset.annotate(distance_m=_Metres("location", centre))
        .order_by(_KnnDistance("location", centre))
        .values_list("pk", "distance_m")[:COUNT_CAP]
    )


def _matches(area: Area, mode: str, centre: Value) -> list[tuple[int, float]]:
    """(id, metres) of the cameras in the area, at most COUNT_CAP of them, nearest first."""
    cameras = Camera.objects.all()
    if area.polygon is not None:
        if mode == "fov":
            # Bound the scan on the pins to those whose wedge can reach the polygon.
            cameras = cameras.filter(location__dwithin=(area.polygon, D(m=MAX_RANGE_M)))
            return _nearest(cameras.filter(fov__intersects=area.polygon), centre)
        return _nearest(cameras.filter(location__intersects=area.polygon), centre)
    assert area.radius_m is not None
    radius = area.radius_m
    box = _envelope(area.center, radius)
    # Circles are bounded by a box, not ST_DWithin: PostGIS estimates ST_DWithin(column, point, r)
    # as if r were 0, and on that estimate PostgreSQL reads and sorts the whole circle. The
    # box's corners come last in nearest-first order; they are dropped here.
    found = [(pk, d) for pk, d in _nearest(cameras.filter(location__bboverlaps=box), centre) if d <= radius]
    if mode == "fov" and len(found) < COUNT_CAP:
        # Every pin in the circle is in `found`; add the cameras outside whose wedge reaches in,
        # found by the wedge index (the polygon distance, ~10 us each, is tested last).
        found += list(
            cameras.filter(fov__bboverlaps=box)
            .filter(location__distance_gt=(area.center, D(m=radius)))
            .filter(fov__distance_lte=(area.center, D(m=radius)))
            .annotate(distance_m=_Metres("location", centre))
            .values_list("pk", "distance_m")
        )
        found = sorted(found, key=lambda row: (row[1], row[0]))[:COUNT_CAP]
    return found


def cameras_in_area(*, area: Area, mode: str, limit: int = DEFAULT_LIMIT) -> tuple[list[Camera], int]:
    """Cameras in the area, nearest first, at most ``limit``, with the total count: exact
    below COUNT_CAP, COUNT_CAP when there are at least that many.

    The cost follows COUNT_CAP and ``limit``, not the number of cameras in the area
    (bench/search.py measures it).
    """
    centre = Value(area.center, output_field=PointField(geography=True, srid=4326))
    found = _matches(area, mode, centre)
    page = sorted(found, key=lambda row: (row[1], row[0]))[:limit]
    by_pk = (
        Camera.objects.select_related("site", "site__owner", "consent")
        .only(*RESULT_FIELDS)
        .order_by()
        .in_bulk([pk for pk, _ in page])
    )
    cameras = []
    for pk, metres in page:
        camera = by_pk[pk]
        camera.distance = D(m=metres)  # type: ignore[attr-defined]
        cameras.append(camera)
    return cameras, len(found)


def cameras_in_bbox(
    *, west: float, south: float, east: float, north: float, limit: int = 20_000
) -> list[tuple[str, float, float, str]]:
    """(public_id, lon, lat, level) of the cameras in a map viewport, in one query."""
    box = Polygon.from_bbox((west, south, east, north))
    box.srid = 4326
    rows = Camera.objects.filter(location__intersects=box).values_list(
        "public_id", "location", "consent__level", "consent__revoked_at", "status"
    )[:limit]
    return [
        (str(pid), loc.x, loc.y, "registered" if (revoked or status == "paused") else level)
        for pid, loc, level, revoked, status in rows
    ]
