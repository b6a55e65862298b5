"""Reads on footage requests. Police-facing reads never reveal who declined or ignored."""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from audit.rollups import department_time_zone

from .deadlines import DeliveryClock, DeliveryState, delivery_clock
from .models import Answer, CameraAnswer, Clip, FootageRequest, IntegrityNotice, OwnerRequest


def requests_of_officer(*, officer: User) -> QuerySet[FootageRequest]:
    return FootageRequest.objects.filter(officer=officer).select_related("purpose").order_by("-created_at")


@dataclass(frozen=True)
class Deadline:
    deliver_by: dt.datetime
    ordinance: str
    owners: int
    cameras: int


@dataclass(frozen=True)
class RequestSummary:
    request: FootageRequest
    owners_asked: int
    owners_sent: int
    clips: list[Clip]
    #: Owners' requests under a delivery deadline, counted by DeliveryState (never who).
    deliveries: dict[str, int] = field(default_factory=dict)
    #: Cameras asked (one answer each), those with footage sent, those answered "no relevant
    #: footage"; the rest (pending, declined, no answer) are one number, never told apart.
    cameras_asked: int = 0
    cameras_sent: int = 0
    cameras_no_footage: int = 0
    #: Owners whose request was e-mailed to them (notified_at set).
    owners_reached: int = 0
    #: Each deadline (deliver by, the ordinance setting it) with how many owners and cameras it
    #: covers: never which owner.
    deadlines: list[Deadline] = field(default_factory=list)

    @property
    def cameras_other(self) -> int:
        return self.cameras_asked - self.cameras_sent - self.cameras_no_footage

    @property
    def with_deadline(self) -> int:
        return sum(self.deliveries.values())


def request_summary_for_police(*, officer: User, public_id: Any) -> RequestSummary:
    """How many owners sent footage, and the clips: nothing about declines or silence."""
    request = FootageRequest.objects.select_related("purpose").get(public_id=public_id, officer=officer)
    # One aggregate for both counts (an owner with several uploaded answers counts once).
    counts = request.owner_requests.aggregate(
        asked=Count("pk", distinct=True),
        sent=Count("pk", filter=Q(answers__answer=Answer.UPLOADED), distinct=True),
        reached=Count("pk", filter=Q(notified_at__isnull=False), distinct=True),
        # Per camera, in the same query: an owner asked about three cameras who sent one is
        # not "everything answered".
        cameras_asked=Count("answers", distinct=True),
        cameras_sent=Count("answers", filter=Q(answers__answer=Answer.UPLOADED), distinct=True),
        cameras_no_footage=Count("answers", filter=Q(answers__answer=Answer.NO_FOOTAGE), distinct=True),
    )
    owners_asked, owners_sent = counts["asked"], counts["sent"]
    clips = list(request.clips.filter(purged_at__isnull=True).order_by("uploaded_at"))
    deliveries = _deliveries_count(OwnerRequest.objects.filter(request=request), now=timezone.now())
    return RequestSummary(
        request,
        owners_asked,
        owners_sent,
        clips,
        deliveries,
        cameras_asked=counts["cameras_asked"],
        cameras_sent=counts["cameras_sent"],
        cameras_no_footage=counts["cameras_no_footage"],
        owners_reached=counts["reached"],
        deadlines=[
            Deadline(cast("dt.datetime", row["deliver_by"]), row["deliver_by_ordinance"], row["owners"], row["cameras"])
            for row in OwnerRequest.objects.filter(request=request, deliver_by__isnull=False)
            .values("deliver_by", "deliver_by_ordinance")
            .annotate(owners=Count("pk", distinct=True), cameras=Count("answers", distinct=True))
            .order_by("deliver_by", "deliver_by_ordinance")
        ],
    )


def _deliveries_count(owner_requests: QuerySet[OwnerRequest], *, now: dt.datetime) -> dict[str, int]:
    """The owners' requests under a deadline by DeliveryState: two queries however many."""
    counts = dict.fromkeys(DeliveryState, 0)
    deadlines = dict(owner_requests.filter(deliver_by__isnull=False).values_list("pk", "deliver_by"))
    answers: dict[int, list[tuple[str, dt.datetime | None]]] = defaultdict(list)
    for owner_request_id, answer, answered_at in CameraAnswer.objects.filter(
        owner_request_id__in=list(deadlines)
    ).values_list("owner_request_id", "answer", "answered_at"):
        answers[owner_request_id].append((answer, answered_at))
    for pk, deliver_by in deadlines.items():
        clock = delivery_clock(deliver_by=deliver_by, answers=answers[pk], now=now)
        if clock is not None:
            counts[clock.state] += 1
    return {str(state): n for state, n in counts.items()}


def delivery_clock_of(owner_request: OwnerRequest, *, now: dt.datetime | None = None) -> DeliveryClock | None:
    """The owner's own request against its deadline (the owner's request page)."""
    if owner_request.deliver_by is None:
        return None
    rows = list(owner_request.answers.values_list("answer", "answered_at"))
    return delivery_clock(deliver_by=owner_request.deliver_by, answers=rows, now=now or timezone.now())


def footage_deliveries_count(
    start: dt.date, end: dt.date, *, site_ids: Collection[int] | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Owners' requests under an ordinance's delivery deadline, sent on the department's local
    days [start, end), by state (``on_time``, ``late``, ``overdue``, ``open``), optionally only
    those asking about cameras of ``site_ids``: counts for the compliance dashboard, never who."""
    zone = ZoneInfo(department_time_zone())
    since = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(end, dt.time(), tzinfo=zone)
    owner_requests = OwnerRequest.objects.filter(created_at__gte=since, created_at__lt=until)
    if site_ids is not None:
        owner_requests = owner_requests.filter(
            pk__in=CameraAnswer.objects.filter(camera__site_id__in=list(site_ids)).values("owner_request_id")
        )
    return _deliveries_count(owner_requests, now=now or timezone.now())


def footage_deliveries_late_by_site(
    *, site_ids: Collection[int] | None = None, now: dt.datetime | None = None
) -> dict[int, int]:
    """Owners' requests under a delivery deadline whose footage was delivered after it, counted
    for each site whose cameras they asked about (a request about two sites counts for both);
    optionally only ``site_ids``. Only what police already hold is attributed to a site: a
    request declined, unanswered or answered "no relevant footage" past its deadline stays in the
    anonymous counts (``footage_deliveries_count``), as the owner's request page promises. Two
    queries however many: the compliance dashboard's column and section
    (compliance.dashboard.deliveries_late)."""
    now = now or timezone.now()
    deadlines = dict(
        OwnerRequest.objects.filter(deliver_by__isnull=False, deliver_by__lt=now).values_list("pk", "deliver_by")
    )
    answers: dict[int, list[tuple[str, dt.datetime | None]]] = defaultdict(list)
    sites: dict[int, set[int]] = defaultdict(set)
    for owner_request_id, answer, answered_at, site_id in CameraAnswer.objects.filter(
        owner_request_id__in=list(deadlines)
    ).values_list("owner_request_id", "answer", "answered_at", "camera__site_id"):
        answers[owner_request_id].append((answer, answered_at))
        if answer == Answer.UPLOADED:
            sites[owner_request_id].add(site_id)
    wanted = None if site_ids is None else set(site_ids)
    late: dict[int, int] = defaultdict(int)
    for pk, deliver_by in deadlines.items():
        clock = delivery_clock(deliver_by=deliver_by, answers=answers[pk], now=now)
        if clock is None or clock.state != DeliveryState.LATE:
            continue
        for site_id in sites[pk]:
            if site_id is not None and (wanted is None or site_id in wanted):
                late[site_id] += 1
    return dict(late)


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
