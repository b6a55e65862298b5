"""Reads on footage requests. Police-facing reads never reveal who declined or ignored."""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet

from accounts.models import Role, User
from audit.rollups import department_time_zone

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


def footage_answers_count(start: dt.date, end: dt.date) -> dict[str, int]:
    """How the cameras asked for footage from requests made on the department's local days
    [start, end) were answered: counts per answer, never who (the oversight dashboard and
    the public page; registered with audit.figures by FootageConfig.ready)."""
    zone = ZoneInfo(department_time_zone())
    since = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(end, dt.time(), tzinfo=zone)
    counts = dict.fromkeys(Answer.values, 0)
    rows = (
        CameraAnswer.objects.filter(owner_request__created_at__gte=since, owner_request__created_at__lt=until)
        .values("answer")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["answer"]] = row["n"]
    counts["sent"] = sum(counts[answer] for answer in Answer.values)
    return counts
