"""A rewrite of the log, once found, is kept as a failure (audit.integrity) that names the first
event whose stored contents no longer match what was written and the range affected; the board
and the department's administrators are told once per failure, not once per check; and everyone
who relies on the log (the public page, its JSON and feed, an owner's proof and access pages)
reads a plain statement of it until the board records it resolved, and after, marked resolved.

Every edit here is made as the database owner would make it: the log's guarding triggers
switched off, a row changed in SQL (tests.audit.tampering)."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core import mail

from accounts.models import Role, User
from audit.checkpoints import checkpoint_make
from audit.integrity import log_failures
from audit.models import AccessEvent, LogFailure
from audit.rollups import department_time_zone
from audit.tasks import chain_verify_hourly
from footage.tasks import access_log_verify_hourly
from notifications.models import Kind, Notification
from tenants.models import Department
from tests.audit.tampering import event_edit_and_rehash, superuser_sql
from tests.audit.test_annual_report import board, event, log
from tests.conftest import TenantClient
from tests.factories import UserFactory

__all__ = ["board", "log"]


def _edit_purpose(seq: int, text: str) -> None:
    """The database owner changes what an event says, and nothing else (its hashes stay)."""
    superuser_sql("UPDATE audit_accessevent SET purpose_text = %s WHERE seq = %s", [text, seq])


def _local_day(at: dt.datetime) -> str:
    return f"{at.astimezone(ZoneInfo(department_time_zone())):%Y-%m-%d}"


# --- The failure names the edited event, not the newest the tree held ---------------------------


def test_an_edit_in_place_is_kept_as_a_failure_naming_the_edited_event(log: Department) -> None:
    # given six events, and the third edited in place by the database owner
    seqs = [event("search", category="property_crime") for _n in range(6)]
    _edit_purpose(seqs[2], "nothing to see here")

    # when the hourly verification walks the chain
    report = chain_verify_hourly()

    # then the failure kept names event #3 alone, and when the events before it end
    failure = LogFailure.objects.get()
    before = AccessEvent.objects.get(seq=seqs[1])
    assert report.startswith("BROKEN")
    assert (failure.first_seq, failure.last_seq, failure.events) == (seqs[2], seqs[2], 1)
    assert failure.since == before.occurred_at
    assert f"#{seqs[2]}" in failure.problem


def test_a_rewrite_rehashed_to_the_end_names_its_first_event_and_the_range(log: Department) -> None:
    # given six events in a signed checkpoint, then the third edited by the database owner and
    # every hash after it recomputed, so that the chain verifies by itself
    seqs = [event("search", category="property_crime") for _n in range(6)]
    checkpoint_make()
    event_edit_and_rehash(seq=seqs[2], rehash_later=True, purpose_text="nothing to see here")

    # when the next checkpoint finds the tree no longer matches the events
    rebuilt = checkpoint_make()

    # then the failure and the rebuilt checkpoint name event #3 as the first rewritten, to #6
    failure = LogFailure.objects.get()
    assert (failure.first_seq, failure.last_seq, failure.events) == (seqs[2], seqs[5], 4)
    assert f"event #{seqs[2]}" in rebuilt.rewrite_found
    assert f"#{seqs[5]}, the newest the tree holds" not in rebuilt.rewrite_found
    assert f"#{seqs[2]}" in failure.problem


def test_the_hourly_check_after_a_rebuild_keeps_the_one_failure_the_checkpoint_found(log: Department) -> None:
    seqs = [event("search", category="property_crime") for _n in range(5)]
    assert chain_verify_hourly().startswith("ok")
    checkpoint_make()
    event_edit_and_rehash(seq=seqs[1], rehash_later=True, purpose_text="nothing to see here")
    checkpoint_make()  # the tree is rebuilt: the failure names #2

    hourly = [chain_verify_hourly() for _n in range(3)]  # the head verified before no longer holds

    assert all(sentence.startswith("BROKEN") for sentence in hourly)
    assert list(LogFailure.objects.values_list("first_seq", flat=True)) == [seqs[1]]


# --- The board and the administrators are told, once per failure ---------------------------------


def test_the_board_and_the_administrators_are_told_once_per_failure_not_once_per_check(
    log: Department, django_capture_on_commit_callbacks: Any
) -> None:
    # given board members, administrators, an officer and a deactivated board member
    board_members = [UserFactory(role=Role.OVERSIGHT) for _n in range(2)]
    admins = [UserFactory(role=Role.DEPT_ADMIN)]
    officer = UserFactory(role=Role.OFFICER)
    gone = UserFactory(role=Role.OVERSIGHT, is_active=False)
    seqs = [event("search", category="property_crime") for _n in range(4)]
    _edit_purpose(seqs[1], "nothing to see here")
    mail.outbox.clear()

    # when the beat's hourly verification finds it, three hours running
    for _n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            access_log_verify_hourly()

    # then each active board member and administrator has one notice and one e-mail naming #2
    told = [address for message in mail.outbox for address in message.to]
    for user in [*board_members, *admins]:
        notices = Notification.objects.filter(recipient=user, kind=Kind.LOG_INTEGRITY_FAILED)
        assert notices.count() == 1, user.role
        assert f"#{seqs[1]}" in notices.get().body
        assert told.count(user.email) == 1
    assert officer.email not in told
    assert gone.email not in told
    assert not Notification.objects.filter(recipient__in=[officer, gone]).exists()


def test_a_second_rewrite_found_later_is_a_second_failure_told_again(
    log: Department, django_capture_on_commit_callbacks: Any
) -> None:
    member = UserFactory(role=Role.OVERSIGHT)
    seqs = [event("search", category="property_crime") for _n in range(4)]
    checkpoint_make()
    _edit_purpose(seqs[0], "first edit")
    with django_capture_on_commit_callbacks(execute=True):
        access_log_verify_hourly()  # finds #1
    for _n in range(2):
        seqs.append(event("search", category="property_crime"))
    checkpoint_make()  # a witness holds #5 and #6 as they were written
    event_edit_and_rehash(seq=seqs[4], rehash_later=True, purpose_text="second edit")

    with django_capture_on_commit_callbacks(execute=True):
        checkpoint_make()  # the tree no longer matches from #5 on

    assert list(LogFailure.objects.order_by("pk").values_list("first_seq", flat=True)) == [seqs[0], seqs[4]]
    assert Notification.objects.filter(recipient=member, kind=Kind.LOG_INTEGRITY_FAILED).count() == 2


# --- Everyone who relies on the log reads it --------------------------------------------------


def _failed(seqs: list[int], at: int) -> LogFailure:
    _edit_purpose(seqs[at], "nothing to see here")
    chain_verify_hourly()
    return LogFailure.objects.get()


def test_the_public_page_states_the_failure_in_english_and_spanish(
    log: Department, rialto_client: TenantClient
) -> None:
    seqs = [event("search", category="property_crime") for _n in range(4)]
    quiet = rialto_client.get("/transparency/").content.decode()
    failure = _failed(seqs, 2)

    english = rialto_client.get("/transparency/").content.decode()
    spanish = rialto_client.get("/transparency/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert 'id="log-failures"' not in quiet
    assert 'id="log-failures"' in english
    found, since = _local_day(failure.found_at), _local_day(failure.since)  # type: ignore[arg-type]
    assert f"failed verification on {found}" in english
    assert f"Event #{seqs[2]}" in english
    assert f"since {since}" in english
    assert "may be unreliable" in english
    assert f"no superó la verificación el {found}" in spanish
    assert "pueden no ser fiables" in spanish
    # the statement comes first in the page's own language, then in the other
    assert english.index("may be unreliable") < english.index("pueden no ser fiables")
    assert spanish.index("pueden no ser fiables") < spanish.index("may be unreliable")


def test_the_open_data_and_the_feed_state_the_failure(log: Department, rialto_client: TenantClient) -> None:
    seqs = [event("search", category="property_crime") for _n in range(4)]
    checkpoint_make()
    before = rialto_client.get("/transparency.json").json()
    failure = _failed(seqs, 1)

    data = rialto_client.get("/transparency.json").json()
    feed = rialto_client.get("/transparency/checkpoints.atom").content.decode()

    assert before["log_integrity"] == {"status": "no_failure_found", "failures": []}
    integrity = data["log_integrity"]
    assert integrity["status"] == "failed"
    (published,) = integrity["failures"]
    assert (published["first_event"], published["last_event"], published["events"]) == (seqs[1], seqs[1], 1)
    assert published["found_at"] == failure.found_at.isoformat()
    assert published["resolved_at"] is None
    assert "may be unreliable" in published["statement"]["en"]
    assert "pueden no ser fiables" in published["statement"]["es"]
    assert f"log-failure:{failure.pk}" in feed
    assert "failed verification" in feed


def _owner_client(rialto_client: TenantClient, owner: User) -> TenantClient:
    rialto_client.force_login(owner)
    return rialto_client


def test_an_owner_whose_accesses_are_affected_reads_it_on_their_access_page_and_proof_page(
    log: Department, rialto_client: TenantClient
) -> None:
    # given an owner with one access before the edited event and one inside it
    owner, other = UserFactory(role=Role.RESIDENT), UserFactory(role=Role.RESIDENT)
    early = event("camera_view", owner_refs=[owner.pk])
    hit = event("camera_view", owner_refs=[owner.pk])
    event("camera_view", owner_refs=[other.pk])
    checkpoint_make()
    _edit_purpose(hit, "nothing to see here")
    chain_verify_hourly()

    # when each owner reads their pages
    client = _owner_client(rialto_client, owner)
    access_page = client.get("/my/access/").content.decode()
    proof_page = client.get(f"/my/access/{early}/proof/").content.decode()
    others = _owner_client(rialto_client, other).get("/my/access/").content.decode()

    # then the owner whose access is in the range is told which, and the proof page states it
    assert 'id="log-failures"' in access_page
    assert f"#{hit}" in access_page
    assert "accesses to your cameras" in access_page
    assert 'id="log-failures"' in proof_page
    assert "may be unreliable" in proof_page
    assert 'id="log-failures"' in others  # every owner reads that the log failed
    assert "None of the accesses to your cameras is in the affected range" in others


# --- The board records it resolved: the notice stays, marked resolved ----------------------------


def test_the_board_resolves_a_failure_and_the_notice_stays_marked_resolved(
    board: TenantClient, rialto_client: TenantClient
) -> None:
    seqs = [event("search", category="property_crime") for _n in range(3)]
    failure = _failed(seqs, 1)
    note = "The edit was a test by the operator; the row was restored from the signed checkpoint."

    response = board.post(f"/oversight/failures/{failure.pk}/resolve/", {"note": note})
    board.logout()
    public = rialto_client.get("/transparency/").content.decode()
    data = rialto_client.get("/transparency.json").json()["log_integrity"]

    assert response.status_code == 302
    (resolved,) = log_failures()
    assert resolved.resolution is not None
    assert resolved.resolution.note == note
    assert 'id="log-failures"' in public
    assert f"resolved on {_local_day(resolved.resolution.resolved_at)}" in public
    assert note in public
    assert data["status"] == "resolved"
    assert data["failures"][0]["resolved_at"] == resolved.resolution.resolved_at.isoformat()
    assert AccessEvent.objects.filter(action="log_failure_resolve", outcome="allowed").count() == 1


def test_a_resolution_without_a_note_is_refused_and_nothing_is_saved(board: TenantClient) -> None:
    seqs = [event("search", category="property_crime") for _n in range(3)]
    failure = _failed(seqs, 1)

    response = board.post(f"/oversight/failures/{failure.pk}/resolve/", {"note": "  "})

    assert response.status_code == 400
    assert "Write a note" in response.content.decode()
    assert log_failures()[0].resolution is None
    refused = AccessEvent.objects.filter(action="log_failure_resolve").get()
    assert (refused.outcome, refused.reason) == ("denied", "invalid_input")


def test_only_the_board_resolves_a_failure_others_get_404_and_are_logged(log: Department, logged_in_staff: Any) -> None:
    seqs = [event("search", category="property_crime") for _n in range(3)]
    failure = _failed(seqs, 1)
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)

    response = client.post(f"/oversight/failures/{failure.pk}/resolve/", {"note": "Nothing happened."})

    assert response.status_code == 404
    assert log_failures()[0].resolution is None
    refused = AccessEvent.objects.order_by("-seq").first()
    assert refused is not None
    assert (refused.action, refused.outcome, refused.reason) == ("audit_read", "denied", "role_not_permitted")
    assert refused.details["path"] == f"/oversight/failures/{failure.pk}/resolve/"


def test_a_failure_of_another_department_is_not_found(board: TenantClient, fontana: Department) -> None:
    from django_tenants.utils import tenant_context

    with tenant_context(fontana):
        from tests.audit.tampering import log_emptied

        log_emptied()
        seqs = [event("search") for _n in range(3)]
        _edit_purpose(seqs[1], "edited")
        chain_verify_hourly()
        theirs = LogFailure.objects.get()

    response = board.post(f"/oversight/failures/{theirs.pk}/resolve/", {"note": "Not ours to resolve."})

    assert response.status_code == 404
    with tenant_context(fontana):
        assert log_failures()[0].resolution is None


def test_the_board_page_lists_the_failure_with_its_form(board: TenantClient) -> None:
    seqs = [event("search", category="property_crime") for _n in range(3)]
    failure = _failed(seqs, 1)

    body = board.get("/oversight/").content.decode()

    assert f'action="/oversight/failures/{failure.pk}/resolve/"' in body
    assert f"Event #{seqs[1]}" in body
