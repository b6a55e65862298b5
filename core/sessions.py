"""The staff session's timeouts, as one pure rule for both the HTTP and the WebSocket paths.

accounts.middleware.SessionTimeoutMiddleware ends a staff session on a page request, and
tenants.asgi.TenantWebsocketMiddleware ends it on a socket's handshake and re-checks; both
ask ``staff_session_expiry`` whether it has ended, so the two cannot drift apart.
"""

from collections.abc import Mapping
from typing import Any, Literal

from django.conf import settings

SessionExpiry = Literal["idle", "absolute"]


def staff_session_expiry(session: Mapping[str, Any], *, now: float) -> SessionExpiry | None:
    """Why a staff session has ended at ``now`` (seconds since the epoch), or None if it stands.

    ``last_activity_at`` and ``auth_started_at`` are the session's own timestamps; a session
    without them has just begun (its first request writes them).
    """
    last = session.get("last_activity_at", now)
    started = session.get("auth_started_at", now)
    if now - last > settings.PORCHLIGHT_STAFF_IDLE_TIMEOUT_SECONDS:
        return "idle"
    if now - started > settings.PORCHLIGHT_STAFF_ABSOLUTE_TIMEOUT_SECONDS:
        return "absolute"
    return None
