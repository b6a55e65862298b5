"""Complaints and public-records requests, entered by the oversight board (docs/annual-report.md).

The annual report counts them (R6, R10 of docs/annual-report.md), and it counts them from the
log: every entry and every change is a ``board_record`` event in the same transaction, whose
details carry the record's kind, category, status, outcome and dates (never the summary,
which is free text). So a report held to a checkpoint sees each record as it was at that
checkpoint. Records are never deleted: a change keeps the earlier version in the history, and
a record entered by mistake is marked "entered in error" (then no longer counted).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Invalid, NotFound

from .models import (
    BOARD_RECORD_CATEGORIES,
    BOARD_RECORD_OUTCOMES,
    AccessEvent,
    Action,
    BoardRecord,
    BoardRecordKind,
    BoardRecordStatus,
    Outcome,
)
from .services import ActorSnapshot, EventFacts, access_event_record

if TYPE_CHECKING:
    from django.db.models import QuerySet

__all__ = [
    "EARLIEST_RECEIVED",
    "SUMMARY_MAX",
    "BoardRecordIn",
    "RecordProblem",
    "board_record_change",
    "board_record_create",
    "board_record_get",
    "board_records",
    "board_records_as_of",
]

SUMMARY_MAX = 1000
CHANGE_NOTE_MAX = 100  # simple-history's change reason column
EARLIEST_RECEIVED = dt.date(2000, 1, 1)

# What a summary must not hold: the report and the history are read by many; the complainant's
# file is kept where complaints are handled, not here.
# An e-mail address, also written to slip past a filter: "jane@examplecom", "jane (at) example
# (dot) com", "jane at example dot com" (a plain "at" only before a "dot" or a host.tld).
_EMAIL = re.compile(
    r"[\w.+-]+\s*(?:@|[(\[{<]\s*at\s*[)\]}>])\s*[\w-]+"
    r"|[\w.+-]+\s+at\s+[\w-]+(?:\.|\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)[a-z]{2,}\b",
    re.IGNORECASE,
)
# A telephone number: 7 digits or more in groups that spaces, dots, dashes and brackets
# separate ("+1 (909) 555 - 0199", "909 555 - 01 99"). Digits joined to a word by a dash are a
# case number's (RPD-2026-001207), and dates and years (2026-12-07, 12.07.2026, 2025-2026) are
# taken out first: a summary says when, and names its case.
_PHONE = re.compile(r"(?<![\w-])\+?\(?\d(?:[\s().-]{0,4}\d){6,}")
_DATES = re.compile(
    r"(?<!\d)(?:(?:19|20)\d\d-\d\d?-\d\d?|\d\d?[./]\d\d?[./](?:19|20)\d\d|(?:19|20)\d\d\s?[-\u2013]\s?(?:19|20)\d\d)"
    r"(?!\d|[-./]\d)"
)


def _personal_data(text: str) -> bool:
    """Whether ``text`` seems to hold an e-mail address or a telephone number."""
    return bool(_EMAIL.search(text) or _PHONE.search(_DATES.sub(" ", text)))


class RecordProblem(StrEnum):
    KIND_UNKNOWN = "kind_unknown"
    RECEIVED_MISSING = "received_missing"
    RECEIVED_OUT_OF_RANGE = "received_out_of_range"
    CATEGORY_UNKNOWN = "category_unknown"
    SUMMARY_MISSING = "summary_missing"
    SUMMARY_TOO_LONG = "summary_too_long"
    SUMMARY_PERSONAL_DATA = "summary_personal_data"
    STATUS_UNKNOWN = "status_unknown"
    OUTCOME_UNKNOWN = "outcome_unknown"
    OUTCOME_MISSING = "outcome_missing"
    OUTCOME_NOT_CLOSED = "outcome_not_closed"
    DISPOSED_MISSING = "disposed_missing"
    DISPOSED_OUT_OF_RANGE = "disposed_out_of_range"
    NOTE_MISSING = "note_missing"
    NOTE_TOO_LONG = "note_too_long"
    NOT_FOUND = "record_not_found"


@dataclass(frozen=True)
class BoardRecordIn:
    kind: str
    received_on: dt.date | None
    category: str
    summary: str
    status: str = BoardRecordStatus.RECEIVED
    outcome: str = ""
    disposed_on: dt.date | None = None


def _check(record: BoardRecordIn, *, today: dt.date) -> BoardRecordIn:
    """The record with its summary trimmed, or Invalid naming the first field that is wrong."""
    if record.kind not in BoardRecordKind.values:
        raise Invalid(
            _("Choose a complaint or a public-records request."), code=RecordProblem.KIND_UNKNOWN, field="kind"
        )
    if record.received_on is None:
        raise Invalid(_("Give the date it was received."), code=RecordProblem.RECEIVED_MISSING, field="received_on")
    if not EARLIEST_RECEIVED <= record.received_on <= today:
        raise Invalid(
            _("The date received must be between %(first)s and today.") % {"first": EARLIEST_RECEIVED.isoformat()},
            code=RecordProblem.RECEIVED_OUT_OF_RANGE,
            field="received_on",
        )
    if record.category not in BOARD_RECORD_CATEGORIES[BoardRecordKind(record.kind)]:
        raise Invalid(
            _("Choose one of the categories listed for this kind of record."),
            code=RecordProblem.CATEGORY_UNKNOWN,
            field="category",
        )
    summary = record.summary.strip()
    if not summary:
        raise Invalid(
            _("Write a short summary of what it is about (no names or contact details)."),
            code=RecordProblem.SUMMARY_MISSING,
            field="summary",
        )
    if len(summary) > SUMMARY_MAX:
        raise Invalid(
            _("A summary has at most %(max)d characters.") % {"max": SUMMARY_MAX},
            code=RecordProblem.SUMMARY_TOO_LONG,
            field="summary",
        )
    if _personal_data(summary):
        raise Invalid(
            _(
                "The summary seems to hold an e-mail address or a telephone number: leave personal data out "
                "(keep it in the complaint's own file)."
            ),
            code=RecordProblem.SUMMARY_PERSONAL_DATA,
            field="summary",
        )
    if record.status not in BoardRecordStatus.values:
        raise Invalid(_("Choose a status from the list."), code=RecordProblem.STATUS_UNKNOWN, field="status")
    outcomes = BOARD_RECORD_OUTCOMES[BoardRecordKind(record.kind)]
    if record.outcome and record.outcome not in outcomes:
        raise Invalid(
            _("Choose one of the outcomes listed for this kind of record."),
            code=RecordProblem.OUTCOME_UNKNOWN,
            field="outcome",
        )
    closed = record.status == BoardRecordStatus.CLOSED
    if closed and not record.outcome:
        raise Invalid(_("A closed record needs its outcome."), code=RecordProblem.OUTCOME_MISSING, field="outcome")
    if closed and record.disposed_on is None:
        raise Invalid(
            _("A closed record needs the date it was closed."), code=RecordProblem.DISPOSED_MISSING, field="disposed_on"
        )
    if not closed and (record.outcome or record.disposed_on):
        raise Invalid(
            _("Only a closed record has an outcome and a closing date: set the status to closed, or clear them."),
            code=RecordProblem.OUTCOME_NOT_CLOSED,
            field="status",
        )
    if record.disposed_on is not None and not record.received_on <= record.disposed_on <= today:
        raise Invalid(
            _("The closing date must be between the date received and today."),
            code=RecordProblem.DISPOSED_OUT_OF_RANGE,
            field="disposed_on",
        )
    return BoardRecordIn(
        kind=record.kind,
        received_on=record.received_on,
        category=record.category,
        summary=summary,
        status=record.status,
        outcome=record.outcome,
        disposed_on=record.disposed_on,
    )


def _facts(record: BoardRecord, *, change: str, version: int) -> EventFacts:
    # The summary stays out of the log (free text); everything the report counts is here.
    return EventFacts(
        action=Action.BOARD_RECORD,
        outcome=Outcome.ALLOWED,
        reason="ok",
        targets=[f"board_record:{record.pk}"],
        details={
            "record": record.pk,
            "change": change,
            "version": version,
            "kind": record.kind,
            "category": record.category,
            "status": record.status,
            "outcome": record.outcome,
            "received_on": record.received_on.isoformat(),
            "disposed_on": record.disposed_on.isoformat() if record.disposed_on else "",
        },
    )


def _user(actor: ActorSnapshot) -> User | None:
    return User.objects.filter(pk=actor.user_id).first() if actor.user_id else None


def board_record_create(*, record: BoardRecordIn, actor: ActorSnapshot, today: dt.date) -> BoardRecord:
    """Enter a complaint or records request and log it (``board_record``), in one transaction."""
    clean = _check(record, today=today)
    assert clean.received_on is not None  # _check refuses a record without one
    with transaction.atomic():
        row = BoardRecord(
            kind=clean.kind,
            received_on=clean.received_on,
            category=clean.category,
            summary=clean.summary,
            status=clean.status,
            outcome=clean.outcome,
            disposed_on=clean.disposed_on,
            entered_at=timezone.now(),
            event_seq=0,
        )
        # The row's id goes into its event, and the event's number into the row's first version.
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('audit_boardrecord', 'id'))")
            row.pk = int(cursor.fetchone()[0])
        row.event_seq = access_event_record(actor=actor, facts=_facts(row, change="created", version=1)).seq
        row._history_user = _user(actor)  # type: ignore[attr-defined]
        row._change_reason = "entered"  # type: ignore[attr-defined]
        row.save(force_insert=True)
        return row


def board_record_change(
    *, record_id: int, record: BoardRecordIn, note: str, actor: ActorSnapshot, today: dt.date
) -> BoardRecord:
    """Change a record (its status and outcome as it goes on, or a correction), saying why in
    ``note``; the earlier version stays in the history. The kind never changes."""
    note = note.strip()
    if not note:
        raise Invalid(
            _("Say what changed and why (for the record's history)."), code=RecordProblem.NOTE_MISSING, field="note"
        )
    if len(note) > CHANGE_NOTE_MAX:
        raise Invalid(
            _("The note has at most %(max)d characters.") % {"max": CHANGE_NOTE_MAX},
            code=RecordProblem.NOTE_TOO_LONG,
            field="note",
        )
    with transaction.atomic():
        row = BoardRecord.objects.select_for_update().filter(pk=record_id).first()
        if row is None:
            raise NotFound(_("There is no such record."), code=RecordProblem.NOT_FOUND)
        clean = _check(
            BoardRecordIn(
                kind=row.kind,
                received_on=record.received_on,
                category=record.category,
                summary=record.summary,
                status=record.status,
                outcome=record.outcome,
                disposed_on=record.disposed_on,
            ),
            today=today,
        )
        assert clean.received_on is not None  # _check refuses a record without one
        row.received_on = clean.received_on
        row.category, row.summary, row.status = clean.category, clean.summary, clean.status
        row.outcome, row.disposed_on = clean.outcome, clean.disposed_on
        version = row.history.count() + 1
        row.event_seq = access_event_record(actor=actor, facts=_facts(row, change="changed", version=version)).seq
        row._history_user = _user(actor)  # type: ignore[attr-defined]
        row._change_reason = note  # type: ignore[attr-defined]
        row.save()
        return row


def board_record_get(*, record_id: int) -> BoardRecord:
    row = BoardRecord.objects.filter(pk=record_id).first()
    if row is None:
        raise NotFound(_("There is no such record."), code=RecordProblem.NOT_FOUND)
    return row


def board_records(*, kind: str = "") -> QuerySet[BoardRecord]:
    records = BoardRecord.objects.all()
    return records.filter(kind=kind) if kind else records


@dataclass(frozen=True)
class RecordState:
    """A record as the log knew it at some event number (no summary: the log has none)."""

    record: int
    kind: str
    category: str
    status: str
    outcome: str
    received_on: dt.date
    disposed_on: dt.date | None


def board_records_as_of(*, upto: int) -> list[RecordState]:
    """Every record as its last ``board_record`` event up to event ``upto`` left it, read from
    the log (the action's index: a few hundred events a year)."""
    latest: dict[int, dict[str, Any]] = {}
    events = AccessEvent.objects.filter(action=Action.BOARD_RECORD, seq__lte=upto, outcome=Outcome.ALLOWED)
    for details in events.order_by("seq").values_list("details", flat=True):
        if isinstance(details, dict) and isinstance(details.get("record"), int):
            latest[details["record"]] = details
    states = []
    for record, d in sorted(latest.items()):
        try:
            received = dt.date.fromisoformat(d["received_on"])
            disposed = dt.date.fromisoformat(d["disposed_on"]) if d.get("disposed_on") else None
        except (KeyError, TypeError, ValueError):
            continue
        states.append(
            RecordState(
                record=record,
                kind=str(d.get("kind", "")),
                category=str(d.get("category", "")),
                status=str(d.get("status", "")),
                outcome=str(d.get("outcome", "")),
                received_on=received,
                disposed_on=disposed,
            )
        )
    return states
