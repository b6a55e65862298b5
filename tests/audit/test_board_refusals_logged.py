"""Bad input on the board's pages (issue 15, "Bad input"): refused with a message naming what
was wrong, nothing read or saved, and the attempt logged as a refusal, as every board refusal
is (an audit event with outcome denied and the reason), never as an allowed reading."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.log_search import LogFilter, events_search
from audit.models import RECORDS_CATEGORIES, RECORDS_OUTCOMES, AccessEvent, AnomalyFlag, AnomalyReview, BoardRecord
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from tests.audit.test_anomaly_queue import QUEUE, queue
from tests.audit.test_board_records import records_emptied
from tests.conftest import TenantClient
from tests.tenancy import connection

__all__ = ["queue"]


def _head() -> int:
    last = AccessEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


def _since(before: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [(e.action, e.outcome, e.reason, e.details) for e in AccessEvent.objects.filter(seq__gt=before)]


@pytest.fixture
def board(logged_in_staff: Any) -> TenantClient:
    client, _user = logged_in_staff(Role.OVERSIGHT)
    return client


@pytest.fixture
def supervisor(logged_in_staff: Any) -> TenantClient:
    client, _user = logged_in_staff(Role.SUPERVISOR)
    return client


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"upto": "abc"}, "upto", "upto must be the number of an event"),
        ({"bogus": "1"}, "__all__", "Unknown filter: bogus"),
        ({"action": "teleport"}, "action", "“teleport” is not an action of the log"),
        ({"outcome": "maybe"}, "outcome", "“maybe” is not an outcome"),
    ],
)
def test_a_bad_filter_of_the_log_page_is_named_and_logged_as_a_refusal(
    supervisor: TenantClient, query: dict[str, str], field: str, words: str
) -> None:
    before = _head()

    response = supervisor.get("/oversight/", query)

    assert response.status_code == 400
    assert words in response.content.decode()
    assert _since(before) == [("audit_read", "denied", "invalid_filter", {"view": "oversight", "errors": [field]})]


def test_the_log_page_still_reads_its_own_filters(supervisor: TenantClient) -> None:
    before = _head()

    response = supervisor.get("/oversight/", {"action": "search", "outcome": "denied", "page": "2", "upto": "1"})

    assert response.status_code == 200
    assert [(a, o, r) for a, o, r, _d in _since(before)] == [("audit_read", "allowed", "ok")]


@pytest.mark.parametrize("path", ["/oversight/export/xml/", "/oversight/export/pdf/manifest/"])
def test_an_unknown_export_format_is_named_and_logged_as_a_refusal(board: TenantClient, path: str) -> None:
    before = _head()

    response = board.get(path, {"s": "whatever"})

    assert response.status_code == 404
    assert "Unknown export format" in response.content.decode()
    part = "manifest" if "manifest" in path else "file"
    assert _since(before) == [
        ("audit_read", "denied", "invalid_filter", {"view": f"board_export_{part}", "errors": ["format"]})
    ]


def test_an_unknown_report_format_is_named_and_logged_as_a_refusal(board: TenantClient) -> None:
    before = _head()

    response = board.get("/oversight/report/docx/")

    assert response.status_code == 404
    assert "Unknown report format “docx”" in response.content.decode()
    assert _since(before) == [
        ("audit_read", "denied", "invalid_filter", {"view": "annual_report", "errors": ["format"]})
    ]


@pytest.mark.parametrize(("note", "words"), [("   ", "Write a note"), ("x" * 2001, "at most 2000 characters")])
def test_an_empty_review_note_is_a_refused_write_not_an_allowed_reading(
    board: TenantClient, queue: list[AnomalyFlag], note: str, words: str
) -> None:
    before = _head()

    response = board.post(f"{QUEUE}{queue[0].pk}/review/", {"note": note})

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not AnomalyReview.objects.exists()
    assert _since(before) == [
        ("anomaly_review", "denied", "invalid_input", {"view": "anomalies", "flag": queue[0].pk, "errors": ["note"]})
    ]


# --- The case number is found whatever its case -----------------------------------------------


def _case_event(case: str) -> AccessEvent:
    return access_event_record(
        actor=ActorSnapshot(user_id=1, label="Officer", badge="100", role="officer", mfa=True),
        facts=EventFacts("search", "allowed", "ok"),
        purpose=PurposeSnapshot(case_number=case, category="property_crime", text="burglary at the corner shop"),
    )


def test_the_case_number_is_found_whatever_its_case(board: TenantClient) -> None:
    upper = _case_event("CR-2025-001")
    _case_event("CR-2025-0010")

    response = board.post("/oversight/search/", {"case_number": "cr-2025-001"})
    page = board.get(response["Location"])

    assert [e.seq for e in page.context["page"].events] == [upper.seq]


def test_the_case_number_filter_is_answered_by_an_index_on_its_upper_case(in_rialto: Any) -> None:
    sql, params = events_search(log_filter=LogFilter(case_number="cr-2025-001")).query.sql_with_params()
    with connection.cursor() as cursor:
        # No scan of the whole log: what is left is an index that answers the condition.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "audit_event_case_upper_time" in plan


# --- A complaint's category is a complaint's, a records request's a records request's ----------

RECORDS = "/oversight/records/"


def _request(**changes: Any) -> dict[str, Any]:
    return {
        "kind": "records_request",
        "received_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "category": "access_logs",
        "summary": "A journalist asks for last year's access logs.",
        "status": "received",
        "outcome": "",
        "disposed_on": "",
    } | changes


@pytest.fixture
def records_board(logged_in_staff: Any) -> TenantClient:
    records_emptied()
    client, _user = logged_in_staff(Role.OVERSIGHT)
    return client


def test_a_category_of_the_other_kind_is_refused_by_name_and_the_refusal_logged(records_board: TenantClient) -> None:
    before = _head()

    response = records_board.post(RECORDS, _request(category="privacy"))

    assert response.status_code == 400
    assert (
        "“Privacy of residents or bystanders” is a category of “Complaint or concern”, not of “Public-records request”"
        in str(response.context["form"].errors["category"])
    )
    assert not BoardRecord.objects.exists()
    assert _since(before) == [
        ("board_record", "denied", "invalid_input", {"view": "board_records", "errors": ["category"]})
    ]


def test_the_entry_form_groups_the_categories_under_their_kind(records_board: TenantClient) -> None:
    page = records_board.get(RECORDS).content.decode()

    complaints = page[page.index('<optgroup label="Complaint or concern">') :]
    complaints = complaints[: complaints.index("</optgroup>")]
    assert 'value="privacy"' in complaints
    assert 'value="access_logs"' not in complaints


def test_a_records_requests_change_form_offers_only_its_kinds_categories_and_outcomes(
    records_board: TenantClient,
) -> None:
    records_board.post(RECORDS, _request())
    record = BoardRecord.objects.get()

    form = records_board.get(f"{RECORDS}{record.pk}/").context["form"]

    assert {value for value, _words in form.fields["category"].choices} == {"", *RECORDS_CATEGORIES}
    assert {value for value, _words in form.fields["outcome"].choices} == {"", *RECORDS_OUTCOMES}


def test_a_change_to_a_category_of_the_other_kind_is_refused_and_nothing_changes(
    records_board: TenantClient,
) -> None:
    records_board.post(RECORDS, _request())
    record = BoardRecord.objects.get()
    before = _head()

    response = records_board.post(f"{RECORDS}{record.pk}/", _request(category="privacy", note="Recategorised."))

    assert response.status_code == 400
    assert "category" in response.context["form"].errors
    record.refresh_from_db()
    assert record.category == "access_logs"
    assert _since(before) == [
        (
            "board_record",
            "denied",
            "invalid_input",
            {"view": "board_record", "record": record.pk, "errors": ["category"]},
        )
    ]
