"""The board's export of a selection of the access log, and its signed manifest.

The file (CSV or JSON) is streamed, one chunk of events at a time. Its bytes depend only on
the selection, and the selection is anchored at ``upto`` (the events up to that number never
change: the log is append-only), so the manifest is made by writing the same file again into
a hash: same filter, same ``upto``, same bytes. The manifest names the filter, the count, the
first and last event, the chain head the selection was read up to, and the file's SHA-256,
and is signed with the department's Ed25519 key, the key of its evidence exports.

The key is the department's (audit.signing, the key of evidence exports and of the log's
checkpoints). ``manifest_verify`` needs only ``cryptography`` and the standard library.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.signing import sign_with
from core.spreadsheets import csv_safe_cell
from tools.porchlight_export_verify import FORMAT, manifest_problems

from .signing import department_signing_key

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from zoneinfo import ZoneInfo

    from .models import AccessEvent

__all__ = [
    "COLUMNS",
    "FORMATS",
    "export_bytes",
    "manifest_document",
    "manifest_verify",
]

FORMAT_VERSION = 1
ALGORITHM = "Ed25519"
FORMATS = ("csv", "json")
# The fields of an event in an export: what the board may read (the log's AU-3 fields), not
# the session hash, the address or the browser of the person who acted.
COLUMNS = [
    "seq",
    "occurred_at",
    "occurred_at_local",
    "actor_badge",
    "actor_role",
    "actor_mfa",
    "action",
    "outcome",
    "reason",
    "purpose_category",
    "case_number",
    "purpose_text",
    "authority",
    "warrant_number",
    "targets",
    "consent_level",
    "quantity",
    "quantity_unit",
    "details",
    "prev_hash",
    "hash",
]


# (signature, raw 32-byte public key) of the given bytes, with the department's key.
def _event_values(event: AccessEvent, zone: ZoneInfo) -> dict[str, Any]:
    at = event.occurred_at
    return {
        "seq": event.seq,
        "occurred_at": at.isoformat() if at else "",
        "occurred_at_local": at.astimezone(zone).isoformat() if at else "",
        "actor_badge": event.actor_badge,
        "actor_role": event.actor_role,
        "actor_mfa": event.actor_mfa,
        "action": event.action,
        "outcome": event.outcome,
        "reason": event.reason,
        "purpose_category": event.purpose_category,
        "case_number": event.case_number,
        "purpose_text": event.purpose_text,
        "authority": event.authority,
        "warrant_number": event.warrant_number,
        "targets": list(event.targets),
        "consent_level": event.consent_level,
        "quantity": event.quantity,
        "quantity_unit": event.quantity_unit,
        "details": event.details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _csv_chunks(events: Iterable[AccessEvent], zone: ZoneInfo) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for n, event in enumerate(events, start=1):
        values = _event_values(event, zone)
        values["targets"] = " ".join(values["targets"])
        values["details"] = _canonical(values["details"]) if values["details"] else ""
        values["actor_mfa"] = "yes" if values["actor_mfa"] else "no"
        writer.writerow([csv_safe_cell("" if values[c] is None else values[c]) for c in COLUMNS])
        if n % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _json_chunks(events: Iterable[AccessEvent], zone: ZoneInfo) -> Iterator[bytes]:
    """A JSON array, one event per line (also readable line by line)."""
    yield b"["
    parts: list[str] = []
    first = True
    for event in events:
        parts.append(("\n" if first else ",\n") + _canonical(_event_values(event, zone)))
        first = False
        if len(parts) == 500:
            yield "".join(parts).encode()
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode()


@dataclass
class Tally:
    """What went through an export, counted on the way."""

    sha256: Any = field(default_factory=hashlib.sha256)
    size: int = 0
    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None

    def events(self, events: Iterable[AccessEvent]) -> Iterator[AccessEvent]:
        for event in events:
            self.count += 1
            if self.first_seq is None:
                self.first_seq = event.seq
            self.last_seq = event.seq
            yield event

    def chunks(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.sha256.update(chunk)
            self.size += len(chunk)
            yield chunk


def export_bytes(
    *, events: Iterable[AccessEvent], fmt: str, zone: ZoneInfo, tally: Tally | None = None
) -> Iterator[bytes]:
    """The export file as chunks of bytes (counted into ``tally`` if given)."""
    tally = tally or Tally()
    rows = tally.events(events)
    return tally.chunks(_csv_chunks(rows, zone) if fmt == "csv" else _json_chunks(rows, zone))


def manifest_document(
    *,
    tally: Tally,
    fmt: str,
    file_name: str,
    department: str,
    log_filter: dict[str, Any],
    sort: str,
    head_seq: int,
    head_hash: str,
    generated_at: str,
    generated_by: str,
) -> dict[str, Any]:
    """The manifest of a written export, signed with the department's key."""
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "department": department,
        "file": {"name": file_name, "format": fmt, "bytes": tally.size, "sha256": tally.sha256.hexdigest()},
        "filter": log_filter,
        "sort": sort,
        "count": tally.count,
        "first_seq": tally.first_seq,
        "last_seq": tally.last_seq,
        "chain_head": {"seq": head_seq, "hash": head_hash},
        "generated_at": generated_at,
        "generated_by": generated_by,
    }
    key = department_signing_key()
    public_raw = bytes(key.public_key)
    signature = sign_with(bytes(key.private_key), _canonical(manifest).encode())
    return {
        "manifest": manifest,
        "signature": {
            "algorithm": ALGORITHM,
            "signed": "the manifest object as JSON: keys sorted, no whitespace, UTF-8",
            "public_key": base64.b64encode(public_raw).decode(),
            "fingerprint": hashlib.sha256(public_raw).hexdigest(),
            "signature": base64.b64encode(signature).decode(),
        },
    }


def manifest_verify(*, data: Iterable[bytes], document: Any, fingerprint: str = "") -> list[str]:
    """The problems found checking an export's bytes against its manifest document (none: it
    holds). ``fingerprint``, if given, is the one the department publishes; without it the
    key inside the document is trusted, and the caller should compare its fingerprint.

    The standalone verifier's own check (tools/porchlight_export_verify.py, for a board member's
    computer): one implementation, so the server and the board check the same way."""
    return manifest_problems(data=data, document=document, fingerprint=fingerprint)
