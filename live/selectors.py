import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from . import presence
from .models import Bridge, LiveSession

if TYPE_CHECKING:
    from accounts.models import User


def bridges_of_owner(*, owner: "User") -> QuerySet[Bridge]:
    return (
        Bridge.objects.filter(site__owner=owner, revoked_at__isnull=True)
        .prefetch_related("cameras", "site__cameras")
        .select_related("site")
    )


def bridges_connected(*, schema: str, bridges: Iterable[Bridge]) -> set[uuid.UUID]:
    """Public ids of those bridges with a connection alive now (a heartbeat that has not
    expired: a bridge whose server process died shows offline within seconds)."""
    alive = presence.bridges_connected(schema=schema, bridges=[str(b.public_id) for b in bridges])
    return {uuid.UUID(b) for b in alive}


def cameras_with_bridge_online(*, schema: str, camera_public_ids: Iterable[Any]) -> set[uuid.UUID]:
    """Those of the cameras (public ids) that a bridge connected now serves: only they can
    show a live picture, so only they are offered for live view. One query and one Redis
    round trip, whatever the number of cameras."""
    ids = list(camera_public_ids)
    if not ids:
        return set()
    pairs = list(
        Bridge.objects.filter(revoked_at__isnull=True, cameras__public_id__in=ids).values_list(
            "public_id", "cameras__public_id"
        )
    )
    if not pairs:
        return set()
    alive = presence.bridges_connected(schema=schema, bridges=sorted({str(b) for b, _ in pairs}))
    return {camera for bridge, camera in pairs if str(bridge) in alive}


def live_sessions_of_owner(*, owner: "User") -> QuerySet[LiveSession]:
    """Live views of the owner's cameras in progress now."""
    return LiveSession.objects.filter(camera__site__owner=owner, ended_at__isnull=True).select_related(
        "camera", "purpose", "officer"
    )
