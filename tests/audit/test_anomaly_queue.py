"""The board's anomaly queue page: the stored flags filtered by rule and review, review notes
that are append-only and logged, refused to everyone else (404, logged), one department only."""

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.anomalies import FlagIn, anomaly_flags_accumulate, anomaly_flags_add
from audit.models import AccessEvent, AnomalyFlag, AnomalyReview
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from tenants.models import Department, DepartmentPolicy
from tests.cameras.test_anomalies import _reset
from tests.conftest import TenantClient

QUEUE = "/oversight/anomalies/"


@pytest.fixture
def queue(in_rialto: Department, fontana: Department) -> list[AnomalyFlag]:
    with tenant_context(fontana):
        _reset()
        anomaly_flags_add(
            flags=[FlagIn("off_hours", "fontana-1", [1], timezone.now(), 5, "Fontana officer", "F5", {"time": "x"})]
        )
    _reset()
    now = timezone.now()
    anomaly_flags_add(
        flags=[
            FlagIn(
                "off_hours",
                "1",
                [1],
                now,
                7,
                "Officer Seven",
                "7",
                {"time": "2026-11-03 03:00", "start": 7, "end": 19, "camera": ""},
            ),
            FlagIn(
                "vague_purpose",
                "7:C-1:follow up",
                [2],
                now - dt.timedelta(hours=1),
                7,
                "Officer Seven",
                "7",
                {"text": "follow up", "case": "C-1", "min_words": 4},
            ),
        ]
    )
    return list(AnomalyFlag.objects.order_by("pk"))


@pytest.fixture
def board(logged_in_staff: Any) -> TenantClient:
    client, _user = logged_in_staff(Role.OVERSIGHT)
    return client


def _head() -> int:
    last = AccessEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


def test_the_board_sees_its_departments_flags_explained_and_the_reading_is_logged(
    board: TenantClient, queue: list[AnomalyFlag]
) -> None:
    response = board.get(QUEUE)

    assert response.status_code == 200
    assert [row[0].pk for row in response.context["rows"]] == [queue[0].pk, queue[1].pk]
    body = response.content.decode()
    assert "Purpose “follow up” (case C-1) is vague." in body
    assert "Fontana officer" not in body
    assert f"/oversight/search/?flag={queue[0].pk}" in body
    read = _last()
    assert (read.action, read.outcome, read.details["view"]) == ("audit_read", "allowed", "anomalies")


def test_a_flag_of_many_searches_states_how_many_and_lists_the_first_numbers(
    board: TenantClient, queue: list[AnomalyFlag]
) -> None:
    many = [2, *range(1000, 1040)]
    anomaly_flags_accumulate(
        flags=[FlagIn("vague_purpose", "7:C-1:follow up", many, timezone.now(), 7, "Officer Seven", "7")]
    )

    body = board.get(QUEUE).content.decode()

    assert "Events (41): #2, #1000," in body
    assert "#1018" in body
    assert "#1019" not in body  # the first 20 numbers; the search shows them all


def _officer_search(text: str) -> AccessEvent:
    return access_event_record(
        actor=ActorSnapshot(user_id=7, label="Officer Seven", badge="7", role="officer", mfa=True),
        facts=EventFacts("search", "allowed", "ok"),
        purpose=PurposeSnapshot(case_number="C-1", category="property_crime", text=text),
    )


def _see_these_events(body: str) -> str:
    link = re.search(r'<a href="([^"]+)">See these events in the search</a>', body)
    assert link is not None
    return html.unescape(link.group(1))


def test_see_these_events_shows_exactly_the_events_that_raised_the_flag(
    board: TenantClient, in_rialto: Department, fontana: Department
) -> None:
    with tenant_context(fontana):
        _reset()
        theirs = [_officer_search("follow up").hash for _ in range(3)]
    _reset()
    # The same officer's searches on the same day: only two of them raised the flag.
    events = [_officer_search(text) for text in ("follow up", "burglary at 5 Elm St", "follow up", "x", "follow up")]
    flagged = [events[0].seq, events[2].seq]
    anomaly_flags_add(
        flags=[
            FlagIn(
                "vague_purpose",
                "7:C-1:follow up",
                flagged,
                events[2].occurred_at,
                7,
                "Officer Seven",
                "7",
                {"text": "follow up", "case": "C-1", "min_words": 4},
            )
        ]
    )

    response = board.get(_see_these_events(board.get(QUEUE).content.decode()))

    shown = response.context["page"].events
    assert response.status_code == 200
    assert sorted(e.seq for e in shown) == flagged
    assert response.context["count"] == 2
    assert not {e.hash for e in shown} & set(theirs)
    assert "The 2 events of anomaly flag" in response.content.decode()


def test_a_flag_number_that_is_not_this_departments_is_named_and_nothing_is_read(
    board: TenantClient, queue: list[AnomalyFlag]
) -> None:
    unknown = max(f.pk for f in queue) + 1000

    response = board.get("/oversight/search/", {"flag": str(unknown)})

    assert response.status_code == 400
    assert f"No anomaly flag {unknown} in this department" in response.content.decode()
    read = _last()
    assert (read.action, read.outcome, read.quantity) == ("audit_read", "denied", 0)


def test_the_page_states_each_rule_with_the_departments_threshold(board: TenantClient, queue: Any) -> None:
    response = board.get(QUEUE)

    body = response.content.decode()
    assert "before 07:00 or from 19:00 on" in body
    assert "fewer than 4 words" in body
    assert "Porchlight has no case reports" in body


def test_the_queue_filters_by_rule_and_by_review(board: TenantClient, queue: list[AnomalyFlag]) -> None:
    board.post(f"{QUEUE}{queue[0].pk}/review/", {"note": "Checked the call log: a burglary in progress."})

    by_rule = board.get(QUEUE, {"rule": "vague_purpose"})
    unreviewed = board.get(QUEUE, {"status": "unreviewed"})
    reviewed = board.get(QUEUE, {"status": "reviewed"})

    assert [r[0].pk for r in by_rule.context["rows"]] == [queue[1].pk]
    assert [r[0].pk for r in unreviewed.context["rows"]] == [queue[1].pk]
    assert [r[0].pk for r in reviewed.context["rows"]] == [queue[0].pk]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"rule": "nope"}, "rule", "“nope” is not a rule of the anomaly queue"),
        ({"status": "maybe"}, "status", "“maybe” is not a review status"),
        ({"bogus": "1"}, "__all__", "Unknown filter: bogus"),
    ],
)
def test_an_unknown_filter_is_named_nothing_is_read_and_the_refusal_is_logged(
    board: TenantClient, queue: Any, params: dict[str, str], field: str, words: str
) -> None:
    # Issue 15 ("nothing is written but the logged attempt"), as the board's search does.
    before = _head()

    response = board.get(QUEUE, params)

    assert response.status_code == 400
    assert words in str(response.context["form"].errors[field])
    assert words in response.content.decode()
    assert response.context["rows"] is None
    refused = [(e.action, e.outcome, e.reason, e.details) for e in AccessEvent.objects.filter(seq__gt=before)]
    assert refused == [("audit_read", "denied", "invalid_filter", {"view": "anomalies", "errors": [field]})]


def test_the_page_number_is_not_a_filter(board: TenantClient, queue: Any) -> None:
    response = board.get(QUEUE, {"rule": "off_hours", "page": "1"})

    assert response.status_code == 200


def test_a_review_is_stored_and_logged(board: TenantClient, queue: list[AnomalyFlag]) -> None:
    response = board.post(f"{QUEUE}{queue[0].pk}/review/?rule=off_hours", {"note": "Looked at it: fine."})

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?rule=off_hours#flag-{queue[0].pk}"
    review = AnomalyReview.objects.get()
    logged = AccessEvent.objects.get(seq=review.event_seq)
    assert (logged.action, logged.targets, logged.details["note"]) == (
        "anomaly_review",
        [f"anomaly_flag:{queue[0].pk}"],
        "Looked at it: fine.",
    )


@pytest.mark.parametrize(("note", "words"), [("   ", "Write a note"), ("x" * 2001, "at most 2000 characters")])
def test_an_empty_or_too_long_note_is_refused_with_a_message(
    board: TenantClient, queue: list[AnomalyFlag], note: str, words: str
) -> None:
    before = _head()

    response = board.post(f"{QUEUE}{queue[0].pk}/review/", {"note": note})

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not AnomalyReview.objects.exists()
    # Only the refused write is logged (tests/audit/test_board_refusals_logged.py).
    assert AccessEvent.objects.filter(seq__gt=before, action="anomaly_review", outcome="allowed").count() == 0


def test_a_flag_of_another_department_cannot_be_reviewed(board: TenantClient, queue: Any, fontana: Department) -> None:
    with tenant_context(fontana):
        theirs = AnomalyFlag.objects.get().pk
    missing = max(theirs, *(f.pk for f in queue)) + 1

    before = _head()

    response = board.post(f"{QUEUE}{missing}/review/", {"note": "A note"})

    assert response.status_code == 404
    assert not AnomalyReview.objects.exists()
    refused = [(e.action, e.outcome, e.reason, e.details) for e in AccessEvent.objects.filter(seq__gt=before)]
    assert refused == [("anomaly_review", "denied", "not_found", {"view": "anomalies", "flag": missing})]


def test_review_notes_are_append_only_in_the_database(board: TenantClient, queue: list[AnomalyFlag]) -> None:
    board.post(f"{QUEUE}{queue[0].pk}/review/", {"note": "First look."})
    review = AnomalyReview.objects.get()

    for sql in ("UPDATE audit_anomalyreview SET note = 'rewritten'", "DELETE FROM audit_anomalyreview"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    review.note = "rewritten"
    with pytest.raises(ValueError, match="never changed"):
        review.save()
    with pytest.raises(ValueError, match="never deleted"):
        review.delete()

    assert AnomalyReview.objects.get().note == "First look."


@pytest.mark.parametrize("role", [Role.OFFICER, Role.RESIDENT])
def test_anyone_but_the_logs_readers_gets_404_and_is_logged(logged_in_staff: Any, queue: Any, role: str) -> None:
    client, _user = logged_in_staff(role)

    response = client.get(QUEUE)
    posted = client.post(f"{QUEUE}{queue[0].pk}/review/", {"note": "mine now"})

    assert (response.status_code, posted.status_code) == (404, 404)
    assert (_last().action, _last().outcome) == ("audit_read", "denied")
    assert not AnomalyReview.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.DEPT_ADMIN])
def test_the_department_neither_reads_the_queue_nor_adds_a_note(
    logged_in_staff: Any, queue: list[AnomalyFlag], role: str
) -> None:
    """The flags are about the department's officers and the notes are the board's: a
    supervisor would be reviewing their own officers."""
    client, user = logged_in_staff(role)

    response = client.get(QUEUE)
    posted = client.post(f"{QUEUE}{queue[0].pk}/review/", {"note": "closing my own officer's flag"})

    assert (response.status_code, posted.status_code) == (404, 404)
    assert not AnomalyReview.objects.exists()
    refused = _last()
    assert (refused.action, refused.outcome, refused.reason, refused.actor_id) == (
        "audit_read",
        "denied",
        "role_not_permitted",
        user.pk,
    )


def test_the_page_in_spanish(board: TenantClient, queue: Any) -> None:
    response = board.get(QUEUE, HTTP_ACCEPT_LANGUAGE="es")

    body = response.content.decode()
    assert "Cola de anomalías" in body
    assert "Marcar como revisada" in body


def _policy_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "live_view_limit_minutes": 20,
        "footage_retention_days": 60,
        "purpose_categories_text": "violent_crime, property_crime, missing_person",
        "exigent_categories_text": "missing_person",
        "ordinance_minimum_level": "live",
        "notice_digest_minutes": 15,
        "public_cell_threshold": 5,
        "language": "en",
    }
    data.update(overrides)
    return data


def test_an_administrator_sets_a_rules_threshold_and_the_page_states_it(
    logged_in_staff: Any, rialto: Department
) -> None:
    admin, _user = logged_in_staff(Role.DEPT_ADMIN)
    board, _member = logged_in_staff(Role.OVERSIGHT, TenantClient("rialto.localhost"))

    response = admin.post("/department/policy/", _policy_form(anomaly_day_start_hour=6, anomaly_denials=5))

    assert response.status_code == 302
    policy = DepartmentPolicy.objects.get(department=rialto)
    assert (policy.anomaly_day_start_hour, policy.anomaly_denials, policy.anomaly_day_end_hour) == (6, 5, 19)
    assert "before 06:00" in board.get(QUEUE).content.decode()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"anomaly_day_start_hour": 19, "anomaly_day_end_hour": 7}, "must end after it starts"),
        ({"anomaly_repeat_opens": 1}, "greater than or equal to 2"),
        ({"anomaly_sensitive_distance_m": "far"}, "whole number"),
    ],
)
def test_a_bad_threshold_is_refused_by_name(
    logged_in_staff: Any, rialto: Department, fields: dict[str, Any], words: str
) -> None:
    admin, _user = logged_in_staff(Role.DEPT_ADMIN)

    response = admin.post("/department/policy/", _policy_form(**fields))

    assert response.status_code == 400
    assert words in response.content.decode()
    assert DepartmentPolicy.objects.get(department=rialto).anomaly_day_start_hour == 7
