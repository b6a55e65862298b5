"""Positions of mobile sources, reported by their bridges (docs/bridge-protocol.md, "Positions").

The bridge's consumer (live.consumers.BridgeConsumer) parses each ``position`` message here
(:func:`position_parse`, no database), drops it unless the camera is one the bridge relays,
holds the rate to one a second per camera (live.presence.camera_position_take), and then
records it (:func:`position_record`): the camera moves (cameras.mobile), a point is added to
its track only while someone watches it live, and the consumer relays the position to the
camera's viewers. Nothing of a rejected position is stored, and a bridge is never disconnected
for a bad one: a GPS that glitches must not take its video down.
"""

import datetime as dt
import logging
import math
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from cameras.mobile import Move, camera_position_move, distance_m
from cameras.models import Camera
from tenants.selectors import policy_current

from . import services
from .models import PositionSample

__all__ = [
    "FUTURE_TOLERANCE",
    "PAST_LIMIT",
    "Position",
    "PositionError",
    "Recorded",
    "max_speed_mps",
    "position_event",
    "position_parse",
    "position_record",
    "position_samples_purge",
]

logger = logging.getLogger("porchlight.live")

# A bridge's clock may be a little ahead of ours (the frame path tolerates 2 s before it even
# says so); further ahead is a broken clock, and a position "from the future" would hold the
# camera's freshness past its real age.
FUTURE_TOLERANCE = dt.timedelta(seconds=10)
# Older than this is no position of now: a GPS that lost its fix for an hour, or a receiver
# reporting the wrong week (GPS week rollover). A search would not show it anyway.
PAST_LIMIT = dt.timedelta(hours=1)
MAX_ACCURACY_M = 10_000.0
# Consecutive positions, each reachable from the one before, all an impossible jump from the
# position held: the held one was the glitch (a receiver's 0,0 before its first fix, taken as
# the first position), and the camera moves to the latest. Fewer stay ignored as a glitch.
REANCHOR_AFTER = 3


class PositionError(ValueError):
    """A position message that is not a position: says which field and why."""


def _shown(value: object) -> str:
    """A bridge's value as the log shows it: a 10 MB string must not become a 10 MB log line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Position:
    camera: str  # the camera's UUID, canonical spelling
    lat: float
    lon: float
    heading: int | None
    accuracy_m: float | None
    at: dt.datetime


def max_speed_mps() -> float:
    """Faster than this from the last accepted position is a GPS glitch, not a journey:
    a patrol car at full speed is ~60 m/s, a police drone ~30 m/s."""
    return float(getattr(settings, "PORCHLIGHT_MOBILE_MAX_SPEED_MPS", 100.0))


def _number(message: dict[str, Any], field: str, low: float, high: float, *, required: bool = True) -> float | None:
    value = message.get(field)
    if value is None and not required:
        return None
    # bool is an int in Python, and JSON's NaN/Infinity parse as floats: neither is a position.
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise PositionError(f"{field} must be a number, not {_shown(value)}")
    if not low <= value <= high:
        raise PositionError(f"{field} {_shown(value)} is out of range ({low:g} to {high:g})")
    return float(value)


def position_parse(message: dict[str, Any], *, now: dt.datetime) -> Position:
    """The position a ``position`` message reports, or :class:`PositionError` naming the
    field: camera (a UUID), lat (-90..90), lon (-180..180), heading (optional, 0..359),
    accuracy (optional, metres, 0..10 km) and time (ISO 8601 with its zone, not more than
    FUTURE_TOLERANCE ahead of ``now`` nor more than PAST_LIMIT behind it)."""
    camera = message.get("camera")
    try:
        camera_id = str(uuid.UUID(camera)) if isinstance(camera, str) else None
    except ValueError:
        camera_id = None
    if camera_id is None:
        raise PositionError(f"camera must be a camera UUID, not {_shown(camera)}")
    lat = _number(message, "lat", -90, 90)
    lon = _number(message, "lon", -180, 180)
    heading = _number(message, "heading", 0, 359.999, required=False)
    accuracy = _number(message, "accuracy", 0, MAX_ACCURACY_M, required=False)
    raw_time = message.get("time")
    try:
        at = dt.datetime.fromisoformat(raw_time) if isinstance(raw_time, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise PositionError(f"time must be an ISO 8601 time with its zone, not {_shown(raw_time)}")
    if at > now + FUTURE_TOLERANCE:
        raise PositionError(f"time {_shown(raw_time)} is in the future (the bridge's clock is ahead: set it right)")
    if at < now - PAST_LIMIT:
        raise PositionError(f"time {_shown(raw_time)} is more than an hour old")
    assert lat is not None
    assert lon is not None
    return Position(
        camera=camera_id,
        lat=lat,
        lon=lon,
        heading=None if heading is None else int(heading) % 360,
        accuracy_m=accuracy,
        at=at.astimezone(dt.UTC),
    )


@dataclass(frozen=True)
class Recorded:
    outcome: str  # a cameras.mobile.Move, or "not_relayed"
    watched: bool = False  # a live view of the camera is open: relay it to the viewers

    @property
    def accepted(self) -> bool:
        return self.outcome == Move.ACCEPTED


NOT_RELAYED = "not_relayed"


def position_record(*, bridge_id: int, position: Position) -> Recorded:
    """Record a parsed position of a camera, reported by the bridge ``bridge_id``, in the
    current department: refused unless the bridge (not revoked) relays the camera; ignored
    unless the camera is mobile and the department's own, the position newer than the one it
    holds and reachable from it (cameras.mobile.camera_position_move; an impossible jump is
    logged at warning). An accepted position moves the camera, and is added to its track only
    while a live view of it is open, so the track does not grow when nobody watches."""
    camera_pk = (
        Camera.objects.filter(public_id=position.camera, bridges__pk=bridge_id, bridges__revoked_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
    if camera_pk is None:
        return Recorded(NOT_RELAYED)
    with transaction.atomic():
        moved = camera_position_move(
            camera_pk=camera_pk,
            lon=position.lon,
            lat=position.lat,
            heading=position.heading,
            at=position.at,
            max_speed_mps=max_speed_mps(),
        )
        if moved.outcome == Move.JUMP and _agreeing_jumps(position, moved.held_at) >= REANCHOR_AFTER:
            logger.warning(
                "mobile position re-anchored: %d positions in a row agree with each other, not with the one held",
                REANCHOR_AFTER,
                extra={"camera": position.camera},
            )
            moved = camera_position_move(
                camera_pk=camera_pk,
                lon=position.lon,
                lat=position.lat,
                heading=position.heading,
                at=position.at,
                max_speed_mps=max_speed_mps(),
                reanchor=True,
            )
        if moved.outcome == Move.JUMP:
            logger.warning(
                "mobile position ignored: impossible jump at %.0f m/s",
                moved.speed_mps or 0.0,
                extra={"camera": position.camera, "speed_mps": round(moved.speed_mps or 0.0, 1)},
            )
        if moved.outcome != Move.ACCEPTED:
            return Recorded(moved.outcome)
        watched = services.live_sessions_active(camera_id=camera_pk) > 0
        if watched:
            PositionSample.objects.create(
                camera_id=camera_pk,
                at=position.at,
                point=Point(position.lon, position.lat, srid=4326),
                heading=position.heading,
                accuracy_m=position.accuracy_m,
            )
    return Recorded(Move.ACCEPTED, watched)


def _agreeing_jumps(position: Position, held_at: dt.datetime | None) -> int:
    """How many positions in a row, this one the last, were impossible jumps from the position
    held at ``held_at`` while each was reachable from the one before it. Kept in the cache
    (per department) for PAST_LIMIT; an accepted position in between changes ``held_at`` and
    so starts the count again, so a glitch that comes back between true positions never wins."""
    key = f"mobile-jumps:{position.camera}"
    last = cache.get(key)
    count = 1
    if last is not None and held_at is not None and last["held_at"] == held_at.isoformat():
        last_at = dt.datetime.fromisoformat(last["at"])
        seconds = (position.at - last_at).total_seconds()
        reachable = seconds > 0 and (
            distance_m(last["lon"], last["lat"], position.lon, position.lat) / seconds <= max_speed_mps()
        )
        if reachable:
            count = last["count"] + 1
    if count >= REANCHOR_AFTER:
        cache.delete(key)
    else:
        cache.set(
            key,
            {
                "held_at": None if held_at is None else held_at.isoformat(),
                "at": position.at.isoformat(),
                "lon": position.lon,
                "lat": position.lat,
                "count": count,
            },
            timeout=int(PAST_LIMIT.total_seconds()),
        )
    return count


def position_event(position: Position) -> dict[str, Any]:
    """What a viewer of the camera receives (a JSON text message, beside the binary frames)."""
    return {
        "type": "position",
        "lat": position.lat,
        "lon": position.lon,
        "heading": position.heading,
        "accuracy": position.accuracy_m,
        "time": position.at.isoformat(),
    }


def position_samples_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the track points older than the department's footage retention; returns how
    many. A track is kept no longer than the footage it was recorded beside."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=policy_current().footage_retention_days)
    deleted, _ = PositionSample.objects.filter(at__lt=cutoff).delete()
    return deleted
