"""The hash chain: canonical encoding of an access event and its SHA-256.

Documented in docs/audit-events.md ("Hash chain"). Changing anything here breaks every
existing chain, so it is versioned: the encoding starts with "v1".
"""

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS = "0" * 64

# The fields covered by the hash, in this order. Everything about the event is here;
# only `hash` itself is left out.
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "actor_badge",
    "actor_role",
    "actor_mfa",
    "session_hash",
    "client_ip",
    "user_agent",
    "action",
    "targets",
    "owner_refs",
    "case_number",
    "purpose_category",
    "purpose_text",
    "authority",
    "warrant_number",
    "outcome",
    "reason",
    "consent_level",
    "consent_history_id",
    "quantity",
    "quantity_unit",
    "details",
    "prev_hash",
)


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(values: dict[str, Any]) -> bytes:
    """["v1", [name, value], ...] as compact JSON with sorted object keys, UTF-8."""
    pairs = []
    for name in HASHED_FIELDS:
        value = values[name]
        if isinstance(value, dt.datetime):
            value = _timestamp(value)
        pairs.append([name, value])
    return json.dumps(["v1", pairs], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(values)).hexdigest()
