"""Writing access events: the only way a row enters the log."""

import hashlib
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from .chain import CONTENT_FIELDS, canonical_json, canonical_text, content_hash
from .models import AccessEvent, ChainVerification


@dataclass(frozen=True)
class ActorSnapshot:
    """Who acted, as it was at that moment (names and roles change later; the log does not)."""

    user_id: int | None
    label: str = ""
    badge: str = ""
    role: str = ""
    mfa: bool = False
    session_hash: str = ""
    ip: str | None = None
    user_agent: str = ""


@dataclass(frozen=True)
class PurposeSnapshot:
    case_number: str = ""
    category: str = ""
    text: str = ""
    authority: str = ""
    warrant_number: str = ""


@dataclass(frozen=True)
class EventFacts:
    action: str
    outcome: str
    reason: str
    targets: list[str] = field(default_factory=list)
    owner_refs: list[int] = field(default_factory=list)
    consent_level: str = ""
    consent_history_id: int | None = None
    quantity: int | None = None
    quantity_unit: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def session_key_hash(session_key: str | None) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest() if session_key else ""


def _clean(text: str, limit: int) -> str:
    return canonical_text(text)[:limit]


def _ip(value: str | None) -> str | None:
    """The client's address as text, stored exactly as hashed (the column is text, not
    inet: PostgreSQL and each Python version spell some IPv6 addresses differently). An
    IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is recorded as a.b.c.d."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.split("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.compressed


# The columns a writer sends; the chain trigger (migration 0005) fills seq, occurred_at,
# prev_hash and hash. One statement with RETURNING: the only round trip under the lock.
_WRITTEN = (*CONTENT_FIELDS, "content_hash")
_RETURNED = ("id", "seq", "occurred_at", "prev_hash", "hash")
_INSERT = (
    f"INSERT INTO audit_accessevent ({', '.join(_WRITTEN)}) "  # noqa: S608 (fixed column names)
    f"VALUES ({', '.join(['%s'] * len(_WRITTEN))}) RETURNING {', '.join(_RETURNED)}"
)


def access_event_record(
    *, actor: ActorSnapshot, facts: EventFacts, purpose: PurposeSnapshot | None = None
) -> AccessEvent:
    """Append one event to this department's chain, in the caller's transaction.

    The contents are hashed here; the database links the row into the chain (a trigger
    under a per-department advisory lock, held until the caller commits), so concurrent
    requests still form one chain and the time comes from the database clock. If this
    fails, the caller's transaction fails with it: no access happens without its record.
    """
    purpose = purpose or PurposeSnapshot()
    values: dict[str, Any] = {
        "actor_id": actor.user_id,
        "actor_label": _clean(actor.label, 200),
        "actor_badge": _clean(actor.badge, 32),
        "actor_role": actor.role,
        "actor_mfa": actor.mfa,
        "session_hash": actor.session_hash,
        "client_ip": _ip(actor.ip),
        "user_agent": _clean(actor.user_agent, 300),
        "action": facts.action,
        "targets": [canonical_text(target) for target in facts.targets],
        "owner_refs": sorted(set(facts.owner_refs)),
        "case_number": _clean(purpose.case_number, 64),
        "purpose_category": purpose.category,
        "purpose_text": _clean(purpose.text, 500),
        "authority": purpose.authority,
        "warrant_number": _clean(purpose.warrant_number, 64),
        "outcome": facts.outcome,
        "reason": facts.reason,
        "consent_level": facts.consent_level,
        "consent_history_id": facts.consent_history_id,
        "quantity": facts.quantity,
        "quantity_unit": facts.quantity_unit,
        "details": canonical_json(facts.details),
    }
    values["content_hash"] = content_hash(values)
    params: list[Any] = [Jsonb(values[name]) if name == "details" else values[name] for name in _WRITTEN]
    # No savepoint: if the insert fails the caller's transaction fails with it (fail closed).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # The log's triggers chain the row and count it in the figures (audit migrations 0005, 0033).
        cursor.execute(_INSERT, params)
        returned = dict(zip(_RETURNED, cursor.fetchone(), strict=True))
    event = AccessEvent(**values, **returned)
    event._state.adding = False
    event._state.db = connection.alias
    return event


def chain_verification_record(
    *, how: str, by: str, ok: bool, seq: int, head_hash: str, broken_seq: int | None = None, problem: str = ""
) -> ChainVerification:
    """Keep one verification's outcome in the department's schema (audit.verify).

    An ok one is a verified head, which the next verification holds the chain to; a failed
    one keeps the oversight page flagged until a later one holds. Rows are only inserted.
    """
    return ChainVerification.objects.create(
        verified_at=timezone.now(),
        how=how,
        by=by[:60],
        ok=ok,
        seq=seq,
        hash=head_hash,
        broken_seq=broken_seq,
        problem=problem[:1000],
    )
