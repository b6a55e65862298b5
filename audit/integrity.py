"""A rewrite of the log, once found: which events, kept, told and resolved.

Two checks find that the log was rewritten: the walk of the hash chain (audit.verify, hourly and
``audit_verify``), and the growth of the Merkle tree before each checkpoint (audit.checkpoints),
which finds the tree's newest leaf no longer matching its event. Neither names the event that was
changed: the walk stops at the first row that does not follow, which after a rewrite re-hashed to
the end is the head it was held to, and the tree looks at its newest leaf only. So when either
finds one, ``rewrite_locate`` reads every event once, beside the tree's leaves, and names the
first event whose stored contents no longer produce its hashes or whose hash is no longer the one
the tree holds, the last such event, and how many there are.

Each rewrite found is kept once (``LogFailure``, append-only): a check that finds the log still
broken an hour later adds nothing, while a failure is already kept since the log last verified
in full. Whoever listens (``log_failure_listen``: the notifications sit beside the log, not below
it) is told in the transaction that keeps it. The failure stays on the public transparency page,
its JSON and feed, and the owners' pages (``failure_statement``, in English and Spanish), until
the oversight board records it resolved (``log_failure_resolve``) and after, marked resolved.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import Invalid, NotFound

from . import merkle
from .chain import GENESIS, HASHED_FIELDS, row_hash_problem
from .models import (
    MERKLE_INDEX_BITS,
    READABLE_TIME_SQL,
    Action,
    LogFailure,
    LogFailureResolution,
    Outcome,
    VerificationKind,
)
from .reasons import Refusal
from .rollups import department_time_zone
from .selectors import chain_verification_latest
from .services import ActorSnapshot, EventFacts, access_event_record

__all__ = [
    "FailureNotice",
    "RewriteLocation",
    "Run",
    "failure_items",
    "failure_statement",
    "failure_statements",
    "failures_published",
    "log_failure_found",
    "log_failure_get",
    "log_failure_listen",
    "log_failure_resolve",
    "log_failures",
    "rewrite_locate",
]

NOTE_MAX = 2000
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('porchlight.audit.failure.' || current_schema()))"
_LEAVES = (1 << MERKLE_INDEX_BITS) - 1  # a level-0 node's position is its index: event #seq is seq - 1
_COLUMNS = ", ".join(
    f"{READABLE_TIME_SQL.format('e.occurred_at')} AS occurred_at" if name == "occurred_at" else f"e.{name}"
    for name in (*HASHED_FIELDS, "content_hash", "hash")
)
_WALK = (
    f"SELECT {_COLUMNS}, n.hash AS leaf FROM audit_accessevent AS e "  # noqa: S608 (fixed columns)
    "LEFT JOIN audit_merklenode AS n ON n.position = e.seq - 1 WHERE e.seq >= 1 ORDER BY e.seq"
)


# --- Where the rewrite starts -----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Events ``first`` to ``last`` in a row no longer match what was written; ``since``: when
    the last intact event before ``first`` was recorded (None: ``first`` is #1)."""

    first: int
    last: int
    since: dt.datetime | None

    @property
    def events(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class RewriteLocation:
    """Where a rewrite lies: its runs of events that no longer match, in order (at least one)."""

    runs: tuple[Run, ...]

    @property
    def first(self) -> int:
        return self.runs[0].first

    @property
    def last(self) -> int:
        return self.runs[-1].last

    @property
    def events(self) -> int:
        return sum(run.events for run in self.runs)

    @property
    def since(self) -> dt.datetime | None:
        return self.runs[0].since

    def sentence(self) -> str:
        """In English, as the checks' own findings are kept (the board's page and the operators)."""
        if self.first == self.last:
            return f"event #{self.first} no longer matches what was written"
        return (
            f"event #{self.first} is the first that no longer matches what was written; "
            f"{self.events} events from #{self.first} to #{self.last} do not"
        )


class _Runs:
    """The events found not to match, as the walk meets them: in ascending order, but for the
    event before the current one, which a broken link points back to."""

    def __init__(self) -> None:
        self.runs: list[Run] = []

    def add(self, seq: int, before: dt.datetime | None, count: int = 1) -> None:
        last = seq + count - 1
        if self.runs and seq <= self.runs[-1].last + 1:  # joins (or is already in) the last run
            run = self.runs[-1]
            if last > run.last:
                self.runs[-1] = Run(run.first, last, run.since)
            return
        self.runs.append(Run(seq, last, before))


def rewrite_locate(*, batch: int = 5000) -> RewriteLocation | None:
    """Read every event once, in order, beside the tree's leaf for it, and name the events that
    no longer match what was written: a row whose contents no longer produce its hashes (an edit
    in place); a row whose hash is no longer the one the tree holds for it (an edit re-hashed,
    with every later hash recomputed); a row another one no longer links to; a number missing
    (a row removed), or leaves the tree holds beyond the last event (rows removed from the end).
    None when every event matches (the tree was rebuilt since, or the check that found the
    failure saw what no single row shows, e.g. a head held from before)."""
    found = _Runs()
    expected, prev_hash = 1, GENESIS
    times: list[dt.datetime | None] = [None, None]  # the two events before the current one
    with connection.cursor() as cursor:
        cursor.execute(_WALK)
        names = [c.name for c in cursor.description]
        while rows := cursor.fetchmany(batch):
            for row in rows:
                values = dict(zip(names, row, strict=True))
                seq = values["seq"]
                if seq != expected:  # removed rows: the missing ones are affected
                    found.add(expected, times[-1], seq - expected)
                elif values["prev_hash"] != prev_hash and seq > 1:
                    # This row links to what the one before it was: that one changed since.
                    found.add(seq - 1, times[-2])
                if _row_changed(values):
                    found.add(seq, times[-1])
                times = [times[-1], values["occurred_at"]]
                expected, prev_hash = seq + 1, values["hash"]
        cursor.execute("SELECT max(position) FROM audit_merklenode WHERE position <= %s", [_LEAVES])
        last_leaf = cursor.fetchone()[0]
    tree_size = 0 if last_leaf is None else last_leaf + 1
    if tree_size >= expected:  # the tree holds events the log no longer has
        found.add(expected, times[-1], tree_size - expected + 1)
    return RewriteLocation(tuple(found.runs)) if found.runs else None


def _row_changed(values: dict[str, Any]) -> bool:
    details = values["details"]
    if isinstance(details, str):  # jsonb arrives as text on a raw cursor
        try:
            values["details"] = json.loads(details)
        except ValueError:
            return True
    if values["occurred_at"] is None:  # a time out of range: changed by hand
        return True
    if row_hash_problem(values) is not None:
        return True
    leaf = values["leaf"]
    if leaf is None:
        return False  # not in the tree yet: its own hashes are all there is to check
    return merkle.leaf_hash(merkle.event_leaf(str(values["hash"]))) != bytes(leaf)


# --- Keeping a failure once, and telling whoever listens ---------------------------------------

_LISTENERS: list[Callable[..., None]] = []


def log_failure_listen(listener: Callable[..., None]) -> None:
    """Call ``listener(failure_id=...)`` in the transaction that keeps a new failure, from an
    AppConfig.ready() (footage tells the board and the administrators)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _open_failures() -> list[LogFailure]:
    """The failures kept since the chain last verified in full (all of them if it never did)."""
    failures = LogFailure.objects.order_by("pk")
    verified = chain_verification_latest(ok=True, how=VerificationKind.FULL)
    if verified is not None:
        failures = failures.filter(found_at__gt=verified.verified_at)
    return list(failures)


def log_failure_found(
    *, found_by: str, problem: str, seq: int | None = None, location: RewriteLocation | None = None
) -> LogFailure | None:
    """Keep a rewrite a check found, once, and tell the listeners; None when it is one already
    kept. ``problem`` is the check's finding, ``seq`` the event it names.

    Without ``location`` (the walk of the chain, which finds the same break every hour until
    the log verifies again): a failure kept since the chain last verified in full is this one,
    and nothing is read; otherwise the events are read to locate it (rewrite_locate). With it
    (the tree, which locates before it is rebuilt and finds each rewrite once): the runs of
    events that no failure kept since covers are a new failure, named by the first of them."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_LOCK)  # two checks finding it at once keep it once
        kept = _open_failures()
        if location is None:
            if kept:
                return None
            location = rewrite_locate()
        elif kept:
            new = tuple(run for run in location.runs if not any(_covers(failure, run) for failure in kept))
            if not new:
                return None
            location = RewriteLocation(new)
        finding = f"{location.sentence()}. Found: {problem}" if location is not None else problem
        failure = LogFailure.objects.create(
            found_at=timezone.now(),
            found_by=found_by[:60],
            first_seq=location.first if location is not None else seq,
            last_seq=location.last if location is not None else seq,
            events=location.events if location is not None else (1 if seq is not None else 0),
            since=location.since if location is not None else None,
            problem=finding[:1000],
        )
        for listener in _LISTENERS:
            listener(failure_id=failure.pk)
        return failure


def _covers(failure: LogFailure, run: Run) -> bool:
    if failure.first_seq is None:
        return True  # a failure that could not be located stands for every event
    return failure.first_seq <= run.first and run.last <= (failure.last_seq or failure.first_seq)


# --- What is published ---------------------------------------------------------------------


@dataclass(frozen=True)
class FailureNotice:
    failure: LogFailure
    resolution: LogFailureResolution | None

    @property
    def resolved(self) -> bool:
        return self.resolution is not None

    def covers(self, seq: int) -> bool:
        """Whether event ``seq`` is in the affected range (an unlocated failure: every event)."""
        failure = self.failure
        if failure.first_seq is None:
            return True
        return failure.first_seq <= seq <= (failure.last_seq or failure.first_seq)


def log_failures() -> list[FailureNotice]:
    """Every failure of this department's log, newest first, with the board's resolution (two
    queries; a log has few)."""
    failures = list(LogFailure.objects.order_by("-found_at", "-pk"))
    if not failures:
        return []
    resolutions = {r.failure_id: r for r in LogFailureResolution.objects.filter(failure__in=failures)}
    return [FailureNotice(failure, resolutions.get(failure.pk)) for failure in failures]


def log_failure_get(*, failure_id: int) -> FailureNotice | None:
    """One failure of this department's log, with its resolution (None: no such failure here)."""
    failure = LogFailure.objects.filter(pk=failure_id).first()
    if failure is None:
        return None
    return FailureNotice(failure, LogFailureResolution.objects.filter(failure=failure).first())


def _day(at: dt.datetime, zone: ZoneInfo) -> str:
    return f"{at.astimezone(zone):%Y-%m-%d}"


def failure_statement(notice: FailureNotice, *, language: str, zone: str | None = None) -> str:
    """The plain statement of a failure for everyone who relies on the log, in ``language``:
    when it was found, which events and since when, that figures published since may be
    unreliable, and, once the board recorded it, that it was resolved, when and its note."""
    failure = notice.failure
    local = ZoneInfo(zone or department_time_zone())
    found = _day(failure.found_at, local)
    with translation.override(language):
        parts = [_("This department's access log failed verification on %(day)s.") % {"day": found}]
        first, last = failure.first_seq, failure.last_seq
        if first is None:
            parts.append(_("Which events were changed could not be determined."))
        elif last is None or last == first:
            parts.append(_("Event #%(first)s no longer matches what was originally recorded.") % {"first": first})
        else:
            parts.append(
                ngettext(
                    "Events #%(first)s to #%(last)s (%(count)s event) no longer match what was originally recorded.",
                    "Events #%(first)s to #%(last)s (%(count)s events) no longer match what was originally recorded.",
                    failure.events,
                )
                % {"first": first, "last": last, "count": failure.events}
            )
        if failure.since is not None and first is not None:
            parts.append(_("Figures published since %(day)s may be unreliable.") % {"day": _day(failure.since, local)})
        else:
            parts.append(_("Any figure published from this log may be unreliable."))
        if notice.resolution is None:
            parts.append(_("The oversight board has not yet recorded it as reviewed."))
        else:
            parts.append(
                _("The oversight board recorded it as resolved on %(day)s: “%(note)s”")
                % {"day": _day(notice.resolution.resolved_at, local), "note": notice.resolution.note}
            )
        return " ".join(parts)


def failure_statements(notice: FailureNotice, *, zone: str | None = None) -> list[tuple[str, str]]:
    """The statement in every language of the site, the active one first: (code, text)."""
    active = translation.get_language() or settings.LANGUAGE_CODE
    codes = [code for code, _name in settings.LANGUAGES]
    ordered = sorted(codes, key=lambda code: code != active.split("-")[0])
    return [(code, failure_statement(notice, language=code, zone=zone)) for code in ordered]


def failure_items(
    notices: list[FailureNotice], *, extra: Callable[[FailureNotice], list[str]] | None = None
) -> list[dict[str, Any]]:
    """What partials/log_failures.html shows of each failure: its statement in every language
    (the active first), and any sentences the page adds (an owner's accesses in the range)."""
    zone = department_time_zone()
    return [
        {"notice": notice, "statements": failure_statements(notice, zone=zone), "extra": extra(notice) if extra else []}
        for notice in notices
    ]


def failures_published(notices: list[FailureNotice]) -> dict[str, Any]:
    """The failures as open data (the transparency page's JSON): ``status`` is "failed" while one
    is not resolved, "resolved" when every one is, "no_failure_found" when there is none."""
    zone = department_time_zone()
    local = ZoneInfo(zone)
    status = "no_failure_found"
    if notices:
        status = "resolved" if all(notice.resolved for notice in notices) else "failed"
    return {
        "status": status,
        "failures": [
            {
                "found_at": notice.failure.found_at.isoformat(),
                "found_by": notice.failure.found_by,
                "first_event": notice.failure.first_seq,
                "last_event": notice.failure.last_seq,
                "events": notice.failure.events,
                "affected_since": notice.failure.since.isoformat() if notice.failure.since else None,
                "figures_unreliable_since": _day(notice.failure.since, local) if notice.failure.since else None,
                "finding": notice.failure.problem,
                "statement": dict(failure_statements(notice, zone=zone)),
                "resolved_at": notice.resolution.resolved_at.isoformat() if notice.resolution else None,
                "resolution": notice.resolution.note if notice.resolution else None,
            }
            for notice in notices
        ],
    }


# --- The board records a failure resolved ---------------------------------------------------


class ResolveProblem:
    NOTE_MISSING = "note_missing"
    NOTE_TOO_LONG = "note_too_long"
    ALREADY_RESOLVED = "already_resolved"
    NOT_FOUND = Refusal.NOT_FOUND


def log_failure_resolve(*, failure_id: int, note: str, actor: ActorSnapshot) -> LogFailureResolution:
    """The oversight board records that it reviewed failure ``failure_id`` and what it concluded
    (published beside the failure, which stays on every page, marked resolved), logged as
    ``log_failure_resolve`` in the same transaction. Refused, with a sentence: an empty or too
    long note, a failure already resolved; NotFound: no such failure in this department."""
    note = note.strip()
    if not note:
        raise Invalid(
            _("Write a note: what the board found and why it considers the failure resolved."),
            code=ResolveProblem.NOTE_MISSING,
            field="note",
        )
    if len(note) > NOTE_MAX:
        raise Invalid(
            _("A note has at most %(max)d characters.") % {"max": NOTE_MAX},
            code=ResolveProblem.NOTE_TOO_LONG,
            field="note",
        )
    with transaction.atomic():
        failure = LogFailure.objects.select_for_update().filter(pk=failure_id).first()
        if failure is None:
            raise NotFound(_("There is no such failure of the log."), code=ResolveProblem.NOT_FOUND)
        earlier = LogFailureResolution.objects.filter(failure=failure).first()
        if earlier is not None:
            raise Invalid(
                _("This failure was already recorded as resolved on %(day)s.")
                % {"day": _day(earlier.resolved_at, ZoneInfo(department_time_zone()))},
                code=ResolveProblem.ALREADY_RESOLVED,
                field="note",
            )
        event = access_event_record(
            actor=actor,
            facts=EventFacts(
                action=Action.LOG_FAILURE_RESOLVE,
                outcome=Outcome.ALLOWED,
                reason="ok",
                targets=[f"log_failure:{failure.pk}"],
                details={
                    "failure": failure.pk,
                    "first_seq": failure.first_seq,
                    "last_seq": failure.last_seq,
                    "note": note,
                },
            ),
        )
        return LogFailureResolution.objects.create(
            failure=failure,
            note=note,
            resolved_at=timezone.now(),
            reviewer_id=actor.user_id,
            reviewer_label=actor.label[:200],
            event_seq=event.seq,
        )
