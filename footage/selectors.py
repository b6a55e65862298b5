"""Reads on footage requests. Police-facing reads never reveal who declined or ignored."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from accounts.models import Role, User

from .models import Answer, CameraAnswer, Clip, FootageRequest, IntegrityNotice, OwnerRequest


def requests_of_officer(*, officer: User) -> QuerySet[FootageRequest]:
    return FootageRequest.objects.filter(officer=officer).select_related("purpose").order_by("-created_at")


@dataclass(frozen=True)
class RequestSummary:
    request: FootageRequest
    owners_asked: int
    owners_sent: int
    clips: list[Clip]


def request_summary_for_police(*, officer: User, public_id: Any) -> RequestSummary:
    """How many owners sent footage, and the clips: nothing about declines or silence."""
    request = FootageRequest.objects.select_related("purpose").get(public_id=public_id, officer=officer)
    owners_asked = request.owner_requests.count()
    owners_sent = request.owner_requests.filter(answers__answer=Answer.UPLOADED).distinct().count()
    clips = list(request.clips.filter(purged_at__isnull=True).order_by("uploaded_at"))
    return RequestSummary(request, owners_asked, owners_sent, clips)


def inbox_of_owner(*, owner: User) -> QuerySet[OwnerRequest]:
    return OwnerRequest.objects.filter(owner=owner).select_related("request__purpose").prefetch_related("answers")


def owner_request_of_owner(*, owner: User, public_id: Any) -> OwnerRequest:
    return OwnerRequest.objects.select_related("request__purpose").get(owner=owner, public_id=public_id)


def answers_of(owner_request: OwnerRequest) -> QuerySet[CameraAnswer]:
    return owner_request.answers.select_related("camera").prefetch_related("clips").order_by("pk")


# Who is shown integrity notices and may acknowledge them.
INTEGRITY_NOTICE_ROLES = frozenset({Role.DEPT_ADMIN, Role.SUPERVISOR})


def integrity_notices_open() -> QuerySet[IntegrityNotice]:
    """Notices nobody acknowledged yet, newest first, with their clip's case."""
    return (
        IntegrityNotice.objects.filter(acknowledged_at__isnull=True)
        .select_related("clip__request__purpose")
        .order_by("-detected_at", "-pk")
    )


def integrity_notices_history(*, limit: int = 200) -> QuerySet[IntegrityNotice]:
    """Every notice, acknowledged or not, newest first."""
    return IntegrityNotice.objects.select_related("clip__request__purpose").order_by("-detected_at", "-pk")[:limit]
