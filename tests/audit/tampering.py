"""What someone with superuser rights on the database can do to the access log: switch its
triggers off, edit rows, and recompute the hashes so that the edit hides as well as it can."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from psycopg.types.json import Jsonb

from audit.chain import HASHED_FIELDS, content_hash, link_hash
from audit.models import AccessEvent

_TRIGGERS = (
    "audit_accessevent_no_update_delete",
    "audit_accessevent_no_truncate",
    "audit_accessevent_chain",
    "audit_accessevent_rollups",
)


def superuser_sql(sql: str, params: list[Any]) -> None:
    """Run ``sql`` with the log's triggers switched off, then switch them back on as they
    were (ALWAYS: plain ENABLE TRIGGER would leave them firing in origin mode only)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        for name in _TRIGGERS:
            cursor.execute(f"ALTER TABLE audit_accessevent ENABLE ALWAYS TRIGGER {name}")


@contextmanager
def replica_mode() -> Iterator[None]:
    """The test's transaction in replica mode, which skips triggers not enabled ALWAYS
    (session_replication_role: a superuser's, or a role's granted SET on it)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def _rehash(event: AccessEvent, prev_hash: str, changes: dict[str, Any]) -> str:
    values = {name: getattr(event, name) for name in HASHED_FIELDS} | changes
    content = content_hash(values)
    new_hash = link_hash(seq=event.seq, occurred_at=event.occurred_at, prev_hash=prev_hash, content=content)
    columns = [*changes, "content_hash", "prev_hash", "hash"]
    params = [Jsonb(v) if isinstance(v, dict) else v for v in changes.values()]
    superuser_sql(
        f"UPDATE audit_accessevent SET {', '.join(f'{c} = %s' for c in columns)} WHERE seq = %s",  # noqa: S608 (test's own columns)
        [*params, content, prev_hash, new_hash, event.seq],
    )
    return new_hash


def event_edit_and_rehash(*, seq: int, rehash_later: bool = False, **changes: Any) -> None:
    """Edit event ``seq`` and recompute its content hash and hash, so that the row agrees
    with itself. With ``rehash_later`` every later event is re-linked too: the whole chain
    from ``seq`` on verifies by itself, and only a head kept from before can tell."""
    event = AccessEvent.objects.get(seq=seq)
    prev = _rehash(event, event.prev_hash, changes)
    if rehash_later:
        for later in AccessEvent.objects.filter(seq__gt=seq).order_by("seq"):
            prev = _rehash(later, prev, {})


def chain_rewrite(**changes: Any) -> None:
    """Rewrite the whole chain: the first event edited and every hash recomputed."""
    event_edit_and_rehash(seq=1, rehash_later=True, **changes)


def log_emptied() -> None:
    """Start a test from an empty log in the current department, as a superuser would empty it
    (triggers off), inside the test's transaction: other tests commit events to the shared
    demo departments (a concurrency test, the browser tests' world), and the rollback at the
    end of the test brings them back."""
    superuser_sql("DELETE FROM audit_accessevent", [])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_merklenode")
        cursor.execute("ALTER TABLE audit_signedcheckpoint DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_signedcheckpoint")
        for name in ("audit_signedcheckpoint_no_update_delete", "audit_signedcheckpoint_no_truncate"):
            cursor.execute(f"ALTER TABLE audit_signedcheckpoint ENABLE ALWAYS TRIGGER {name}")
        # The failures found in the log emptied go with it (audit.integrity: append-only too).
        for table in ("audit_logfailureresolution", "audit_logfailure"):
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (the test's own table names)
            for name in (f"{table}_no_update_delete", f"{table}_no_truncate"):
                cursor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}")


# The anomaly queue's guards (audit migrations 0018 and 0031).
QUEUE_TRIGGERS = {
    "audit_anomalyreview": ("audit_anomalyreview_no_update_delete", "audit_anomalyreview_no_truncate"),
    "audit_anomalyflag": ("audit_anomalyflag_no_update_delete", "audit_anomalyflag_no_truncate"),
}


def anomaly_queue_emptied(*, flags_after: int | None = None) -> None:
    """Empty the current department's anomaly queue as its owner would (triggers off, then on
    again ALWAYS), inside the test's transaction; with ``flags_after``, only the flags above
    that id that no note names."""
    with connection.cursor() as cursor:
        # The reviews' foreign key is checked at commit: ALTER TABLE refuses a table with such
        # checks pending, so they are made as each statement runs here.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in QUEUE_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        if flags_after is None:
            cursor.execute("DELETE FROM audit_anomalyreview")
            cursor.execute("DELETE FROM audit_anomalyflag")
        else:
            cursor.execute(
                "DELETE FROM audit_anomalyflag WHERE id > %s AND id NOT IN (SELECT flag_id FROM audit_anomalyreview)",
                [flags_after],
            )
        for table, names in QUEUE_TRIGGERS.items():
            for name in names:
                cursor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
