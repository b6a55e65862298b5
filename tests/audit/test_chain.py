"""The access log is append-only and hash-chained; verification finds the exact broken row."""

import json
import threading
from io import StringIO
from typing import Any, cast

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from audit.chain import CONTENT_FIELDS, GENESIS, content_hash, event_hash, link_hash
from audit.models import AccessEvent
from audit.services import ActorSnapshot, EventFacts, access_event_record
from audit.verify import chain_verify
from tenants.models import Department
from tests.audit.tampering import event_edit_and_rehash, replica_mode

ACTOR = ActorSnapshot(user_id=7, label="Officer Test", badge="4711", role="officer", mfa=True, ip="10.0.0.1")


def _write(n: int = 1, **facts: Any) -> list[AccessEvent]:
    return [
        access_event_record(actor=ACTOR, facts=EventFacts(action="search", outcome="allowed", reason="ok", **facts))
        for _ in range(n)
    ]


def test_events_form_a_chain_that_verifies(in_rialto: Any) -> None:
    events = _write(5, targets=["camera:abc"], details={"area": {"radius_m": 250.5}, "mode": "pin"})

    report = chain_verify()

    assert report.ok
    assert report.head_hash == events[-1].hash
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_update_delete_and_truncate_are_rejected_by_the_database(in_rialto: Any) -> None:
    (event,) = _write()

    for statement in (
        "UPDATE audit_accessevent SET reason = 'edited' WHERE seq = %s",
        "DELETE FROM audit_accessevent WHERE seq = %s",
        "TRUNCATE audit_accessevent",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.seq] if "%s" in statement else None)

    assert AccessEvent.objects.get(seq=event.seq).reason == "ok"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accessevent SET reason = 'edited' WHERE seq = %s",
        "DELETE FROM audit_accessevent WHERE seq = %s",
        "TRUNCATE audit_accessevent",
    ],
    ids=["update", "delete", "truncate"],
)
def test_a_session_in_replica_mode_cannot_change_the_log_either(in_rialto: Any, statement: str) -> None:
    # given an event, and a session that asks for replica mode (which skips ordinary triggers)
    (event,) = _write()

    # when it changes the log
    with (
        replica_mode(),
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.seq] if "%s" in statement else None)

    # then the database refused it
    assert AccessEvent.objects.get(seq=event.seq).reason == "ok"


def test_an_insert_in_replica_mode_is_still_linked_by_the_database(in_rialto: Any) -> None:
    # given a writer in replica mode that claims its own place and hash
    before = _write(2)
    row = _search_event_row()
    claimed = {"seq": 999, "prev_hash": "a" * 64, "hash": "b" * 64, "occurred_at": "2001-01-01T00:00:00Z"}

    # when it inserts directly
    with replica_mode():
        seq = _raw_insert({**row, **claimed, "content_hash": content_hash(row)})

    # then the chain trigger ran all the same: the row follows the head and verifies
    assert seq == before[-1].seq + 1
    assert AccessEvent.objects.get(seq=seq).prev_hash == before[-1].hash
    assert chain_verify().ok


def test_the_orm_cannot_edit_an_event_either(in_rialto: Any) -> None:
    (event,) = _write()
    event.reason = "edited"

    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()


def _superuser_sql(sql: str, params: list[Any]) -> None:
    # What an operator with superuser rights could do: switch the trigger off.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER USER")


def test_a_changed_row_is_reported_at_exactly_that_row(in_rialto: Any) -> None:
    events = _write(6)

    _superuser_sql("UPDATE audit_accessevent SET case_number = 'hidden' WHERE seq = %s", [events[3].seq])

    report = chain_verify()
    assert (report.ok, report.broken_seq) == (False, events[3].seq)
    assert "changed" in report.problem


def test_audit_verify_names_an_event_edited_and_rehashed_not_the_one_after_it(in_rialto: Any) -> None:
    # given six events, the fourth edited by a superuser who also recomputed its own hashes
    events = _write(6)
    event_edit_and_rehash(seq=events[3].seq, case_number="hidden")

    # when the chain is verified
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify", schema="rialto")

    # then the edited event is named, with the link it broke
    message = str(failure.value)
    assert message.startswith(f"BROKEN at event #{events[3].seq}:")
    assert f"event #{events[4].seq} links to {events[3].hash}" in message


def test_a_deleted_row_is_reported_where_it_was(in_rialto: Any) -> None:
    events = _write(6)

    _superuser_sql("DELETE FROM audit_accessevent WHERE seq = %s", [events[2].seq])

    report = chain_verify()
    assert (report.ok, report.broken_seq) == (False, events[3].seq)
    assert f"#{events[2].seq} is missing" in report.problem


def test_a_rewritten_chain_tail_is_still_caught_by_the_link(in_rialto: Any) -> None:
    events = _write(4)

    _superuser_sql("UPDATE audit_accessevent SET prev_hash = %s WHERE seq = %s", ["f" * 64, events[2].seq])

    report = chain_verify()
    assert report.broken_seq == events[2].seq


def test_audit_verify_command_prints_ok_with_count_and_head(in_rialto: Any) -> None:
    events = _write(3)
    out = StringIO()

    call_command("audit_verify", schema="rialto", stdout=out)

    assert out.getvalue().strip() == f"ok: {events[-1].seq} events, head {events[-1].hash}"


def test_audit_verify_command_fails_on_a_broken_chain(in_rialto: Any) -> None:
    events = _write(3)
    _superuser_sql("UPDATE audit_accessevent SET outcome = 'denied' WHERE seq = %s", [events[1].seq])

    with pytest.raises(CommandError, match=f"BROKEN at event #{events[1].seq}"):
        call_command("audit_verify", schema="rialto")


def test_audit_verify_rejects_an_unknown_schema(db: None) -> None:
    with pytest.raises(CommandError, match="No department"):
        call_command("audit_verify", schema="atlantis")


def test_each_department_has_its_own_chain(rialto: Department, fontana: Department) -> None:
    with tenant_context(rialto):
        rialto_events = _write(3)
    with tenant_context(fontana):
        fontana_event = _write(1)[0]
        fontana_report = chain_verify()

    assert fontana_event.prev_hash not in {e.hash for e in rialto_events}
    assert fontana_report.ok


@pytest.mark.django_db(transaction=False)
def test_fifty_concurrent_writers_still_form_one_chain(django_db_blocker: Any, rialto: Department) -> None:
    # Real concurrency needs committed rows in separate connections: write from threads,
    # each with its own connection, into the committed test schema.
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with django_db_blocker.unblock(), tenant_context(rialto), transaction.atomic():
                _write(1, details={"thread": threading.get_ident()})
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with tenant_context(rialto):
        report = chain_verify()
    assert errors == []
    assert report.ok
    assert report.count >= 50


def _raw_insert(columns: dict[str, Any]) -> int:
    names, marks = ", ".join(columns), ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO audit_accessevent ({names}) VALUES ({marks}) RETURNING seq"  # noqa: S608 (test's own columns)
    with connection.cursor() as cursor:
        params: list[Any] = [Jsonb(v) if isinstance(v, dict) else v for v in columns.values()]
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def _search_event_row() -> dict[str, Any]:
    """Every column of a minimal "search" event, as a writer bypassing the service sends it."""
    row: dict[str, Any] = dict.fromkeys(CONTENT_FIELDS, "")
    row.update({"actor_id": None, "client_ip": None, "consent_history_id": None, "quantity": None})
    row.update({"actor_mfa": False, "targets": [], "owner_refs": [], "details": {}})
    row.update({"action": "search", "outcome": "allowed", "reason": "ok"})
    return row


def test_the_database_links_every_insert_whatever_the_writer_claims(in_rialto: Any) -> None:
    # given a writer that bypasses the service and claims its own place, time and hash
    before = _write(2)
    row = _search_event_row()
    claimed = {"seq": 999, "prev_hash": "a" * 64, "hash": "b" * 64, "occurred_at": "2001-01-01T00:00:00Z"}

    # when it inserts directly
    seq = _raw_insert({**row, **claimed, "content_hash": content_hash(row)})

    # then the trigger put it right after the head, with the database's time and hash
    event = AccessEvent.objects.get(seq=seq)
    assert seq == before[-1].seq + 1
    assert event.prev_hash == before[-1].hash
    assert event.hash != "b" * 64
    assert event.occurred_at.year >= 2026
    assert chain_verify().ok


def test_an_insert_without_a_content_hash_is_refused(in_rialto: Any) -> None:
    with pytest.raises(DatabaseError, match="content_hash"), transaction.atomic():
        _raw_insert({**_search_event_row(), "content_hash": "x"})


def test_contents_that_do_not_match_their_content_hash_are_reported(in_rialto: Any) -> None:
    events = _write(3)

    # the row's content_hash is intact, the contents were changed (trigger off, as a superuser)
    _superuser_sql("UPDATE audit_accessevent SET purpose_text = 'quietly edited' WHERE seq = %s", [events[1].seq])

    report = chain_verify()
    assert (report.ok, report.broken_seq) == (False, events[1].seq)


def test_rows_written_before_the_database_linked_the_chain_still_verify(in_rialto: Any) -> None:
    # given a v1 row (the whole row hashed by the application), as written before migration 0005
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        now = cursor.fetchone()[0]
    head = AccessEvent.objects.order_by("-seq").first()
    v1 = {**_search_event_row(), "occurred_at": now, "content_hash": ""}
    v1.update({"seq": head.seq + 1 if head else 1, "prev_hash": head.hash if head else GENESIS})
    v1["hash"] = event_hash(v1)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER audit_accessevent_chain")
        _raw_insert(v1)
        cursor.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER audit_accessevent_chain")

    # when v2 events follow it
    after = _write(2)

    # then the whole chain verifies and the new events link to the v1 row
    assert after[0].prev_hash == v1["hash"]
    assert chain_verify().ok


# --- Untouched rows always verify, whatever a client or an officer sends -------------------


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("::ffff:203.0.113.5", "203.0.113.5"),  # an IPv4 client seen through an IPv6 socket
        ("::203.0.113.5", "::cb00:7105"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("not an address", None),
    ],
)
def test_client_addresses_are_stored_as_hashed_and_verify(in_rialto: Any, sent: str, stored: str | None) -> None:
    actor = ActorSnapshot(user_id=7, label="Officer Test", role="officer", mfa=True, ip=sent)
    event = access_event_record(actor=actor, facts=EventFacts(action="search", outcome="allowed", reason="ok"))

    assert AccessEvent.objects.get(seq=event.seq).client_ip == stored
    assert chain_verify().ok, chain_verify().sentence()


@pytest.mark.parametrize(
    "details",
    [
        {"bbox": [-0.0, -1.0, 1.0, 1.0]},  # jsonb has no negative zero
        {"x": 1e16, "y": -1.5e300, "z": 5e-324, "w": 0.1 + 0.2},  # jsonb prints these positionally
        {"nan": float("nan"), "inf": float("inf")},  # not JSON at all
        {"text": "nul\x00byte", "surrogate": "\ud800", "emoji": "📷", "nfd": "e\u0301"},
        {"nested": {"b": [1, 2.5, {"c": None}], "a": True}, 3: "integer key"},
    ],
)
def test_details_that_jsonb_would_respell_still_verify(in_rialto: Any, details: dict[Any, Any]) -> None:
    (event,) = _write(details=details)

    report = chain_verify()
    assert report.ok, report.sentence()
    assert report.head_hash == event.hash


@given(
    details=st.dictionaries(
        st.text(max_size=8),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
            max_leaves=12,
        ),
        max_size=5,
    )
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_details_written_verify(in_rialto: Any, details: dict[str, Any]) -> None:
    _write(details=details)

    report = chain_verify()
    assert report.ok, report.sentence()


# --- A checkpoint kept outside the database catches removals from the end -------------------


def test_removing_the_newest_events_is_caught_against_a_kept_checkpoint(in_rialto: Any) -> None:
    events = _write(4)
    kept = (events[-1].seq, events[-1].hash)  # e.g. copied from the public page

    _superuser_sql("DELETE FROM audit_accessevent WHERE seq >= %s", [events[2].seq])

    assert chain_verify().ok  # the rest of the chain is intact: only a checkpoint can tell
    report = chain_verify(expect=[kept])
    assert (report.ok, report.broken_seq) == (False, kept[0])
    assert f"the log ends at #{events[1].seq}" in report.problem


def test_a_chain_rewritten_from_an_old_row_is_caught_against_a_kept_checkpoint(in_rialto: Any) -> None:
    events = _write(4)
    kept = (events[1].seq, events[1].hash)

    # a superuser edits event 2 and recomputes every hash after it, so the chain itself holds
    _superuser_sql("UPDATE audit_accessevent SET case_number = 'rewritten' WHERE seq = %s", [events[1].seq])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(CONTENT_FIELDS)} FROM audit_accessevent WHERE seq = %s", [events[1].seq])  # noqa: S608
        row = dict(zip(CONTENT_FIELDS, cursor.fetchone(), strict=True))
    row["details"] = json.loads(row["details"]) if isinstance(row["details"], str) else row["details"]
    prev = events[0].hash
    for event in events[1:]:
        fresh = AccessEvent.objects.get(seq=event.seq)
        new_content = content_hash(row) if event.seq == events[1].seq else fresh.content_hash
        new_hash = link_hash(seq=fresh.seq, occurred_at=fresh.occurred_at, prev_hash=prev, content=new_content)
        _superuser_sql(
            "UPDATE audit_accessevent SET content_hash = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [new_content, prev, new_hash, fresh.seq],
        )
        prev = new_hash

    assert chain_verify().ok
    report = chain_verify(expect=[kept])
    assert (report.ok, report.broken_seq) == (False, kept[0])
    assert "differs from the checkpoint" in report.problem


def test_audit_verify_checks_the_expected_events(in_rialto: Any) -> None:
    events = _write(3)
    out = StringIO()

    call_command("audit_verify", schema="rialto", expect=[f"{events[1].seq}:{events[1].hash}"], stdout=out)
    assert "1 checkpoint holds" in out.getvalue()

    with pytest.raises(CommandError, match="differs from the checkpoint"):
        call_command("audit_verify", schema="rialto", expect=[f"{events[1].seq}:{'a' * 64}"])
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("audit_verify", schema="rialto", expect=["garbage"])


@pytest.mark.parametrize("seq", [0, -1])
def test_an_event_slipped_in_before_the_first_is_reported(in_rialto: Any, seq: int) -> None:
    events = _write(2)
    # a superuser inserts a forged event outside the chain: the board's list would show it
    columns = ", ".join(name for name in (*CONTENT_FIELDS, "content_hash", "seq", "occurred_at", "prev_hash", "hash"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM audit_accessevent WHERE seq = %s", [events[0].seq])  # noqa: S608
        row = list(cursor.fetchone())
    row[-4:] = [seq, events[0].occurred_at, GENESIS, "e" * 64]
    _superuser_sql(
        f"INSERT INTO audit_accessevent ({columns}) VALUES ({', '.join(['%s'] * len(row))})",  # noqa: S608
        [Jsonb(json.loads(v)) if isinstance(v, str) and v.startswith("{") else v for v in row],
    )

    report = chain_verify()

    assert (report.ok, report.broken_seq) == (False, seq)
    assert "outside the chain" in report.problem


@pytest.mark.parametrize("seq", ["0", "9" * 5000])
def test_audit_verify_refuses_a_checkpoint_of_an_event_that_cannot_exist(in_rialto: Any, seq: str) -> None:
    _write(1)

    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("audit_verify", schema="rialto", expect=[f"{seq}:{'a' * 64}"])


@pytest.mark.parametrize("when", ["infinity", "-infinity", "20000-01-01 00:00:00+00", "4713-01-01 00:00:00+00 BC"])
def test_a_time_python_cannot_read_is_reported_not_a_crash(in_rialto: Any, when: str) -> None:
    events = _write(3)

    _superuser_sql("UPDATE audit_accessevent SET occurred_at = %s WHERE seq = %s", [when, events[1].seq])

    report = chain_verify()
    assert (report.ok, report.broken_seq) == (False, events[1].seq)
    assert "time" in report.problem


def test_details_edited_to_a_number_python_cannot_read_are_reported_not_a_crash(in_rialto: Any) -> None:
    events = _write(3)

    _superuser_sql("UPDATE audit_accessevent SET details = '{\"n\": 1e5000}'::jsonb WHERE seq = %s", [events[1].seq])

    report = chain_verify()
    assert (report.ok, report.broken_seq) == (False, events[1].seq)
    assert "changed" in report.problem


# A concrete field always has a column (django-stubs types Field.column as optional).
_COPY_COLUMNS = cast("list[str]", [f.column for f in AccessEvent._meta.concrete_fields if f.column != "id"])
_COPIED = ", ".join({"seq": "NULL", "hash": "md5(hash) || md5(hash)"}.get(c, c) for c in _COPY_COLUMNS)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_accessevent SET seq = NULL WHERE seq = %s",
        f"INSERT INTO audit_accessevent ({', '.join(_COPY_COLUMNS)}) "  # noqa: S608 (fixed columns)
        f"SELECT {_COPIED} FROM audit_accessevent WHERE seq = %s",
    ],
    ids=["newest numbered out", "copy without a number"],
)
def test_an_event_without_a_number_is_reported_not_skipped(in_rialto: Any, sql: str) -> None:
    # Only possible by dropping the NOT NULL constraint (the trigger numbers every insert).
    events = _write(3)
    _superuser_sql("ALTER TABLE audit_accessevent ALTER COLUMN seq DROP NOT NULL", [])

    _superuser_sql(sql, [events[-1].seq])

    report = chain_verify()
    assert (report.ok, report.broken_seq) == (False, None)
    assert "no number" in report.sentence()
