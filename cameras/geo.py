"""Geo selectors for staff searches. Only cameras/access.py calls these: they return
camera data, and every staff read of camera data is a gate decision."""

from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.db.models import QuerySet

from .models import Camera

DEFAULT_LIMIT = 500
MAX_RADIUS_M = 10_000


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


def _in_area(area: Area, mode: str) -> QuerySet[Camera]:
    field = "fov" if mode == "fov" else "location"
    if area.polygon is not None:
        return Camera.objects.filter(**{f"{field}__intersects": area.polygon})
    # ST_DWithin on geography, served by the GiST index on the column.
    return Camera.objects.filter(**{f"{field}__dwithin": (area.center, D(m=area.radius_m))})


def cameras_in_area(*, area: Area, mode: str, limit: int = DEFAULT_LIMIT) -> tuple[list[Camera], int]:
    """Cameras in the area, nearest first, at most ``limit``, with the total count."""
    queryset = _in_area(area, mode)
    total = queryset.count()
    cameras = list(
        queryset.select_related("site", "site__owner", "consent")
        .annotate(distance=Distance("location", area.center))
        .order_by("distance", "pk")[:limit]
    )
    return cameras, total  # type: ignore[return-value]


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
