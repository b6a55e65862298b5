"""The page that reads back the track of a live session of a mobile camera (issue 17).

Open to the roles cameras.access.track_authorize admits; every request, allowed or refused,
is one ``track_read`` event. What is not theirs (another officer's session, another
department's, an id that names nothing) is answered 404 alike, after it is logged."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from cameras import access
from cameras.mixins import SESSION_PURPOSE

from . import track


class _TrackReader(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = super().dispatch(request, *args, **kwargs)
        # Where a department camera went is kept by no cache, the browser's included.
        add_never_cache_headers(response)
        return response

    def stated_purpose(self, actor: access.Actor) -> Any:
        """Officers and supervisors read with the purpose stated in this session (the gate
        refuses, and logs, none); the log's readers have none of their own."""
        if getattr(self.request.user, "role", None) not in access.CAMERA_ROLES:
            return None
        stated = self.request.session.get(SESSION_PURPOSE)
        return access.purpose_lookup(actor=actor, public_id=stated) if stated else None

    def refused(self, decision: access.Decision) -> HttpResponse:
        if decision.reason in access.RESTATE_PURPOSE:
            messages.info(self.request, _("State the purpose of your search first."))
            return redirect("console-purpose")
        raise Http404


class CameraTracksView(_TrackReader):
    """The live views of one mobile camera, each linked to its track (the camera page links
    here). An officer sees their own views; supervisors, administrators and the board all."""

    def get(self, request: HttpRequest, camera_id: str) -> HttpResponse:
        actor = access.Actor.from_request(request)
        own = request.user.pk if getattr(request.user, "role", None) == Role.OFFICER else None
        subject, camera, sessions = track.camera_tracks(public_id=camera_id, officer_id=own)
        decision = access.track_authorize(
            actor=actor, purpose=self.stated_purpose(actor), subject=subject, asked_for=camera_id
        )
        if not decision.allowed:
            return self.refused(decision)
        context = {"camera": camera, "sessions": sessions, "staff": own is not None or _staff(request)}
        return render(request, "live/camera_tracks.html", context)


def _staff(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) in access.CAMERA_ROLES


class SessionTrackView(_TrackReader):
    """Where a mobile camera went during one live view: a map of the line (Leaflet) over a
    table of the positions with their times, which is the page without JavaScript."""

    def get(self, request: HttpRequest, session_id: str) -> HttpResponse:
        actor = access.Actor.from_request(request)
        subject, session, points = track.session_track(public_id=session_id)
        decision = access.track_authorize(
            actor=actor, purpose=self.stated_purpose(actor), subject=subject, asked_for=session_id
        )
        if not decision.allowed:
            return self.refused(decision)
        assert session is not None
        assert session.camera is not None
        context: dict[str, Any] = {
            "session": session,
            "camera": session.camera,
            "points": points,
            "line": [[p.lat, p.lon] for p in points],
            "tile_url": settings.PORCHLIGHT_TILE_URL,
            "staff": _staff(request),
        }
        return render(request, "live/track.html", context)
