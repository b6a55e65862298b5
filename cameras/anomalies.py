"""The anomaly queue's rules, computed from the log after the fact (docs/anomalies.md).

The rules need what the log knows nothing of (sensitive places, the cameras an event names),
so they sit here, above audit and places, as the police-area rollup does (cameras.area_rollups).
Each run reads the events after a high-water mark, under a lock on the mark, and writes its
flags to audit (each flag has a key, stored once: a second run finds nothing new). A rule that
looks back (the same camera opened again, denials before a success) reads the log back from the
batch's first event, so the flags are the same whatever the batches were: the tests hold an
incremental catch-up equal to one run from scratch.

Two rules judge time that has to pass first, and keep their own marks: a week's volume once
the week is over, and an exigent purpose once the days for its case report have passed.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, DateField, Max, Min
from django.db.models.functions import TruncWeek
from django.utils import timezone

from audit.anomalies import (
    FlagIn,
    anomaly_flags_accumulate,
    anomaly_flags_add,
    anomaly_flags_last,
    anomaly_mark_lock,
    anomaly_mark_set,
)
from audit.models import AccessEvent, Action, AnomalyRule, Authority, Outcome
from audit.rollups import department_time_zone
from places.areas import sensitive_places_near
from tenants.selectors import policy_current

if TYPE_CHECKING:
    from tenants.models import DepartmentPolicy

__all__ = ["BATCH", "VAGUE_WORDS", "anomalies_catch_up", "purpose_is_vague"]

BATCH = 10_000
MARK, EXIGENT_MARK, WEEK_MARK = "anomalies", "anomalies_exigent", "anomalies_weekly"
# A camera "opened": its details or a live view.
OPENS = (Action.CAMERA_VIEW, Action.LIVE_START)
# What counts toward an officer's volume, and what a denial may precede: police access to
# cameras and their data (not the map, not readings of the log).
ACCESSES = (
    Action.SEARCH,
    Action.CAMERA_VIEW,
    Action.OWNER_CONTACT_VIEW,
    Action.MESSAGE_SEND,
    Action.EXPORT,
    Action.FOOTAGE_REQUEST,
    Action.LIVE_START,
    Action.LIVE_EXTEND,
    Action.CLIP_VIEW,
    Action.CLIP_DOWNLOAD,
)
# Words that say nothing of why on their own; a purpose made only of them is vague, whatever
# its length ("ongoing investigation, follow up").
VAGUE_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "to",
        "on",
        "in",
        "and",
        "re",
        "per",
        "see",
        "case",
        "investigation",
        "investigations",
        "investigate",
        "investigating",
        "ongoing",
        "follow",
        "followup",
        "follow-up",
        "up",
        "inquiry",
        "enquiry",
        "check",
        "police",
        "matter",
        "info",
        "information",
        "n/a",
        "na",
        "tbd",
        "misc",
        "general",
        "routine",
    ]
)
# The weeks an officer's median is taken over, and how many of them must follow their first.
MEDIAN_WEEKS, MEDIAN_MIN_WEEKS = 12, 4
WEEKS_PER_RUN = 60
_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "actor_badge",
    "action",
    "outcome",
    "targets",
    "case_number",
    "purpose_text",
    "authority",
    "details",
)


def _camera(targets: list[str]) -> str:
    return next((t[7:] for t in targets if t.startswith("camera:")), "")


def purpose_is_vague(text: str, *, min_words: int) -> bool:
    """Fewer than ``min_words`` words, or only words that say nothing of why."""
    words = re.findall(r"[\w/'-]+", text.lower())
    return len(words) < min_words or all(word in VAGUE_WORDS for word in words)


def _flag(rule: str, key: str, event: dict[str, Any], *, seqs: list[int], **details: Any) -> FlagIn:
    return FlagIn(
        rule=rule,
        key=key,
        seqs=seqs,
        occurred_at=event["occurred_at"],
        officer_id=event["actor_id"],
        officer_label=event["actor_label"],
        officer_badge=event["actor_badge"],
        details=details,
    )


def _off_hours(events: list[dict[str, Any]], policy: DepartmentPolicy, zone: ZoneInfo) -> list[FlagIn]:
    start, end = policy.anomaly_day_start_hour, policy.anomaly_day_end_hour
    flags = []
    for e in events:
        if e["action"] != Action.LIVE_START or e["outcome"] != Outcome.ALLOWED:
            continue
        local = e["occurred_at"].astimezone(zone)
        if not start <= local.hour < end:
            flags.append(
                _flag(
                    AnomalyRule.OFF_HOURS,
                    str(e["seq"]),
                    e,
                    seqs=[e["seq"]],
                    time=local.strftime("%Y-%m-%d %H:%M"),
                    start=start,
                    end=end,
                    camera=_camera(e["targets"]),
                )
            )
    return flags


def _vague(events: list[dict[str, Any]], policy: DepartmentPolicy) -> list[FlagIn]:
    """One flag per officer and stated purpose holding every search made with it (stored by
    anomaly_flags_accumulate: a later run's searches join the flag until the board reviews it),
    so the queue and the report count the searches, not only the first."""
    found: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for e in events:
        if e["action"] != Action.SEARCH or e["outcome"] != Outcome.ALLOWED:
            continue
        if purpose_is_vague(e["purpose_text"], min_words=policy.anomaly_vague_min_words):
            key = f"{e['actor_id']}:{e['case_number']}:{e['purpose_text']}"
            found.setdefault(key, (e, []))[1].append(e["seq"])
    return [
        _flag(
            AnomalyRule.VAGUE_PURPOSE,
            key,
            first,
            seqs=seqs,
            text=first["purpose_text"],
            case=first["case_number"] or "—",
            min_words=policy.anomaly_vague_min_words,
        )
        for key, (first, seqs) in found.items()
    ]


def _search_shape(details: dict[str, Any]) -> tuple[str, float] | None:
    area = details.get("area") if isinstance(details, dict) else None
    if not isinstance(area, dict):
        return None
    try:
        if area.get("shape") == "polygon":
            ring = ", ".join(f"{float(x)} {float(y)}" for x, y in area["coordinates"])
            return f"POLYGON(({ring}))", 0.0
        x, y = area["center"]
        return f"POINT({float(x)} {float(y)})", float(area.get("radius_m") or 0)
    except (KeyError, TypeError, ValueError):
        return None  # a details field the search never writes: nothing to place


def _sensitive(events: list[dict[str, Any]], policy: DepartmentPolicy) -> list[FlagIn]:
    searches = []
    for e in events:
        if e["action"] == Action.SEARCH and e["outcome"] == Outcome.ALLOWED:
            shape = _search_shape(e["details"])
            if shape is not None:
                searches.append((e, shape))
    distance = policy.anomaly_sensitive_distance_m
    found = sensitive_places_near([shape for _, shape in searches], distance_m=distance)
    return [
        _flag(
            AnomalyRule.SENSITIVE_PLACE, str(e["seq"]), e, seqs=[e["seq"]], places=", ".join(names), distance=distance
        )
        for (e, _), names in zip(searches, found, strict=True)
        if names
    ]


def _lookback(
    events: list[dict[str, Any]], *, actions: tuple[str, ...], outcome: str | None, back: dt.timedelta, upto: int
) -> dict[tuple[int, str], list[dict[str, Any]]]:
    """The events of ``actions`` by the batch's officers on the batch's cameras, from ``back``
    before the batch's first to its last, grouped by (officer, camera), in log order."""
    mine = [e for e in events if e["action"] in actions and e["actor_id"] is not None and _camera(e["targets"])]
    if not mine:
        return {}
    since = min(e["occurred_at"] for e in mine) - back
    # The cameras are matched here, not in SQL: given ``targets && ARRAY[…]`` the planner reads
    # the GIN index of targets, which holds every event of those cameras since the log began
    # (at a million events, some 400,000 entries read for a week's window: each batch cost
    # grew with the log; bench/anomalies.py). Without it the time range bounds the read.
    cameras = {_camera(e["targets"]) for e in mine}
    rows = AccessEvent.objects.filter(
        seq__lte=upto,
        occurred_at__gte=since,
        action__in=actions,
        actor_id__in={e["actor_id"] for e in mine},
    )
    if outcome is not None:
        rows = rows.filter(outcome=outcome)
    groups: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows.order_by("seq").values(*_FIELDS):
        camera = _camera(row["targets"])
        if camera in cameras:
            groups[(row["actor_id"], camera)].append(row)
    return groups


def _repeat(events: list[dict[str, Any]], policy: DepartmentPolicy, upto: int) -> list[FlagIn]:
    need, days = policy.anomaly_repeat_opens, policy.anomaly_repeat_days
    window = dt.timedelta(days=days)
    groups = _lookback(events, actions=OPENS, outcome=Outcome.ALLOWED, back=window, upto=upto)
    batch_opens = [e for e in events if e["action"] in OPENS and e["outcome"] == Outcome.ALLOWED]
    since = min((e["occurred_at"] for e in batch_opens), default=None)
    # Only a flag within the window before the batch can hold a new one back.
    last = anomaly_flags_last(rule=AnomalyRule.REPEAT_CAMERA, since=since - window) if since else {}
    flags = []
    for e in events:
        key = (e["actor_id"], _camera(e["targets"]))
        if e["action"] not in OPENS or e["outcome"] != Outcome.ALLOWED or key not in groups:
            continue
        opens = [o for o in groups[key] if o["seq"] <= e["seq"] and o["occurred_at"] > e["occurred_at"] - window]
        prefix = f"{key[0]}:{key[1]}:"
        # One flag per burst: none while the last one's window is still open.
        if len(opens) >= need and (prefix not in last or last[prefix] <= e["occurred_at"] - window):
            last[prefix] = e["occurred_at"]
            flags.append(
                _flag(
                    AnomalyRule.REPEAT_CAMERA,
                    f"{prefix}{e['seq']}",
                    e,
                    seqs=[o["seq"] for o in opens],
                    camera=key[1],
                    count=len(opens),
                    days=days,
                )
            )
    return flags


def _denials(events: list[dict[str, Any]], policy: DepartmentPolicy, upto: int) -> list[FlagIn]:
    need, minutes = policy.anomaly_denials, policy.anomaly_denials_minutes
    window = dt.timedelta(minutes=minutes)
    groups = _lookback(events, actions=ACCESSES, outcome=None, back=window, upto=upto)
    flags = []
    for e in events:
        key = (e["actor_id"], _camera(e["targets"]))
        if e["outcome"] != Outcome.ALLOWED or e["action"] not in ACCESSES or key not in groups:
            continue
        denied = []
        # Back from the success to the officer's previous success on this camera, within the window.
        for before in reversed([o for o in groups[key] if o["seq"] < e["seq"]]):
            if before["occurred_at"] < e["occurred_at"] - window or before["outcome"] == Outcome.ALLOWED:
                break
            denied.append(before["seq"])
        if len(denied) >= need:
            flags.append(
                _flag(
                    AnomalyRule.DENIALS_THEN_SUCCESS,
                    str(e["seq"]),
                    e,
                    seqs=[*sorted(denied), e["seq"]],
                    camera=key[1],
                    count=len(denied),
                    minutes=minutes,
                )
            )
    return flags


def _batch(*, policy: DepartmentPolicy, zone: ZoneInfo, limit: int) -> int:
    with transaction.atomic():
        mark = anomaly_mark_lock(name=MARK)
        head = AccessEvent.objects.aggregate(head=Max("seq"))["head"] or 0
        upto = min(head, mark + limit)
        events = list(AccessEvent.objects.filter(seq__gt=mark, seq__lte=upto).order_by("seq").values(*_FIELDS))
        events = [e for e in events if e["occurred_at"] is not None]
        flags = [
            *_off_hours(events, policy, zone),
            *_sensitive(events, policy),
            *_repeat(events, policy, upto),
            *_denials(events, policy, upto),
        ]
        anomaly_flags_add(flags=flags)
        anomaly_flags_accumulate(flags=_vague(events, policy))
        anomaly_mark_set(name=MARK, value=upto)
    return upto - mark


def _exigent(*, policy: DepartmentPolicy, now: dt.datetime, limit: int) -> None:
    """Exigent purposes whose days for a case report have passed: flagged when no footage
    request, and no purpose on another authority, names the same case number in those days."""
    days = policy.anomaly_exigent_report_days
    cutoff = now - dt.timedelta(days=days)
    with transaction.atomic():
        mark = anomaly_mark_lock(name=EXIGENT_MARK)
        # The last event old enough to be judged (the log's numbers follow its clock).
        judged = (
            AccessEvent.objects.filter(seq__gt=mark, seq__lte=mark + limit, occurred_at__lte=cutoff).aggregate(
                upto=Max("seq")
            )["upto"]
            or mark
        )
        declared = AccessEvent.objects.filter(
            seq__gt=mark,
            seq__lte=judged,
            action=Action.PURPOSE_DECLARE,
            outcome=Outcome.ALLOWED,
            authority=Authority.EXIGENT,
        ).exclude(case_number="")
        flags = []
        for e in declared.order_by("seq").values(*_FIELDS):
            reported = (
                AccessEvent.objects.filter(
                    case_number=e["case_number"],
                    occurred_at__gt=e["occurred_at"],
                    occurred_at__lte=e["occurred_at"] + dt.timedelta(days=days),
                    outcome=Outcome.ALLOWED,
                    action__in=(Action.FOOTAGE_REQUEST, Action.PURPOSE_DECLARE),
                )
                .exclude(authority=Authority.EXIGENT)
                .exists()
            )
            if not reported:
                flags.append(
                    _flag(
                        AnomalyRule.EXIGENT_NO_REPORT,
                        str(e["seq"]),
                        e,
                        seqs=[e["seq"]],
                        case=e["case_number"],
                        days=days,
                    )
                )
        anomaly_flags_add(flags=flags)
        anomaly_mark_set(name=EXIGENT_MARK, value=judged)


def _weekly(*, policy: DepartmentPolicy, zone: ZoneInfo, now: dt.datetime) -> None:
    """Each week once it is over (Monday to Sunday, department time): an officer's allowed
    accesses above ``anomaly_volume_factor`` times the median of their previous weeks (up to
    12, at least 4 since their first access; a median of 0 counts as 1)."""
    factor = policy.anomaly_volume_factor
    today = now.astimezone(zone).date()
    last_complete = today - dt.timedelta(days=today.weekday() + 7)
    with transaction.atomic():
        mark = anomaly_mark_lock(name=WEEK_MARK)
        if mark:
            week = dt.date.fromordinal(mark) + dt.timedelta(days=7)
        else:
            first = AccessEvent.objects.aggregate(first=Min("occurred_at"))["first"]
            if first is None:
                return
            day = first.astimezone(zone).date()
            week = day - dt.timedelta(days=day.weekday())
        done = 0
        flags = []
        while week <= last_complete and done < WEEKS_PER_RUN:
            flags += _week_flags(week=week, zone=zone, factor=factor)
            anomaly_mark_set(name=WEEK_MARK, value=week.toordinal())
            week += dt.timedelta(days=7)
            done += 1
        anomaly_flags_add(flags=flags)


def _week_flags(*, week: dt.date, zone: ZoneInfo, factor: int) -> list[FlagIn]:
    def local(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone)

    first_week = week - dt.timedelta(weeks=MEDIAN_WEEKS)
    counts: dict[int, dict[dt.date, int]] = defaultdict(dict)
    names: dict[int, dict[str, Any]] = {}
    # Counted by the database per officer and local week: a few hundred rows, whatever the volume.
    rows = (
        AccessEvent.objects.filter(
            occurred_at__gte=local(first_week),
            occurred_at__lt=local(week + dt.timedelta(days=7)),
            action__in=ACCESSES,
            outcome=Outcome.ALLOWED,
            actor_id__isnull=False,
        )
        .annotate(week=TruncWeek("occurred_at", output_field=DateField(), tzinfo=zone))
        .values("actor_id", "week")
        .annotate(n=Count("id"), actor_label=Max("actor_label"), actor_badge=Max("actor_badge"))
    )
    for row in rows:
        actor_id = row["actor_id"]
        if actor_id is None:  # excluded by the filter; for the type checker
            continue
        counts[actor_id][row["week"]] = row["n"]
        if row["week"] == week:
            names[actor_id] = {
                "actor_id": actor_id,
                "actor_label": row["actor_label"],
                "actor_badge": row["actor_badge"],
            }
    flags = []
    for actor, weeks in counts.items():
        if week not in weeks:
            continue
        since = min(weeks)
        history = [
            weeks.get(since + dt.timedelta(weeks=i), 0)
            for i in range((week - since).days // 7)
            if since + dt.timedelta(weeks=i) >= first_week
        ]
        if len(history) < MEDIAN_MIN_WEEKS:
            continue
        median = statistics.median(history)
        if weeks[week] > factor * max(median, 1):
            event = {**names[actor], "occurred_at": local(week + dt.timedelta(days=7)) - dt.timedelta(microseconds=1)}
            flags.append(
                _flag(
                    AnomalyRule.WEEKLY_VOLUME,
                    f"{actor}:{week.isoformat()}",
                    event,
                    seqs=[],
                    week=week.isoformat(),
                    count=weeks[week],
                    median=median,
                    factor=factor,
                )
            )
    return flags


def anomalies_catch_up(*, now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Run every rule over the events written since the last run (in batches of ``limit`` log
    numbers), and the time-bound rules up to ``now``; returns how many log numbers were read."""
    now = now or timezone.now()
    policy = policy_current()
    zone = ZoneInfo(department_time_zone())
    read = 0
    while True:
        step = _batch(policy=policy, zone=zone, limit=limit)
        read += step
        if step < limit:
            break
    while True:
        with transaction.atomic():
            before = anomaly_mark_lock(name=EXIGENT_MARK)
        _exigent(policy=policy, now=now, limit=limit)
        with transaction.atomic():
            after = anomaly_mark_lock(name=EXIGENT_MARK)
        if after - before < limit:
            break
    _weekly(policy=policy, zone=zone, now=now)
    return read
