"""Reads on the access log."""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, Count, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from .models import AccessEvent, Action, ChainVerification, SignedCheckpoint


def event_number(text: str) -> int | None:
    """An event's sequence number as a client sent it (digits, within bigint), or None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def events_for_owner(*, owner_id: int, upto: int | None = None) -> QuerySet[AccessEvent]:
    """Events that touched any of the owner's cameras, newest first; ``upto`` as in
    events_recent (police may reach the owner's cameras between two pages).

    ``owner_refs @> [owner_id]`` uses the GIN index on owner_refs. The log lives in the
    department's schema, so an owner of another department with the same user id sees
    nothing of this one.
    """
    events = AccessEvent.objects.filter(owner_refs__contains=[owner_id]).order_by("-seq")
    return events if upto is None else events.filter(seq__lte=upto)


def events_naming(*, target: str) -> QuerySet[AccessEvent]:
    """Events whose targets include ``target`` (a typed reference such as ``incident:<uuid>``),
    newest first. The log stores references only and knows nothing of what they name; the
    GIN index on targets answers ``targets @> [target]``."""
    return AccessEvent.objects.filter(targets__contains=[target]).order_by("-seq")


def event_get(*, seq: int) -> AccessEvent | None:
    return AccessEvent.objects.filter(seq=seq).first()


def events_get(*, seqs: list[int]) -> list[AccessEvent]:
    """The events numbered ``seqs`` (those that exist), in order."""
    return list(AccessEvent.objects.filter(seq__in=seqs).order_by("seq"))


def events_recent(*, action: str = "", outcome: str = "", upto: int | None = None) -> QuerySet[AccessEvent]:
    """Newest first; ``upto`` leaves out the events written after that one, so the pages of
    one reading stay where they were while the log grows (not least by the reading itself)."""
    events = AccessEvent.objects.order_by("-seq")
    if upto is not None:
        events = events.filter(seq__lte=upto)
    if action:
        events = events.filter(action=action)
    if outcome:
        events = events.filter(outcome=outcome)
    return events


@dataclass(frozen=True)
class ChainHead:
    count: int
    head_hash: str


def chain_head(*, upto: int | None = None) -> ChainHead:
    """The latest event's sequence number and hash (of events numbered up to ``upto``, if given)."""
    events = AccessEvent.objects.all() if upto is None else AccessEvent.objects.filter(seq__lte=upto)
    last = events.order_by("-seq").values_list("seq", "hash").first()
    return ChainHead(count=last[0], head_hash=last[1]) if last else ChainHead(0, "0" * 64)


def chain_head_published() -> ChainHead | None:
    """The chain head as of the latest signed checkpoint (None before the first): what the public
    pages show. Not the live head: a count that grows with each access would let a reader who
    reloads the page time individual accesses; the checkpoints are published every 15 minutes
    anyway (docs/transparency-log.md)."""
    size = SignedCheckpoint.objects.order_by("-pk").values_list("tree_size", flat=True).first()
    return chain_head(upto=size) if size else None


def events_summary(*, upto: int | None = None) -> list[Any]:
    """Counts per action and outcome, for the oversight board; ``upto`` as in events_recent,
    so that the figures are those of the events a reading lists. ``evidence`` sets the
    exports naming clips (evidence packages) apart from canvass lists, as the list names
    them (AccessEvent.action_label)."""
    events = AccessEvent.objects.all() if upto is None else AccessEvent.objects.filter(seq__lte=upto)
    names_a_clip = RawSQL("EXISTS (SELECT 1 FROM unnest(targets) AS target WHERE left(target, 5) = %s)", ["clip:"])
    evidence = Case(When(action=Action.EXPORT, then=names_a_clip), default=Value(False), output_field=BooleanField())
    return list(
        events.annotate(evidence=evidence)
        .values("action", "evidence", "outcome")
        .annotate(n=Count("seq"))
        .order_by("action", "evidence", "outcome")
    )


def chain_verification_latest(*, ok: bool | None = None, how: str = "") -> ChainVerification | None:
    """The newest verification of the chain (of that outcome and kind, if given)."""
    verifications = ChainVerification.objects.order_by("-pk")
    if ok is not None:
        verifications = verifications.filter(ok=ok)
    if how:
        verifications = verifications.filter(how=how)
    return verifications.first()


# The triggers that keep the log append-only and linked (migrations 0002, 0005, 0010, 0011, 0015,
# 0018, 0031, 0034).
GUARD_TRIGGERS = {
    "audit_accessevent": (
        "audit_accessevent_no_update_delete",
        "audit_accessevent_no_truncate",
        "audit_accessevent_chain",
        "audit_accessevent_rollups",
    ),
    "audit_chainverification": ("audit_chainverification_no_update_delete", "audit_chainverification_no_truncate"),
    "audit_signedcheckpoint": ("audit_signedcheckpoint_no_update_delete", "audit_signedcheckpoint_no_truncate"),
    "audit_anomalyreview": ("audit_anomalyreview_no_update_delete", "audit_anomalyreview_no_truncate"),
    "audit_anomalyflag": ("audit_anomalyflag_no_update_delete", "audit_anomalyflag_no_truncate"),
    "audit_logfailure": ("audit_logfailure_no_update_delete", "audit_logfailure_no_truncate"),
    "audit_logfailureresolution": (
        "audit_logfailureresolution_no_update_delete",
        "audit_logfailureresolution_no_truncate",
    ),
}


def guard_triggers_weakened() -> list[str]:
    """The log's guarding triggers, in this schema, that are missing or do not fire in every
    session, each as a sentence. ``ALTER TABLE … ENABLE TRIGGER`` without ``ALWAYS`` (e.g.
    after maintenance with the triggers switched off) leaves one firing in origin mode only,
    so a session in replica mode could change the log again; nothing else would show it."""
    problems = []
    with connection.cursor() as cursor:
        for table, names in GUARD_TRIGGERS.items():
            # to_regclass resolves the table in the department's schema (first on the search_path).
            cursor.execute(
                "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal",
                [table],
            )
            enabled = dict(cursor.fetchall())
            for name in names:
                if name not in enabled:
                    problems.append(f"The trigger {name} on {table} is missing.")
                elif enabled[name] != "A":
                    problems.append(f"The trigger {name} on {table} is not enabled ALWAYS.")
    return problems
