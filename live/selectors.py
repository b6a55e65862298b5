from typing import Any

from django.db.models import QuerySet

from .models import Bridge, LiveSession


def bridges_of_owner(*, owner: Any) -> QuerySet[Bridge]:
    return (
        Bridge.objects.filter(site__owner=owner, revoked_at__isnull=True)
        .prefetch_related("cameras")
        .select_related("site")
    )


def live_sessions_of_owner(*, owner: Any) -> QuerySet[LiveSession]:
    """Live views of the owner's cameras in progress now."""
    return LiveSession.objects.filter(camera__site__owner=owner, ended_at__isnull=True).select_related(
        "camera", "purpose", "officer"
    )
