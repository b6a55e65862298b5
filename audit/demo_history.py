"""A demo's past: events written through the ordinary path at times the demo chooses (seed_demo).

The log takes every event's time from the database clock (the chain trigger, migration 0005),
so a demo seeded today has a log of today only, and the public page, which publishes finished
months, shows nothing. ``demo_clock`` lets the demo write months of history as they would have
been written then: inside one transaction of the database owner, the chain trigger is swapped for
a copy of itself that reads the time from a setting of that transaction instead of the clock,
and Django's clock (``django.utils.timezone.now``, which the gate, the purposes, the footage
requests and every ``auto_now_add`` read) is set to the same time. Everything else is as it always
is: the gate decides and writes each event, the chain is linked by the same formula in the
database, the rollups are counted by their own trigger from the event's time, and checkpoints
are signed over the events as written. At the end of the block the copy is dropped and the chain
trigger switched on again, before the commit: no other session ever sees the copy (ALTER TABLE
holds the table's ACCESS EXCLUSIVE lock until then), and nothing of it survives a failure (the
DDL rolls back with the transaction).

For seed_demo only: it refuses to run outside a transaction, and it needs the table's owner
(the serving app role may not touch triggers: tenants.db_grants).
"""

import datetime as dt
import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

__all__ = ["DemoClock", "demo_clock"]

_CHAIN = importlib.import_module("audit.migrations.0005_chain_in_database")
_SETTING = "porchlight.demo_clock"


def _function() -> str:
    """Migration 0005's chain trigger, as the demo's copy: another name, the demo's time."""
    sql = str(_CHAIN.FUNCTION)
    for old, new in (
        ("audit_accessevent_chain()", "audit_accessevent_chain_demo()"),
        ("CREATE TRIGGER audit_accessevent_chain\n", "CREATE TRIGGER audit_accessevent_chain_demo\n"),
        ("clock_timestamp()", f"current_setting('{_SETTING}')::timestamptz"),
    ):
        if old not in sql:  # the trigger changed: this copy must change with it
            raise RuntimeError(f"audit migration 0005's chain trigger no longer has {old!r}")
        sql = sql.replace(old, new)
    schema = connection.ops.quote_name(connection.schema_name)  # type: ignore[attr-defined]
    lock_key = "'" + f"porchlight.audit.{connection.schema_name}".replace("'", "''") + "'"  # type: ignore[attr-defined]
    return sql.format(schema=schema, lock_key=lock_key)


class DemoClock:
    """The demo's time: what Django's clock and the log's chain trigger read inside demo_clock.
    It only moves forward, so the events' times follow their numbers."""

    def __init__(self, start: dt.datetime) -> None:
        self.at = start
        self._store()

    def now(self) -> dt.datetime:
        return self.at

    def set(self, at: dt.datetime) -> None:
        if at < self.at:
            raise ValueError(f"the demo's clock only moves forward ({at} is before {self.at})")
        self.at = at
        self._store()

    def advance(self, delta: dt.timedelta) -> None:
        self.set(self.at + delta)

    def _store(self) -> None:
        with connection.cursor() as cursor:  # for this transaction only (is_local)
            cursor.execute("SELECT set_config(%s, %s, true)", [_SETTING, self.at.isoformat()])


@contextmanager
def demo_clock(start: dt.datetime) -> Iterator[DemoClock]:
    """Write the log, and everything Django stamps with the time, at the demo's clock (see the
    module); inside the caller's transaction, as the table's owner."""
    if not connection.in_atomic_block:
        raise RuntimeError("demo_clock runs inside one transaction: its trigger must never be seen outside it")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER audit_accessevent_chain")
        cursor.execute(_function())
    clock = DemoClock(start)
    real_now = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real_now
    # Only after the block succeeded: a failure rolls all of this back with the transaction.
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER audit_accessevent_chain_demo ON audit_accessevent")
        cursor.execute("DROP FUNCTION audit_accessevent_chain_demo()")
        # As migration 0010 left it: firing in every session, replica mode included.
        cursor.execute("ALTER TABLE audit_accessevent ENABLE ALWAYS TRIGGER audit_accessevent_chain")
