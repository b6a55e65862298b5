"""The oversight board reads the log (and that read is logged); the public sees the chain head."""

import html
import json
import re
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from accounts.models import Role
from audit.chain import HASHED_FIELDS, content_hash, link_hash
from audit.models import AccessEvent, ChainVerification
from audit.rollups import department_time_zone
from audit.services import ActorSnapshot, EventFacts, access_event_record
from audit.tasks import chain_verify_hourly
from audit.verify import chain_verify
from tests.audit.tampering import chain_rewrite, superuser_sql
from tests.conftest import TenantClient, free_port
from tests.factories import UserFactory


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


@pytest.mark.parametrize("role", [Role.OVERSIGHT, Role.DEPT_ADMIN, Role.SUPERVISOR])
def test_audit_readers_see_the_log_and_their_read_is_logged(logged_in_staff: Any, role: str) -> None:
    client, user = logged_in_staff(role)

    response = client.get("/oversight/")

    assert response.status_code == 200
    assert b"Not yet verified" in response.content
    assert (_last().action, _last().outcome, _last().actor_id) == ("audit_read", "allowed", user.pk)


def test_an_officer_cannot_read_the_log_and_the_attempt_is_logged(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)

    response = client.get("/oversight/")

    # Issue 15: an officer at a board URL is told it does not exist (was 403), and logged.
    assert response.status_code == 404
    assert (_last().action, _last().outcome) == ("audit_read", "denied")


def test_residents_cannot_read_the_log(in_rialto: Any, rialto_client: TenantClient) -> None:
    rialto_client.force_login(UserFactory(role=Role.RESIDENT))

    response = rialto_client.get("/oversight/")

    # Issue 15: a resident at a board URL is told it does not exist (was 403), and logged.
    assert response.status_code == 404
    assert (_last().action, _last().outcome) == ("audit_read", "denied")


def test_a_tampered_log_is_flagged_on_the_oversight_page(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    assert chain_verify_hourly().startswith("ok")
    superuser_sql("UPDATE audit_accessevent SET quantity = 0 WHERE seq = %s", [event.seq])

    response = client.get("/oversight/")

    assert f"tampered with at event #{event.seq}".encode() in response.content


def test_the_public_pages_show_the_chain_head_of_the_latest_checkpoint_never_the_live_one(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    """A head that moved with each access would let anyone who reloads the page time them."""
    from audit.checkpoints import checkpoint_make

    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    checkpoint_make()
    later = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))

    home = rialto_client.get("/").content
    page = rialto_client.get("/transparency/").content
    document = rialto_client.get("/transparency.json").json()

    assert event.hash.encode() in home
    assert event.hash.encode() in page
    assert document["chain_head"] == {"seq": event.seq, "hash": event.hash}
    for content in (home, page, json.dumps(document).encode()):
        assert later.hash.encode() not in content


_tamper = superuser_sql


def test_the_page_checks_new_events_and_the_remembered_head_not_the_whole_chain(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    events = [access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))]
    assert chain_verify_hourly().startswith("ok")
    events += [access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))]

    response = client.get("/oversight/")
    # the new event and this page's own read; not the whole chain
    assert f"Verified in full up to event #{events[0].seq} at".encode() in response.content
    assert b"2 newer events checked incrementally just now." in response.content

    # a newer event edited: caught on the page at once
    _tamper("UPDATE audit_accessevent SET quantity = 5 WHERE seq = %s", [events[-1].seq])
    response = client.get("/oversight/")
    assert f"tampered with at event #{events[-1].seq}".encode() in response.content


def test_removing_the_remembered_head_is_caught_on_the_page(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    assert chain_verify_hourly().startswith("ok")

    _tamper("DELETE FROM audit_accessevent WHERE seq >= %s", [event.seq])

    response = client.get("/oversight/")
    assert f"tampered with at event #{event.seq}".encode() in response.content


def test_the_hourly_verification_mails_the_administrators_when_an_old_row_was_edited(
    logged_in_staff: Any, mailoutbox: list[Any], settings: Any
) -> None:
    settings.ADMINS = [("Ops", "ops@porchlight.example.org")]
    client, _ = logged_in_staff(Role.OVERSIGHT)
    old = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    assert chain_verify_hourly().startswith("ok")
    _tamper("UPDATE audit_accessevent SET case_number = 'edited' WHERE seq = %s", [old.seq])

    assert chain_verify_hourly().startswith(f"BROKEN at event #{old.seq}")

    assert [m.to for m in mailoutbox] == [["ops@porchlight.example.org"]]
    assert f"#{old.seq}" in mailoutbox[0].body
    # and the page, which no longer has a verified head to start from, walks the chain again
    assert f"tampered with at event #{old.seq}".encode() in client.get("/oversight/").content


def test_the_page_offers_the_checkpoint_to_keep(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)

    response = client.get("/oversight/")

    head = _last()  # this page's own read is part of the history it shows
    assert f"--expect {head.seq}:{head.hash}".encode() in response.content


def _rewrite_newest(**changes: Any) -> AccessEvent:
    """Edit the newest event as a superuser would who also knows the hash: its contents,
    content hash and link recomputed, so the chain verifies by itself."""
    event = _last()
    for name, value in changes.items():
        setattr(event, name, value)
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    event.content_hash = content_hash(values)
    event.hash = link_hash(
        seq=event.seq, occurred_at=event.occurred_at, prev_hash=event.prev_hash, content=event.content_hash
    )
    _tamper(
        "UPDATE audit_accessevent SET details = %s, content_hash = %s, hash = %s WHERE seq = %s",
        [json.dumps(event.details), event.content_hash, event.hash, event.seq],
    )
    return event


def test_a_rewritten_head_stays_flagged_on_the_page_after_the_first_look(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    assert chain_verify_hourly().startswith("ok")
    event = _rewrite_newest(details={"area": "somewhere else"})

    first = client.get("/oversight/")
    second = client.get("/oversight/")

    assert f"tampered with at event #{event.seq}".encode() in first.content
    assert f"tampered with at event #{event.seq}".encode() in second.content


def test_a_removed_tail_stays_flagged_on_the_page_after_the_first_look(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    assert chain_verify_hourly().startswith("ok")
    _tamper("DELETE FROM audit_accessevent WHERE seq >= %s", [event.seq])

    client.get("/oversight/")
    response = client.get("/oversight/")

    assert f"tampered with at event #{event.seq}".encode() in response.content


def test_the_hourly_verification_holds_the_chain_to_the_head_it_verified_before(in_rialto: Any) -> None:
    access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    assert chain_verify_hourly().startswith("ok")
    event = _rewrite_newest(details={"area": "somewhere else"})

    first, second = chain_verify_hourly(), chain_verify_hourly()

    assert first.startswith(f"BROKEN at event #{event.seq}")
    assert second.startswith(f"BROKEN at event #{event.seq}")


def _rows(response: Any) -> list[int]:
    return [int(seq) for seq in re.findall(r"<tr><td>(\d+)</td>", response.content.decode())]


def _link(response: Any, label: str) -> str:
    match = re.search(rf'<a href="([^"]+)">{label}</a>', response.content.decode())
    assert match is not None, f"no {label} link"
    return html.unescape(match[1])


def test_the_next_page_continues_where_the_first_ended_although_reading_it_was_logged(
    logged_in_staff: Any,
) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    for _ in range(60):
        newest = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))

    first = client.get("/oversight/")
    older = client.get(f"/oversight/{_link(first, 'Older')}")
    newer = client.get(f"/oversight/{_link(older, 'Newer')}")

    shown = _rows(first) + _rows(older)
    assert shown == list(range(newest.seq, max(newest.seq - 100, 0), -1))  # each event once, none skipped
    assert _rows(newer) == _rows(first)


@pytest.mark.parametrize("upto", ["abc", "-1", "1e3", "9" * 5000])
def test_a_malformed_page_anchor_is_a_400_naming_it(logged_in_staff: Any, upto: str) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)

    response = client.get("/oversight/", {"page": "2", "upto": upto})

    assert response.status_code == 400
    assert b"upto" in response.content


def test_event_times_are_shown_in_the_departments_zone_and_name_it(logged_in_staff: Any, in_rialto: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))

    response = client.get("/oversight/")

    # PDT or PST: an hour repeated when the clocks go back is told apart.
    local = event.occurred_at.astimezone(ZoneInfo(in_rialto.time_zone))
    assert f"<tr><td>{event.seq}</td><td>{local:%Y-%m-%d %H:%M:%S %Z}</td>".encode() in response.content


def test_an_evidence_export_is_not_called_a_canvass_list_on_the_page(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    # as footage.services.request_export writes it: the clips and their cameras, in bytes
    facts = EventFacts(
        "export", "allowed", "ok", targets=["clip:c1", "camera:k1"], quantity=2048, quantity_unit="bytes"
    )
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=facts)

    response = client.get("/oversight/", {"action": "export"})

    row = re.search(rf"<tr><td>{event.seq}</td>.*?</tr>", response.content.decode(), re.DOTALL)
    assert row is not None
    assert "Footage exported as evidence" in row[0]


def test_the_public_figure_counts_events_of_the_log_not_police_accesses(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    from audit.checkpoints import checkpoint_make

    client.get("/oversight/")  # the board's read is an event of the log, not a police access
    client.logout()
    checkpoint_make()

    response = client.get("/")

    figure = re.search(r'<p id="chain-head">(.*?)<br>', response.content.decode(), re.DOTALL)
    assert figure is not None
    assert "Police accesses" not in figure[1]
    assert f"Events in the access log at its latest signed checkpoint: {_last().seq}" in figure[1]


def test_the_figures_by_action_are_those_of_the_events_listed(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    client.get("/oversight/")
    access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "denied", "mfa_required"))

    response = client.get("/oversight/", {"action": "audit_read"})

    listed = response.content.decode().split("<h2>Events</h2>")[1]
    reads_listed = listed.count("<td>Access log read</td>")
    assert f"<tr><td>Access log read</td><td>allowed</td><td>{reads_listed}</td></tr>" in response.content.decode()


def test_an_action_the_code_no_longer_knows_is_shown_by_its_code_not_a_server_error(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    # e.g. written by an older version, or slipped in by hand: the board must still see the log
    access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("retired_action", "allowed", "ok"))

    response = client.get("/oversight/")

    assert response.status_code == 200
    assert b"<tr><td>retired_action</td><td>allowed</td><td>1</td></tr>" in response.content


def _restore_losing_the_newest_event() -> AccessEvent:
    """A restore from a backup taken before the newest event: that event is gone, and the
    department's next event takes its number with another hash."""
    lost = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    assert chain_verify_hourly().startswith("ok")
    _tamper("DELETE FROM audit_accessevent WHERE seq >= %s", [lost.seq])
    return access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))


def test_an_operator_acknowledges_a_legitimate_break_and_the_board_sees_it_in_the_history(
    logged_in_staff: Any, mailoutbox: list[Any], settings: Any
) -> None:
    settings.ADMINS = [("Ops", "ops@porchlight.example.org")]
    client, _ = logged_in_staff(Role.OVERSIGHT)
    after_restore = _restore_losing_the_newest_event()
    assert chain_verify_hourly().startswith(f"BROKEN at event #{after_restore.seq}")
    mailoutbox.clear()

    out = StringIO()
    call_command(
        "audit_verify",
        schema="rialto",
        accept_head=f"{after_restore.seq}:{after_restore.hash}",
        reason="Restored from the 02:00 backup after a disk failure",
        stdout=out,
    )

    assert out.getvalue().startswith(f"re-anchored at #{after_restore.seq}")
    acknowledgement = _last()
    assert (acknowledgement.action, acknowledgement.actor_role) == ("chain_reanchored", "operator")
    assert acknowledgement.details["new_head"] == f"{after_restore.seq}:{after_restore.hash}"
    assert acknowledgement.details["old_head"].startswith(f"{after_restore.seq}:")
    assert f"BROKEN at event #{after_restore.seq}" in acknowledgement.details["flagged"]
    assert chain_verify_hourly().startswith("ok")
    assert mailoutbox == []
    page = html.unescape(client.get("/oversight/").content.decode())
    assert f"Verified in full up to event #{acknowledgement.seq} at" in page  # the hourly run after it
    assert "Restored from the 02:00 backup after a disk failure" in page
    assert f"Flagged then: BROKEN at event #{after_restore.seq}" in page


def test_a_head_the_chain_does_not_verify_up_to_is_not_accepted_and_the_log_stays_flagged(
    logged_in_staff: Any,
) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    after_restore = _restore_losing_the_newest_event()
    _tamper("UPDATE audit_accessevent SET case_number = 'edited' WHERE seq = %s", [after_restore.seq])

    with pytest.raises(CommandError, match=f"Not re-anchored: BROKEN at event #{after_restore.seq}"):
        call_command(
            "audit_verify", schema="rialto", accept_head=f"{after_restore.seq}:{after_restore.hash}", reason="restore"
        )

    assert not AccessEvent.objects.filter(action="chain_reanchored").exists()
    assert chain_verify_hourly().startswith("BROKEN")
    assert b"tampered with at event" in client.get("/oversight/").content


@pytest.mark.parametrize(
    ("options", "named"),
    [({}, "--reason"), ({"reason": "   "}, "--reason"), ({"reason": "a\x00b"}, "NUL"), ({"reason": "x" * 501}, "500")],
)
def test_accepting_a_head_needs_a_reason(in_rialto: Any, options: dict[str, str], named: str) -> None:
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))

    with pytest.raises(CommandError, match=named):
        call_command("audit_verify", schema="rialto", accept_head=f"{event.seq}:{event.hash}", **options)

    assert not AccessEvent.objects.filter(action="chain_reanchored").exists()


_UNREADABLE_TIMES = ["infinity", "-infinity", "20000-01-01 00:00:00+00", "4713-01-01 00:00:00+00 BC"]


@pytest.mark.parametrize("when", _UNREADABLE_TIMES)
def test_an_event_whose_time_was_edited_out_of_range_is_shown_as_tampered_not_a_server_error(
    logged_in_staff: Any, when: str
) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    assert chain_verify_hourly().startswith("ok")
    _tamper("UPDATE audit_accessevent SET occurred_at = %s WHERE seq = %s", [when, event.seq])

    response = client.get("/oversight/")

    assert response.status_code == 200
    row = re.search(rf"<tr><td>{event.seq}</td>.*?</tr>", response.content.decode(), re.DOTALL)
    assert row is not None
    assert "time was changed" in row[0]
    assert f"tampered with at event #{event.seq}".encode() in response.content


def test_the_hourly_verification_mails_an_event_without_a_number(
    in_rialto: Any, mailoutbox: list[Any], settings: Any
) -> None:
    settings.ADMINS = [("Ops", "ops@porchlight.example.org")]
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    assert chain_verify_hourly().startswith("ok")
    _tamper("ALTER TABLE audit_accessevent ALTER COLUMN seq DROP NOT NULL", [])
    _tamper("UPDATE audit_accessevent SET seq = NULL WHERE seq = %s", [event.seq])

    assert chain_verify_hourly().startswith("BROKEN: an event (row id")

    assert "has no number" in mailoutbox[0].body


def _figure(page: str, label: str) -> int:
    match = re.search(rf"<tr><td>{re.escape(label)}</td><td>allowed</td><td>(\d+)</td></tr>", page)
    return int(match[1]) if match else 0


def test_evidence_exports_are_counted_apart_from_canvass_lists_in_the_figures(logged_in_staff: Any) -> None:
    # Counted from what is already in the log: tests with a real worker commit their events,
    # and the log cannot be emptied between tests (its trigger refuses TRUNCATE).
    client, _ = logged_in_staff(Role.OVERSIGHT)
    before = client.get("/oversight/").content.decode()
    # as footage.services.request_export writes it, and a canvass list as the console does
    evidence = EventFacts(
        "export", "allowed", "ok", targets=["clip:c1", "camera:k1"], quantity=2048, quantity_unit="bytes"
    )
    access_event_record(actor=ActorSnapshot(user_id=1), facts=evidence)
    access_event_record(actor=ActorSnapshot(user_id=1), facts=evidence)
    canvass = EventFacts("export", "allowed", "ok", targets=["camera:k1"], quantity=1, quantity_unit="rows")
    access_event_record(actor=ActorSnapshot(user_id=1), facts=canvass)

    page = client.get("/oversight/").content.decode()

    assert _figure(page, "Canvass list exported") - _figure(before, "Canvass list exported") == 1
    assert _figure(page, "Footage exported as evidence") - _figure(before, "Footage exported as evidence") == 2


# --- Verified heads are kept in the database, and the page claims only what was checked ------


def _search() -> AccessEvent:
    return access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))


def _chain_status_text(response: Any) -> str:
    """The page's one integrity statement (the checkpoints and the chain's verification)."""
    match = re.search(r'<p [^>]*id="log-integrity">(.*?)</p>', response.content.decode(), re.DOTALL)
    assert match is not None, "no chain status on the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match[1])).split())


def test_the_page_says_the_log_is_not_yet_verified_before_any_full_verification(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    _search()

    status = _chain_status_text(client.get("/oversight/"))

    assert status.startswith("Not yet verified")
    assert "Integrity verified" not in status


def test_the_page_says_up_to_which_event_and_when_the_log_was_verified_in_full(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    _search()
    assert chain_verify_hourly().startswith("ok")
    head = _last()
    _search()

    status = _chain_status_text(client.get("/oversight/"))

    verified = ChainVerification.objects.filter(how="full").latest("pk")
    assert (verified.seq, verified.hash) == (head.seq, head.hash)
    at = f"{verified.verified_at.astimezone(ZoneInfo(department_time_zone())):%Y-%m-%d %H:%M %Z}"
    # the search written since, and this page's own read; in the department's zone, named
    assert f"Verified in full up to event #{head.seq} at {at}; 2 newer events checked incrementally" in status


def test_the_page_still_knows_the_verified_head_after_a_redis_flush(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    _search()
    assert chain_verify_hourly().startswith("ok")
    head = _last()

    cache.clear()
    status = _chain_status_text(client.get("/oversight/"))

    assert f"Verified in full up to event #{head.seq} at" in status


def test_a_rewritten_chain_is_flagged_on_the_page_after_a_redis_flush(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    _search()
    _search()
    assert chain_verify_hourly().startswith("ok")
    head = _last()
    chain_rewrite(case_number="rewritten")
    assert chain_verify().ok  # the rewritten chain verifies by itself

    cache.clear()
    status = _chain_status_text(client.get("/oversight/"))

    assert status.startswith(f"The log has been tampered with at event #{head.seq}")
    assert "differs from the head verified in full" in status
    assert "Verified in full" not in status


def test_the_hourly_verification_catches_a_rewritten_chain_after_a_redis_flush(in_rialto: Any) -> None:
    _search()
    assert chain_verify_hourly().startswith("ok")
    head = _last()
    chain_rewrite(case_number="rewritten")

    cache.clear()
    result = chain_verify_hourly()

    assert result.startswith(f"BROKEN at event #{head.seq}")


def test_audit_verify_holds_the_chain_to_the_head_verified_before(in_rialto: Any) -> None:
    _search()
    call_command("audit_verify", schema="rialto", stdout=StringIO())
    head = _last()
    chain_rewrite(case_number="rewritten")

    cache.clear()
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify", schema="rialto")

    assert str(failure.value).startswith(f"BROKEN at event #{head.seq}")


def test_the_chain_status_is_in_spanish_too(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    _search()
    assert chain_verify_hourly().startswith("ok")
    head = _last()

    # (the request activates Spanish on this thread; override puts back what was active after it)
    with translation.override(None):
        status = _chain_status_text(client.get("/oversight/", HTTP_ACCEPT_LANGUAGE="es"))

    assert f"Verificado por completo hasta el evento n.º {head.seq} el " in status
    assert "1 evento posterior comprobado de forma incremental" in status


def _redis_unreachable(settings: Any) -> None:
    # The cache's real Redis client, pointed at a port where nothing listens (Redis down).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }


def test_the_hourly_verification_still_holds_the_chain_to_the_verified_head_while_redis_is_down(
    in_rialto: Any, settings: Any
) -> None:
    _search()
    assert chain_verify_hourly().startswith("ok")
    head = _last()
    chain_rewrite(case_number="rewritten")

    _redis_unreachable(settings)
    result = chain_verify_hourly()

    assert result.startswith(f"BROKEN at event #{head.seq}")
    assert ChainVerification.objects.latest("pk").broken_seq == head.seq


def test_the_page_shows_the_chain_status_while_redis_is_down(logged_in_staff: Any, settings: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    _search()
    assert chain_verify_hourly().startswith("ok")
    head = _last()

    _redis_unreachable(settings)
    response = client.get("/oversight/")

    assert response.status_code == 200
    assert f"Verified in full up to event #{head.seq} at" in _chain_status_text(response)


@pytest.mark.parametrize(
    "trigger", ["audit_accessevent_no_update_delete", "audit_accessevent_no_truncate", "audit_accessevent_chain"]
)
def test_the_hourly_verification_mails_a_guard_of_the_log_that_no_longer_fires_in_every_session(
    in_rialto: Any, mailoutbox: list[Any], settings: Any, trigger: str
) -> None:
    settings.ADMINS = [("Ops", "ops@porchlight.example.org")]
    _search()
    # maintenance that switched a trigger back on without ALWAYS: it fires in origin mode only
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_accessevent ENABLE TRIGGER {trigger}")

    result = chain_verify_hourly()

    assert result.startswith("ok")
    assert [m.to for m in mailoutbox] == [["ops@porchlight.example.org"]]
    assert f"The trigger {trigger} on audit_accessevent is not enabled ALWAYS." in mailoutbox[0].body


def test_the_page_says_where_the_standalone_witness_is_and_how_to_run_it(logged_in_staff: Any) -> None:
    from audit.checkpoints import checkpoint_make, verifier_key

    checkpoint_make()
    client, _ = logged_in_staff(Role.OVERSIGHT)

    body = html.unescape(client.get("/oversight/").content.decode())

    assert "docs/transparency-log.md" in body
    assert f"python3 porchlight_witness.py --log http://rialto.localhost --key '{verifier_key()}' --state" in body
