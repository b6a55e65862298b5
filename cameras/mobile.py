"""Mobile sources (body-worn cameras, drones, patrol-car cameras): where they are now.

A mobile camera is the department's property (its site is ``department_owned``) whose
``location`` and ``fov`` follow the positions its bridge reports (live.positions checks the
message and the bridge, then calls :func:`camera_position_move`). A search finds it only while
its last position is fresher than the policy's ``mobile_position_max_age_seconds``
(:func:`mobile_fresh_since`, used by cameras.search_sql).
"""

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from .geometry import fov_wedge
from .models import Camera

__all__ = ["Move", "Moved", "camera_position_move", "distance_m", "mobile_fresh_since"]

_EARTH_RADIUS_M = 6_371_008.8  # mean radius: the sphere PostGIS's `<->` on geography uses


class Move(StrEnum):
    ACCEPTED = "accepted"
    NOT_MOBILE = "not_mobile"  # a fixed camera, or one not the department's own
    NOT_NEWER = "not_newer"  # no later than the position already held (a repeat, or out of order)
    JUMP = "jump"  # farther from the last accepted position than anything can travel in the time


@dataclass(frozen=True)
class Moved:
    outcome: Move
    camera_pk: int
    speed_mps: float | None = None  # from the last accepted position, when there was one
    held_at: dt.datetime | None = None  # the time of the position the camera held when judged


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def mobile_fresh_since(*, max_age_seconds: int, now: dt.datetime | None = None) -> dt.datetime:
    """The oldest position time a search still shows a mobile camera at."""
    return (now or timezone.now()) - dt.timedelta(seconds=max_age_seconds)


def camera_position_move(
    *,
    camera_pk: int,
    lon: float,
    lat: float,
    heading: int | None,
    at: dt.datetime,
    max_speed_mps: float,
    reanchor: bool = False,
) -> Moved:
    """Move a mobile camera to a reported position, unless it is not mobile, the position is
    not newer than the one held, or it is an impossible jump from it (faster than
    ``max_speed_mps``). The caller has checked the message and that its bridge relays the
    camera; the camera's row is locked while it is judged, so two connections of a bridge
    cannot both move it from the same old position. ``reanchor`` skips the speed check: the
    caller found that the bridge's latest positions agree with each other and not with the one
    held, which was then the glitch (live.positions).

    The position is written with a targeted UPDATE, not ``save()``: it is telemetry from the
    bridge, up to once a second, not a person's edit, so it must not add a history row each
    time (``position_at`` is excluded from history, and the UPDATE writes none at all); who
    made the camera mobile and set its field of view stays in its history.
    """
    with transaction.atomic():
        camera = (
            Camera.objects.select_for_update(of=("self",))
            .select_related("site")
            .only(
                "pk",
                "mobile",
                "position_at",
                "location",
                "fov_angle_deg",
                "range_m",
                "bearing_deg",
                "site__department_owned",
            )
            .get(pk=camera_pk)
        )
        if not (camera.mobile and camera.site.department_owned):
            return Moved(Move.NOT_MOBILE, camera.pk)
        speed = None
        if camera.position_at is not None:
            if at <= camera.position_at:
                return Moved(Move.NOT_NEWER, camera.pk)
            seconds = (at - camera.position_at).total_seconds()
            speed = distance_m(camera.location.x, camera.location.y, lon, lat) / seconds
            if speed > max_speed_mps and not reanchor:
                return Moved(Move.JUMP, camera.pk, speed, camera.position_at)
        bearing = camera.bearing_deg if heading is None else heading
        fov = fov_wedge(
            lon=lon, lat=lat, bearing=float(bearing), angle=float(camera.fov_angle_deg), range_m=float(camera.range_m)
        )
        Camera.objects.filter(pk=camera.pk).update(
            location=Point(lon, lat, srid=4326), fov=fov, bearing_deg=bearing, position_at=at
        )
    return Moved(Move.ACCEPTED, camera.pk, speed)
