"""The track of a live session of a mobile camera, read back after the view (issue 17).

live.positions keeps a mobile camera's positions only while a live view of it is open; this
module reads them back for one session, scoped to the current department (its schema), and
hands the gate (cameras.access.track_authorize) what it needs to decide and to record. Nothing
here decides who may read it.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cameras.access import TrackSubject
from cameras.models import Camera

from .models import LiveSession, PositionSample

__all__ = ["TrackPoint", "camera_tracks", "session_track"]


@dataclass(frozen=True)
class TrackPoint:
    at: dt.datetime
    lat: float
    lon: float
    heading: int | None
    accuracy_m: float | None


def session_track(*, public_id: Any) -> tuple[TrackSubject | None, LiveSession | None, list[TrackPoint]]:
    """The session of this department with this id, and the positions its camera reported while
    it was open, oldest first. A session that is not here (another department's, a malformed id)
    or whose camera is not a mobile source (it has no track), or was deleted, is (None, None, [])."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None, None, []
    session = (
        LiveSession.objects.select_related("camera", "purpose", "officer")
        .filter(public_id=key, camera__mobile=True)
        .first()
    )
    if session is None or session.camera is None:
        return None, None, []
    until = session.ended_at or timezone.now()
    rows = PositionSample.objects.filter(camera=session.camera, at__gte=session.started_at, at__lte=until)
    points = [
        TrackPoint(at=row.at, lat=row.point.y, lon=row.point.x, heading=row.heading, accuracy_m=row.accuracy_m)
        for row in rows.order_by("at")
    ]
    subject = TrackSubject(
        session_ref=f"live_session:{session.public_id}",
        camera_ref=session.camera_ref,
        officer_id=session.officer_id,
        points=len(points),
    )
    return subject, session, points


def camera_tracks(*, public_id: Any, officer_id: int | None) -> tuple[TrackSubject | None, Any, list[LiveSession]]:
    """A mobile camera of this department (None if there is none with this id) and its live
    sessions, newest first: only ``officer_id``'s when given (an officer sees their own)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None, None, []
    camera = Camera.objects.filter(public_id=key, mobile=True).first()
    if camera is None:
        return None, None, []
    sessions = LiveSession.objects.filter(camera=camera).select_related("officer", "purpose").order_by("-started_at")
    if officer_id is not None:
        sessions = sessions.filter(officer_id=officer_id)
    listed = list(sessions[:200])
    subject = TrackSubject(session_ref="", camera_ref=f"camera:{camera.public_id}", officer_id=None, points=len(listed))
    return subject, camera, listed
