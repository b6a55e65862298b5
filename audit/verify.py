"""Walking the chain: the first event that does not follow from the one before it; and the
verified heads (audit.models.ChainVerification) that hold the next walk and tell the
oversight page what it may claim."""

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction
from redis.exceptions import RedisError

from .chain import GENESIS, HASHED_FIELDS, row_hash_problem
from .integrity import log_failure_found
from .models import READABLE_TIME_SQL, Action, ChainVerification, Outcome, VerificationKind
from .selectors import chain_head, chain_verification_latest
from .services import ActorSnapshot, EventFacts, access_event_record, chain_verification_record


@dataclass(frozen=True)
class Checkpoint:
    """Event ``seq`` had ``hash`` when someone saw it; ``name`` says who, in a failure."""

    seq: int
    hash: str
    name: str = "the checkpoint"


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""
    checkpoints: int = 0
    held: tuple[str, ...] = field(default=())  # the verified heads the walk was held to, by name

    def sentence(self) -> str:
        if self.ok:
            held = f"; {self.checkpoints} checkpoint{'s' if self.checkpoints != 1 else ''} holds" * bool(
                self.checkpoints
            )
            held += "".join(f"; {name} holds" for name in self.held)
            return f"ok: {self.count} events, head {self.head_hash}{held}"
        if self.broken_seq is None:
            return f"BROKEN: {self.problem}"
        return f"BROKEN at event #{self.broken_seq}: {self.problem}"


_BEFORE_ANY = -(2**63)  # the smallest bigint
# A time Python cannot hold (infinity, after 9999, before year 1) is read as NULL, so that a
# row edited to one is reported rather than crashing the walk (and the hourly alert with it).
_READABLE = {"occurred_at": f"{READABLE_TIME_SQL.format('occurred_at')} AS occurred_at"}


def chain_verify(
    *,
    expect: Iterable[tuple[int, str] | Checkpoint] = (),
    after: tuple[int, str] | Checkpoint | None = None,
    batch: int = 5000,
) -> ChainReport:
    """Verify the current schema's chain from the first event to the head.

    Names the first event that is not what the chain says it was: a row whose contents no
    longer produce its hashes; a row that agrees with itself (edited and re-hashed) but is
    no longer what the next event links to; a gap (a removed row); a row outside the chain.

    What the chain alone cannot show, someone holding an earlier head can: ``expect`` lists
    (seq, hash) checkpoints (from the public page, an oversight report, a verified head). A
    removed tail leaves a shorter chain that verifies; a chain rewritten and recomputed from
    some row on verifies too; a checkpoint catches both.

    ``after`` = an event verified earlier: that event must still be there with that hash,
    and only the events after it are walked (what the oversight page does between two full
    verifications).
    """
    expected = {point.seq: point for point in map(_checkpoint, expect)}
    start = _BEFORE_ANY  # a row numbered below 1 is walked too: it lies outside the chain
    if after is not None:
        after = _checkpoint(after)
        start, expected[after.seq] = after.seq, after
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
            cursor.execute("SELECT prev_hash FROM audit_accessevent WHERE seq = %s", [after.seq])
            row = cursor.fetchone()
            expected_seq, count = after.seq, after.seq - 1
            expected_prev = row[0] if row else ""
            if row is None:
                problem = f"{after.name} holds it, but the log no longer does: events were removed"
                return ChainReport(False, count, expected_prev, after.seq, problem)
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
                if (own := row_hash_problem(values)) is not None:
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
                if seq in expected and expected[seq].hash != values["hash"]:
                    point = expected[seq]
                    problem = f"it differs from {point.name} (hash now {values['hash']}, then {point.hash})"
                    return ChainReport(False, count, expected_prev, seq, problem + ": the log was rewritten")
                before_prev = expected_prev
                expected_seq, expected_prev, count = seq + 1, values["hash"], count + 1
    beyond = sorted(seq for seq in expected if seq >= expected_seq)
    if beyond:
        problem = f"{expected[beyond[0]].name} holds it, but the log ends at #{count}: events were removed from its end"
        return ChainReport(False, count, expected_prev, beyond[0], problem)
    return ChainReport(True, count, expected_prev, checkpoints=len(expected))


def _checkpoint(point: tuple[int, str] | Checkpoint) -> Checkpoint:
    return point if isinstance(point, Checkpoint) else Checkpoint(point[0], point[1])


# --- Verified heads: what the next walk is held to, and what the oversight page may claim ---

# A copy of the newest verified head in the cache (prefixed with the department's schema).
# The database's copy survives a cache flush; this one survives a restore of the database
# from a backup, which takes the heads back along with the events: each catches what the
# other cannot. Neither is outside an administrator's reach: the public page's head and the
# board's checkpoints are.
_CACHED_HEAD = "audit:chain-verified"
_KEEP_S = 7 * 24 * 3600  # a week: longer than any gap between two hourly verifications

logger = logging.getLogger(__name__)


def _cached_head() -> tuple[int, str, str] | None:
    """The cache's copy of the newest verified head, or None when the cache cannot be read:
    the database's copy still holds the chain, so a cache outage stops no verification."""
    try:
        cached: tuple[int, str, str] | None = cache.get(_CACHED_HEAD)
    except (RedisError, OSError) as error:
        logger.warning("verified head not read from the cache: %s", error)
        return None
    return cached


def _cached_head_set(seq: int, head_hash: str, at: dt.datetime) -> None:
    try:
        cache.set(_CACHED_HEAD, (seq, head_hash, f"{at.astimezone(dt.UTC):%Y-%m-%d %H:%M}"), _KEEP_S)
    except (RedisError, OSError) as error:  # kept in the database all the same
        logger.warning("verified head not copied to the cache: %s", error)


def _name(verification: ChainVerification) -> str:
    at = f"{verification.verified_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
    if verification.how == VerificationKind.FULL:
        return f"the head verified in full at {at}"
    return f"the head checked incrementally at {at}"


def _verified_heads() -> list[Checkpoint]:
    """The heads the next full walk is held to: the newest verified head kept in the
    database, and the one kept in the cache if it differs."""
    heads = []
    latest = chain_verification_latest(ok=True)
    if latest is not None and latest.seq:
        heads.append(Checkpoint(latest.seq, latest.hash, _name(latest)))
    cached = _cached_head()
    if cached is not None and cached[0] and (latest is None or (cached[0], cached[1]) != (latest.seq, latest.hash)):
        heads.append(Checkpoint(cached[0], cached[1], f"the head verified at {cached[2]} UTC (kept in the cache)"))
    return heads


def _record(report: ChainReport, *, how: str, by: str) -> ChainVerification:
    verification = chain_verification_record(
        how=how,
        by=by,
        ok=report.ok,
        seq=report.count,
        head_hash=report.head_hash,
        broken_seq=report.broken_seq,
        problem=report.problem,
    )
    if report.ok:
        _cached_head_set(report.count, report.head_hash, verification.verified_at)
    return verification


def chain_verify_in_full(*, by: str) -> ChainReport:
    """Walk the whole chain, held to the verified heads, and keep the outcome (the hourly
    task and ``audit_verify`` do this).

    A history removed from its end, or rewritten and re-hashed, verifies by itself but no
    longer holds the head verified before. A failure is kept too, and the heads are never
    replaced because of one, so a rewrite stays flagged on every later look, not just the
    first, until a verification holds again or an operator re-anchors the chain. A failure is
    also kept as a failure of the log (audit.integrity), once, for the board and the public.
    """
    heads = _verified_heads()
    report = chain_verify(expect=heads)
    report = ChainReport(
        report.ok, report.count, report.head_hash, report.broken_seq, report.problem, held=tuple(h.name for h in heads)
    )
    _record(report, how=VerificationKind.FULL, by=by)
    if not report.ok:
        # Kept once per rewrite, named by the first event that no longer matches (audit.integrity).
        log_failure_found(found_by=by, problem=report.sentence(), seq=report.broken_seq)
    return report


@dataclass(frozen=True)
class ChainStatus:
    """What the oversight page may claim, and no more.

    ``full`` is the newest full verification that held (None: not yet verified in full);
    ``broken`` the verification that found the log broken, if the newest one did;
    ``checked_since`` the events after ``full``'s head checked just now, each linked to
    the one before it; ``head_seq``/``head_hash`` the newest event, to keep as a checkpoint.
    """

    full: ChainVerification | None
    broken: ChainVerification | None
    checked_since: int
    head_seq: int
    head_hash: str


def chain_status() -> ChainStatus:
    """The chain's state for the oversight page, without walking the whole chain: the
    events after the last full verification's head are checked now (that head must still
    be there unchanged), and the check is kept. A failure kept by any verification is
    shown as found, until a later verification holds."""
    latest = chain_verification_latest()
    if latest is not None and not latest.ok:
        return ChainStatus(None, latest, 0, latest.seq, latest.hash)
    full = chain_verification_latest(ok=True, how=VerificationKind.FULL)
    if full is None:
        head = chain_head()
        return ChainStatus(None, None, 0, head.count, head.head_hash)
    # Heads verified since (the page's own earlier checks, the cached copy) are held too.
    newer = [h for h in _verified_heads() if h.seq > full.seq]
    if full.seq == 0:
        report = chain_verify(expect=newer)
    else:
        report = chain_verify(after=Checkpoint(full.seq, full.hash, _name(full)), expect=newer)
    checked = _record(report, how=VerificationKind.INCREMENTAL, by="oversight page")
    if not report.ok:
        return ChainStatus(full, checked, 0, report.count, report.head_hash)
    return ChainStatus(full, None, report.count - full.seq, report.count, report.head_hash)


def chain_reanchor(*, head: tuple[int, str], reason: str, operator: str) -> ChainReport:
    """Acknowledge a break the verification keeps flagging (e.g. a restore from a backup
    that lost the newest events): from now on the chain is held to ``head`` instead of the
    heads verified before. Done only if the whole chain verifies and holds ``head``; the
    acknowledgement is itself an event of the log (``chain_reanchored``: the old and new
    head, what was flagged, who and why), so the board sees it in the history, and a full
    verification is kept with the head it reached.

    Returns the verification that decided it; nothing is changed unless it is ok.
    """
    old = _verified_heads()
    report = chain_verify(expect=[head])
    if not report.ok:
        return report
    flagged = chain_verify(expect=old) if old else report
    with transaction.atomic():
        access_event_record(
            actor=ActorSnapshot(user_id=None, label=operator, role="operator"),
            facts=EventFacts(
                action=Action.CHAIN_REANCHORED,
                outcome=Outcome.ALLOWED,
                reason="ok",
                details={
                    "old_head": f"{old[0].seq}:{old[0].hash}" if old else "",
                    "new_head": f"{head[0]}:{head[1]}",
                    "flagged": "" if flagged.ok else flagged.sentence(),
                    "reason": reason,
                },
            ),
        )
        # The event just written is checked as one of the events since this head.
        _record(report, how=VerificationKind.FULL, by="audit_verify --accept-head")
    return report
