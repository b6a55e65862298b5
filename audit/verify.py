"""Walking the chain: the first row that does not follow from the one before it."""

import json
from dataclasses import dataclass
from typing import Any

from django.db import connection

from .chain import GENESIS, HASHED_FIELDS, content_hash, event_hash, link_hash


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""

    def sentence(self) -> str:
        if self.ok:
            return f"ok: {self.count} events, head {self.head_hash}"
        return f"BROKEN at event #{self.broken_seq}: {self.problem}"


def chain_verify(*, batch: int = 5000) -> ChainReport:
    """Verify the current schema's chain from the first event to the head.

    A changed row fails its own hash; a removed row leaves a gap in the sequence and a
    prev_hash that no longer matches; an inserted or reordered row breaks the link.
    """
    columns = ", ".join((*HASHED_FIELDS, "content_hash", "hash"))
    expected_seq, expected_prev, count = 1, GENESIS, 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM audit_accessevent ORDER BY seq")  # noqa: S608 (fixed column list)
        names = [c.name for c in cursor.description]
        while rows := cursor.fetchmany(batch):
            for row in rows:
                values = dict(zip(names, row, strict=True))
                if isinstance(values["details"], str):  # jsonb arrives as text on a raw cursor
                    values["details"] = json.loads(values["details"])
                seq = values["seq"]
                if seq != expected_seq:
                    return ChainReport(False, count, expected_prev, seq, f"event #{expected_seq} is missing")
                if values["prev_hash"] != expected_prev:
                    return ChainReport(False, count, expected_prev, seq, "does not link to the event before it")
                if not _hash_holds(values):
                    return ChainReport(False, count, expected_prev, seq, "its contents were changed")
                expected_seq, expected_prev, count = seq + 1, values["hash"], count + 1
    return ChainReport(True, count, expected_prev)


def _hash_holds(values: dict[str, Any]) -> bool:
    """The row's own hash follows from its contents and its link (v2), or from the whole
    row (v1, rows written before the database linked the chain: empty content_hash)."""
    if not values["content_hash"]:
        return event_hash(values) == values["hash"]
    if content_hash(values) != values["content_hash"]:
        return False
    link = link_hash(
        seq=values["seq"],
        occurred_at=values["occurred_at"],
        prev_hash=values["prev_hash"],
        content=values["content_hash"],
    )
    return bool(link == values["hash"])
