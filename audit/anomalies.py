"""The anomaly queue's storage: flags, the marks the engine reads the log from, the board's
review notes (docs/anomalies.md).

The rules need places and cameras (sensitive places, a camera's identity), which the log knows
nothing of: they are computed above both, by cameras.anomalies, which locks a mark here
(``anomaly_mark_lock``), reads the events after it, writes its flags (``anomaly_flags_add``,
idempotent by each flag's key) and moves the mark, in one transaction. The board's page reads
only these tables.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Invalid, NotFound

from .models import Action, AnomalyFlag, AnomalyReview, AnomalyRule, Outcome
from .services import ActorSnapshot, EventFacts, access_event_record

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "NOTE_MAX",
    "FlagIn",
    "ReviewProblem",
    "anomaly_flag_seqs",
    "anomaly_flags",
    "anomaly_flags_accumulate",
    "anomaly_flags_add",
    "anomaly_flags_last",
    "anomaly_mark_lock",
    "anomaly_mark_set",
    "anomaly_review_add",
    "flag_explain",
]

NOTE_MAX = 2000


class ReviewProblem(StrEnum):
    NOTE_MISSING = "note_missing"
    NOTE_TOO_LONG = "note_too_long"
    FLAG_NOT_FOUND = "flag_not_found"


@dataclass(frozen=True)
class FlagIn:
    rule: str
    key: str
    seqs: list[int]
    occurred_at: dt.datetime
    officer_id: int | None
    officer_label: str = ""
    officer_badge: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def anomaly_mark_lock(*, name: str) -> int:
    """The mark ``name`` (0 the first time), locked until the caller's transaction ends, so two
    workers never compute the same events at once."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_rollupmark (name, seq, time_zone) VALUES (%s, 0, '') ON CONFLICT (name) DO NOTHING",
            [name],
        )
        cursor.execute("SELECT seq FROM audit_rollupmark WHERE name = %s FOR UPDATE", [name])
        return int(cursor.fetchone()[0])


def anomaly_mark_set(*, name: str, value: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_rollupmark SET seq = %s WHERE name = %s", [value, name])


def anomaly_flags_add(*, flags: list[FlagIn]) -> int:
    """Store ``flags``; one already stored (same rule and key) is left as it was. Returns how
    many were new."""
    rows = [
        AnomalyFlag(
            rule=f.rule,
            key=f.key[:200],
            seqs=f.seqs,
            occurred_at=f.occurred_at,
            officer_id=f.officer_id,
            officer_label=f.officer_label[:200],
            officer_badge=f.officer_badge[:32],
            details=f.details,
        )
        for f in flags
    ]
    before = AnomalyFlag.objects.count()
    AnomalyFlag.objects.bulk_create(rows, ignore_conflicts=True)
    return AnomalyFlag.objects.count() - before


# A subject's key, then "#" and the first event of a later flag of the same subject: within
# the field's 200 characters. A longer subject (never seen: a vague purpose is a few words) is
# kept by its start and a digest, so two subjects never share a flag.
_SUBJECT_MAX = 170


def _subject(key: str) -> str:
    if len(key) <= _SUBJECT_MAX:
        return key
    return f"{key[:150]}~{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def anomaly_flags_accumulate(*, flags: list[FlagIn]) -> int:
    """Store flags that gather every event of their subject (``key``: the vague-purpose rule's
    officer, case number and text), each with the subject's events of this run. The subject's
    flag the board has not reviewed yet takes the new events; a subject with none (never
    flagged, or every flag of it reviewed) gets a new flag, so that a note never covers events
    the board did not see. Idempotent: events already on a flag of the subject are skipped.
    Returns how many flags were new. Called under the engine's mark lock (one writer)."""
    made = 0
    for flag in flags:
        subject = _subject(flag.key)
        existing = list(
            AnomalyFlag.objects.select_for_update()
            .filter(rule=flag.rule)
            .filter(Q(key=subject) | Q(key__startswith=f"{subject}#"))
            .annotate(reviewed=Exists(AnomalyReview.objects.filter(flag=OuterRef("pk"))))
            .order_by("occurred_at", "pk")
        )
        seen = {seq for row in existing for seq in row.seqs}
        seqs = sorted(seq for seq in set(flag.seqs) if seq not in seen)
        if not seqs:
            continue
        open_ = next((row for row in existing if not row.reviewed), None)
        if open_ is not None:
            open_.seqs = sorted({*open_.seqs, *seqs})
            open_.save(update_fields=["seqs"])
            continue
        AnomalyFlag.objects.create(
            rule=flag.rule,
            key=subject if not existing else f"{subject}#{seqs[0]}",
            seqs=seqs,
            occurred_at=flag.occurred_at,
            officer_id=flag.officer_id,
            officer_label=flag.officer_label[:200],
            officer_badge=flag.officer_badge[:32],
            details=flag.details,
        )
        made += 1
    return made


def anomaly_flags_last(*, rule: str, since: dt.datetime) -> dict[str, dt.datetime]:
    """The newest flag of ``rule`` since ``since`` per subject (its key up to its last ":"),
    in one query: the engine's "one flag per burst"."""
    out: dict[str, dt.datetime] = {}
    for key, at in AnomalyFlag.objects.filter(rule=rule, occurred_at__gte=since).values_list("key", "occurred_at"):
        subject = key.rsplit(":", 1)[0] + ":"
        if subject not in out or at > out[subject]:
            out[subject] = at
    return out


def anomaly_flag_seqs(*, flag_id: int) -> list[int] | None:
    """The numbers of the events that raised flag ``flag_id`` of this department (its schema),
    or None when it has no such flag (missing and another department's look the same)."""
    return AnomalyFlag.objects.filter(pk=flag_id).values_list("seqs", flat=True).first()


def anomaly_flags(*, rule: str = "", reviewed: bool | None = None) -> QuerySet[AnomalyFlag]:
    """The queue, newest first, with each flag's notes prefetched."""
    flags = AnomalyFlag.objects.annotate(has_review=Exists(AnomalyReview.objects.filter(flag=OuterRef("pk"))))
    if rule:
        flags = flags.filter(rule=rule)
    if reviewed is not None:
        flags = flags.filter(has_review=reviewed)
    return flags.prefetch_related("reviews")


def anomaly_review_add(*, flag_id: int, note: str, actor: ActorSnapshot) -> AnomalyReview:
    """Add the board member's note to a flag and log it (``anomaly_review``), in one
    transaction. An empty note or an unknown flag is refused with a sentence naming it."""
    note = note.strip()
    if not note:
        raise Invalid(
            _("Write a note: what you looked at and what you concluded."), code=ReviewProblem.NOTE_MISSING, field="note"
        )
    if len(note) > NOTE_MAX:
        raise Invalid(
            _("A note has at most %(max)d characters.") % {"max": NOTE_MAX},
            code=ReviewProblem.NOTE_TOO_LONG,
            field="note",
        )
    with transaction.atomic():
        flag = AnomalyFlag.objects.filter(pk=flag_id).first()
        if flag is None:
            raise NotFound(_("There is no such flag."), code=ReviewProblem.FLAG_NOT_FOUND)
        event = access_event_record(
            actor=actor,
            facts=EventFacts(
                action=Action.ANOMALY_REVIEW,
                outcome=Outcome.ALLOWED,
                reason="ok",
                targets=[f"anomaly_flag:{flag.pk}"],
                details={"rule": flag.rule, "flag": flag.pk, "seqs": flag.seqs[:50], "note": note},
            ),
        )
        return AnomalyReview.objects.create(
            flag=flag,
            note=note,
            reviewer_id=actor.user_id,
            reviewer_label=actor.label,
            reviewed_at=timezone.now(),
            event_seq=event.seq,
        )


def flag_explain(flag: AnomalyFlag) -> str:
    """What the rule found, in words."""
    d = flag.details
    texts = {
        AnomalyRule.OFF_HOURS: _("Live view started at %(time)s, outside %(start)02d:00 to %(end)02d:00."),
        AnomalyRule.REPEAT_CAMERA: _("Opened camera %(camera)s %(count)s times within %(days)s days."),
        AnomalyRule.WEEKLY_VOLUME: _(
            "%(count)s accesses in the week of %(week)s; the officer's median week: %(median)s "
            "(threshold: %(factor)s times)."
        ),
        AnomalyRule.VAGUE_PURPOSE: _("Purpose “%(text)s” (case %(case)s) is vague."),
        AnomalyRule.SENSITIVE_PLACE: _("Search within %(distance)s m of %(places)s."),
        AnomalyRule.DENIALS_THEN_SUCCESS: _(
            "Refused %(count)s times on camera %(camera)s within %(minutes)s minutes, then allowed."
        ),
        AnomalyRule.EXIGENT_NO_REPORT: _(
            "Exigent purpose for case %(case)s: no footage request or ordinary purpose for it within %(days)s days."
        ),
    }
    text = texts.get(flag.rule)  # type: ignore[call-overload]
    if text is None:
        return flag.rule
    try:
        return str(text) % d
    except (KeyError, TypeError, ValueError):
        return str(text)
