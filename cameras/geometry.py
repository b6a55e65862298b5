"""Field-of-view wedges: the area a camera sees, as a polygon in WGS 84."""

import math

from django.contrib.gis.geos import Point, Polygon

_METRES_PER_DEGREE_LAT = 111_320.0


def fov_wedge(*, lon: float, lat: float, bearing: float, angle: float, range_m: float, segments: int = 24) -> Polygon:
    """A wedge from the camera at (lon, lat), centred on ``bearing`` (degrees clockwise from
    north), ``angle`` degrees wide and ``range_m`` metres deep; 360° gives a disc.

    A local equirectangular projection is exact enough at camera ranges (< 1 km).
    """
    metres_per_degree_lon = _METRES_PER_DEGREE_LAT * math.cos(math.radians(lat))

    def offset(direction: float) -> tuple[float, float]:
        theta = math.radians(direction)
        return (
            lon + range_m * math.sin(theta) / metres_per_degree_lon,
            lat + range_m * math.cos(theta) / _METRES_PER_DEGREE_LAT,
        )

    if angle >= 360:
        ring = [offset(360 * i / (segments * 2)) for i in range(segments * 2)]
        ring.append(ring[0])
    else:
        start = bearing - angle / 2
        steps = max(2, math.ceil(segments * angle / 180))
        arc = [offset(start + angle * i / steps) for i in range(steps + 1)]
        ring = [(lon, lat), *arc, (lon, lat)]
    return Polygon(ring, srid=4326)


def point(lon: float, lat: float) -> Point:
    return Point(lon, lat, srid=4326)
