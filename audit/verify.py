"""Walking the chain: the first row that does not follow from the one before it."""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS, HASHED_FIELDS, content_hash, event_hash, link_hash
from .models import READABLE_TIME_SQL, Action, Outcome
from .services import ActorSnapshot, EventFacts, access_event_record


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""
    checkpoints: int = 0

    def sentence(self) -> str:
        if self.ok:
            held = f"; {self.checkpoints} checkpoint{'s' if self.checkpoints != 1 else ''} holds" * bool(
                self.checkpoints
            )
            return f"ok: {self.count} events, head {self.head_hash}{held}"
        if self.broken_seq is None:
            return f"BROKEN: {self.problem}"
        return f"BROKEN at event #{self.broken_seq}: {self.problem}"


_BEFORE_ANY = -(2**63)  # the smallest bigint
# A time Python cannot hold (infinity, after 9999, before year 1) is read as NULL, so that a
# row edited to one is reported rather than crashing the walk (and the hourly alert with it).
_READABLE = {"occurred_at": f"{READABLE_TIME_SQL.format('occurred_at')} AS occurred_at"}


def chain_verify(
    *, expect: Iterable[tuple[int, str]] = (), after: tuple[int, str] | None = None, batch: int = 5000
) -> ChainReport:
    """Verify the current schema's chain from the first event to the head.

    Names the first event that is not what the chain says it was: a row whose contents no
    longer produce its hashes; a row that agrees with itself (edited and re-hashed) but is
    no longer what the next event links to; a gap (a removed row); a row outside the chain.

    What the chain alone cannot show, someone holding an earlier head can: ``expect`` lists
    (seq, hash) checkpoints kept outside the database (from the public page, an oversight
    report, a previous run). A removed tail leaves a shorter chain that verifies; a chain
    rewritten and recomputed from some row on verifies too; a checkpoint catches both.

    ``after`` = (seq, hash) of an event verified earlier: that event must still be there
    with that hash, and only the events after it are walked (what the oversight page does
    between two full verifications).
    """
    expected = dict(expect)
    start = _BEFORE_ANY  # a row numbered below 1 is walked too: it lies outside the chain
    if after is not None:
        start, expected[after[0]] = after[0], after[1]
    columns = ", ".join(_READABLE.get(name, name) for name in (*HASHED_FIELDS, "content_hash", "hash"))
    expected_seq, expected_prev, count = 1, GENESIS, 0
    before_prev = GENESIS  # the hash of the event before the previous one (the head if that one is broken)
    with connection.cursor() as cursor:
        # Only with the NOT NULL constraint dropped; the walk below (by number) would not see it.
        cursor.execute("SELECT id FROM audit_accessevent WHERE seq IS NULL ORDER BY id LIMIT 1")
        if (unnumbered := cursor.fetchone()) is not None:
            problem = f"an event (row id {unnumbered[0]}) has no number: it was changed or inserted by hand"
            return ChainReport(False, 0, GENESIS, None, problem)
        if after is not None:
            cursor.execute("SELECT prev_hash FROM audit_accessevent WHERE seq = %s", [after[0]])
            row = cursor.fetchone()
            expected_seq, count = after[0], after[0] - 1
            expected_prev = row[0] if row else ""
            if row is None:
                problem = "a checkpoint holds it, but the log no longer does: events were removed"
                return ChainReport(False, count, expected_prev, after[0], problem)
        cursor.execute(
            f"SELECT {columns} FROM audit_accessevent WHERE seq >= %s ORDER BY seq",  # noqa: S608 (fixed columns)
            [start],
        )
        names = [c.name for c in cursor.description]
        while rows := cursor.fetchmany(batch):
            for row in rows:
                values = dict(zip(names, row, strict=True))
                seq = values["seq"]
                if isinstance(values["details"], str):  # jsonb arrives as text on a raw cursor
                    try:
                        values["details"] = json.loads(values["details"])
                    except ValueError:  # e.g. a number of thousands of digits: never written by the writer
                        return ChainReport(False, count, expected_prev, seq, "its details were changed")
                if values["occurred_at"] is None:
                    return ChainReport(False, count, expected_prev, seq, "its time was changed (to one out of range)")
                if seq < 1:
                    problem = "it lies outside the chain (events are numbered from #1): it was inserted by hand"
                    return ChainReport(False, count, expected_prev, seq, problem)
                if seq != expected_seq:
                    return ChainReport(False, count, expected_prev, seq, f"event #{expected_seq} is missing")
                if (own := _hash_problem(values)) is not None:
                    return ChainReport(False, count, expected_prev, seq, own)
                if values["prev_hash"] != expected_prev:
                    # This event agrees with itself, so it links to what the event before it
                    # was when it was written: that one has changed since, hashes and all.
                    if seq == 1:
                        problem = f"it links to {values['prev_hash']}, not to the start of the chain ({GENESIS})"
                        return ChainReport(False, 0, GENESIS, seq, problem + ": it was replaced")
                    problem = (
                        f"event #{seq} links to {values['prev_hash']}, but this event now hashes to "
                        f"{expected_prev}: it was changed and its hashes recomputed after event #{seq} "
                        f"was written (or event #{seq} was replaced by one that links elsewhere)"
                    )
                    return ChainReport(False, count - 1, before_prev, seq - 1, problem)
                if seq in expected and expected[seq] != values["hash"]:
                    problem = f"it differs from the checkpoint (hash {values['hash']}, checkpoint {expected[seq]})"
                    return ChainReport(False, count, expected_prev, seq, problem + ": the log was rewritten")
                before_prev = expected_prev
                expected_seq, expected_prev, count = seq + 1, values["hash"], count + 1
    beyond = sorted(seq for seq in expected if seq >= expected_seq)
    if beyond:
        problem = f"a checkpoint holds it, but the log ends at #{count}: events were removed from its end"
        return ChainReport(False, count, expected_prev, beyond[0], problem)
    return ChainReport(True, count, expected_prev, checkpoints=len(expected))


# --- What the oversight page shows: the last full verification, and the events since ------

_LAST_FULL = "audit:chain-verified"  # the cache prefixes keys with the department's schema
# Set when a verification failed: the page then walks the whole chain (held to the remembered
# head) until one succeeds, and the remembered head is kept as the witness of what was there.
_BROKEN = "audit:chain-broken"
_KEEP_S = 7 * 24 * 3600


@dataclass(frozen=True)
class ChainStatus:
    report: ChainReport
    verified_in_full_at: dt.datetime
    checked_since: int  # events after the last full verification, checked just now


def chain_verify_in_full() -> ChainReport:
    """Walk the whole chain, held to the head the last full verification reached, and
    remember the head it reaches now (the hourly task does this).

    The remembered head is a checkpoint: a history removed from its end, or rewritten and
    re-hashed, verifies by itself but no longer holds that head. It is never forgotten
    because of a failure, so a rewrite stays flagged on every later look, not just the first.
    """
    remembered = cache.get(_LAST_FULL)
    expect = [(remembered[0], remembered[1])] if remembered is not None and remembered[0] else []
    report = chain_verify(expect=expect)
    if report.ok:
        cache.set(_LAST_FULL, (report.count, report.head_hash, timezone.now()), _KEEP_S)
        cache.delete(_BROKEN)
    else:
        if remembered is not None:
            cache.set(_LAST_FULL, remembered, _KEEP_S)
        cache.set(_BROKEN, True, _KEEP_S)
    return report


def chain_status() -> ChainStatus:
    """The chain's state for a page: the events since the last full verification are
    checked now, and that verification's head must still be there unchanged. A full walk
    (~50 us per event) happens here only when none is remembered, or the chain was found
    broken."""
    remembered = cache.get(_LAST_FULL)
    if remembered is None or cache.get(_BROKEN):
        report = chain_verify_in_full()
        return ChainStatus(replace(report, checkpoints=0), timezone.now(), 0)
    count, head, at = remembered
    report = chain_verify() if count == 0 else chain_verify(after=(count, head))
    if not report.ok:
        cache.set(_BROKEN, True, _KEEP_S)
    return ChainStatus(replace(report, checkpoints=0), at, max(0, report.count - count))


def chain_reanchor(*, head: tuple[int, str], reason: str, operator: str) -> ChainReport:
    """Acknowledge a break the verification keeps flagging (e.g. a restore from a backup
    that lost the newest events): from now on the chain is held to ``head`` instead of the
    head remembered before. Done only if the whole chain verifies and holds ``head``; the
    acknowledgement is itself an event of the log (``chain_reanchored``: the old and new
    head, what was flagged, who and why), so the board sees it in the history.

    Returns the verification that decided it; nothing is changed unless it is ok.
    """
    remembered = cache.get(_LAST_FULL)
    old = (remembered[0], remembered[1]) if remembered is not None and remembered[0] else None
    report = chain_verify(expect=[head])
    if not report.ok:
        return report
    flagged = chain_verify(expect=[old]) if old is not None else report
    with transaction.atomic():
        access_event_record(
            actor=ActorSnapshot(user_id=None, label=operator, role="operator"),
            facts=EventFacts(
                action=Action.CHAIN_REANCHORED,
                outcome=Outcome.ALLOWED,
                reason="ok",
                details={
                    "old_head": f"{old[0]}:{old[1]}" if old is not None else "",
                    "new_head": f"{head[0]}:{head[1]}",
                    "flagged": "" if flagged.ok else flagged.sentence(),
                    "reason": reason,
                },
            ),
        )
    # The event just written is checked as one of the events since this head.
    cache.set(_LAST_FULL, (report.count, report.head_hash, timezone.now()), _KEEP_S)
    cache.delete(_BROKEN)
    return report


def _hash_problem(values: dict[str, Any]) -> str | None:
    """What no longer follows in the row itself, or None: its hash must follow from its
    contents and its link (v2), or from the whole row (v1, rows written before the database
    linked the chain: empty content_hash)."""
    if not values["content_hash"]:
        if event_hash(values) != values["hash"]:
            return "its contents were changed (they no longer produce its hash)"
        return None
    if content_hash(values) != values["content_hash"]:
        return "its contents were changed (they no longer produce its content hash)"
    link = link_hash(
        seq=values["seq"],
        occurred_at=values["occurred_at"],
        prev_hash=values["prev_hash"],
        content=values["content_hash"],
    )
    if link != values["hash"]:
        return "its number, time, link or hash was changed (they no longer produce its hash)"
    return None
