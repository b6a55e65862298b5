"""The hash chain: canonical encodings of an access event and their SHA-256.

Documented in docs/audit-events.md ("Hash chain"). Changing anything here breaks every
existing chain, so encodings are versioned and a new one never replaces an old one for the
rows already written:

* v2 (current): the writer hashes the event's contents (``content_hash``, Python, before any
  lock); the database links it into the chain in a BEFORE INSERT trigger (migration 0005),
  which takes the department's advisory lock, assigns ``seq`` and ``occurred_at`` and computes
  ``hash`` = SHA-256 of ``v2|seq|occurred_at in µs since the epoch|prev_hash|content_hash``.
  The lock is held from the insert to the commit only, with no Python in between.
* v1 (rows with an empty ``content_hash``, written before migration 0005): SHA-256 of the JSON of
  every field, ``prev_hash`` included, computed in Python under the lock.
"""

import datetime as dt
import decimal
import hashlib
import json
import math
from typing import Any

GENESIS = "0" * 64
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# v1: every field but `hash`, in this order.
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
# v2: what the writer knows before the chain is touched; the trigger adds the rest.
CHAIN_FIELDS = ("seq", "occurred_at", "prev_hash")
CONTENT_FIELDS = tuple(name for name in HASHED_FIELDS if name not in CHAIN_FIELDS)


def canonical_text(text: str) -> str:
    """Text as PostgreSQL stores it: no NUL (text columns and jsonb refuse it) and no lone
    surrogate (not encodable as UTF-8)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def canonical_json(value: Any) -> Any:
    """``value`` as jsonb gives it back, so that what the writer hashes is what the verifier
    reads: jsonb keeps numbers as ``numeric``, which has no negative zero, no NaN or
    infinity, and prints large floats positionally (1e+16 comes back as 10000000000000000,
    an integer to ``json.loads``). Non-finite numbers become strings; object keys strings."""
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == 0:
            return 0.0
        if abs(value) >= 1e16:  # repr uses an exponent; numeric prints every digit
            return int(decimal.Decimal(repr(value)))
        return value
    if isinstance(value, str):
        return canonical_text(value)
    if isinstance(value, dict):
        return {canonical_text(str(key)): canonical_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_json(item) for item in value]
    return canonical_text(str(value))


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(version: str, values: dict[str, Any], fields: tuple[str, ...]) -> bytes:
    pairs = []
    for name in fields:
        value = values[name]
        if isinstance(value, dt.datetime):
            value = _timestamp(value)
        pairs.append([name, value])
    return json.dumps([version, pairs], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_bytes(values: dict[str, Any]) -> bytes:
    """v1: ["v1", [name, value], ...] as compact JSON with sorted object keys, UTF-8."""
    return _json("v1", values, HASHED_FIELDS)


def event_hash(values: dict[str, Any]) -> str:
    """v1 hash of a whole row."""
    return hashlib.sha256(canonical_bytes(values)).hexdigest()


def content_bytes(values: dict[str, Any]) -> bytes:
    """v2 contents: ["v2", [name, value], ...] over CONTENT_FIELDS, encoded as v1 is."""
    return _json("v2", values, CONTENT_FIELDS)


def content_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(content_bytes(values)).hexdigest()


def epoch_microseconds(value: dt.datetime) -> int:
    return (value - _EPOCH) // dt.timedelta(microseconds=1)


def link_hash(*, seq: int, occurred_at: dt.datetime, prev_hash: str, content: str) -> str:
    """v2 link, exactly as the trigger computes it (audit/migrations/0005_chain_in_database.py)."""
    text = f"v2|{seq}|{epoch_microseconds(occurred_at)}|{prev_hash}|{content}"
    return hashlib.sha256(text.encode()).hexdigest()


def row_hash_problem(values: dict[str, Any]) -> str | None:
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
