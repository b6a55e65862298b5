"""The annual surveillance report: computed from the rollups up to a signed checkpoint, equal to
a full scan of the events in it, the same bytes when generated again (also after the log grew),
small cells suppressed, for the log's readers only, bad years and checkpoints named."""

import csv
import dataclasses
import datetime as dt
import io
import json
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from audit.annual_report import year_counts, year_counts_scan
from audit.anomalies import FlagIn, anomaly_flags_accumulate, anomaly_flags_add, anomaly_review_add
from audit.board_records import BoardRecordIn, board_record_change, board_record_create
from audit.checkpoints import checkpoint_make
from audit.models import AccessEvent, AnomalyFlag, SignedCheckpoint
from audit.rollups import department_time_zone
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from cameras.area_rollups import area_rollups_catch_up
from core.spreadsheets import FORMULA_STARTS
from places.areas import areas_import
from tenants.models import Department
from tests.audit.test_board_records import records_emptied
from tests.cameras.test_anomalies import _reset
from tests.conftest import TenantClient
from tests.factories import UserFactory, camera_make

REPORT = "/oversight/report/"
OFFICER = ActorSnapshot(user_id=7, label="Officer Seven", badge="7", role="officer", mfa=True, ip="10.0.0.1")
BOARD = ActorSnapshot(user_id=None, label="Board", role="oversight", mfa=True)


@pytest.fixture
def log(in_rialto: Department) -> Department:
    """An empty log, rollups, queue and records in Rialto (rolled back after the test)."""
    _reset()
    records_emptied()
    with connection.cursor() as cursor:
        for table in ("audit_dayrollup", "audit_monthrollup", "audit_hourrollup", "audit_arearollup"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (the test's own table names)
        cursor.execute("DELETE FROM audit_rollupmark")
        cursor.execute("DELETE FROM audit_arearollupmark")
    return in_rialto


@pytest.fixture
def board(log: Department, logged_in_staff: Any) -> TenantClient:
    client, _user = logged_in_staff(Role.OVERSIGHT)
    return client


def event(
    action: str = "search", *, outcome: str = "allowed", reason: str = "ok", category: str = "", **facts: Any
) -> int:
    return access_event_record(
        actor=OFFICER,
        facts=EventFacts(action=action, outcome=outcome, reason=reason, **facts),
        purpose=PurposeSnapshot(case_number="C-1", category=category, text="a burglary on Main Street"),
    ).seq


def a_year_of_mixed_events() -> None:
    for _ in range(6):
        event("search", category="property_crime", quantity=12, quantity_unit="results")
    for _ in range(3):
        event("search", category="missing_person", quantity=2, quantity_unit="results")
    event("live_start")
    event("live_end", reason="viewer_left", quantity=600, quantity_unit="seconds")
    event("export", targets=["clip:00000000-0000-0000-0000-000000000001"])
    for _ in range(7):
        event("camera_view", outcome="denied", reason="no_grant")
    event("console_denied", outcome="denied", reason="role_not_permitted")


def _year() -> int:
    return timezone.now().astimezone(ZoneInfo(department_time_zone())).year


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


def _csv(body: bytes) -> dict[tuple[str, str, str, str], str]:
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["section", "table", "row", "column", "value"]
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows[1:]}


def test_the_rollups_less_the_later_events_equal_a_full_scan_of_the_checkpoint(log: Department) -> None:
    a_year_of_mixed_events()
    checkpoint = checkpoint_make()
    event("search", category="property_crime")
    event("camera_view", outcome="denied", reason="revoked")

    from_rollups = year_counts(year=_year(), upto=checkpoint.tree_size, zone=department_time_zone())
    from_scan = year_counts_scan(year=_year(), upto=checkpoint.tree_size, zone=department_time_zone())

    assert from_rollups == from_scan
    assert sum(cell[0] for cell in from_scan.values()) == checkpoint.tree_size


def test_the_report_generated_again_is_the_same_bytes_also_after_new_events(board: TenantClient) -> None:
    a_year_of_mixed_events()
    checkpoint = checkpoint_make()
    query = {"year": _year(), "checkpoint": checkpoint.pk}

    first_pdf = board.get(f"{REPORT}pdf/", query)
    first_csv = board.get(f"{REPORT}csv/", query)
    event("search", category="property_crime")  # after the checkpoint: not in its report
    event("camera_view", outcome="denied", reason="revoked")
    second_pdf = board.get(f"{REPORT}pdf/", query)
    second_csv = board.get(f"{REPORT}csv/", query)
    later = board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint_make().pk})

    assert first_pdf.status_code == 200
    assert first_pdf["Content-Type"] == "application/pdf"
    assert first_pdf.content.startswith(b"%PDF")
    assert first_pdf.content == second_pdf.content
    assert first_csv.content == second_csv.content
    assert later.content != first_csv.content


def test_the_report_states_its_checkpoint_and_head_and_counts_only_their_events(board: TenantClient) -> None:
    a_year_of_mixed_events()
    checkpoint = checkpoint_make()
    head = AccessEvent.objects.get(seq=checkpoint.tree_size)
    event("search", category="property_crime")

    cells = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)

    assert cells[("report", "", "Checkpoint tree size", "")] == str(checkpoint.tree_size)
    assert cells[("report", "", "Chain head hash", "")] == head.hash
    assert cells[("report", "", "Chain head: last event counted", "")] == f"#{head.seq}"
    # 6 (or hidden as the complement of a small count: audit.publication decides), not the 7 of the log now
    assert cells[("R1", "Searches by purpose category", "Property crime", "Searches")] in ("6", "≥5")
    assert cells[("R1", "Searches by purpose category", "Missing person", "Searches")] == "<5"


def test_small_cells_are_suppressed_below_the_policys_threshold(board: TenantClient) -> None:
    a_year_of_mixed_events()
    checkpoint = checkpoint_make()

    cells = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)

    assert cells[("R1", "Searches by purpose category", "Missing person", "Searches")] == "<5"
    assert cells[("R1", "Quantity of data", "Minutes watched live", "Quantity")] == "10"
    assert cells[("R3", "Copies made of camera data and of the log", "Footage exported as evidence", "Events")] == "<5"
    assert cells[("R8", "Refusals by reason", "Role not permitted (role_not_permitted)", "Refused")] == "<5"


def test_complaints_and_requests_are_counted_as_they_were_at_the_checkpoint(board: TenantClient) -> None:
    today = timezone.localdate()
    day = (timezone.now() - dt.timedelta(days=1)).date()
    records = [
        board_record_create(
            record=BoardRecordIn(kind="complaint", received_on=day, category="privacy", summary="Camera at a park."),
            actor=BOARD,
            today=today,
        )
        for _ in range(5)
    ]
    board_record_create(
        record=BoardRecordIn(kind="records_request", received_on=day, category="access_logs", summary="Logs as CSV."),
        actor=BOARD,
        today=today,
    )
    checkpoint = checkpoint_make()
    closed = BoardRecordIn(
        kind="complaint",
        received_on=day,
        category="privacy",
        summary="Camera at a park.",
        status="closed",
        outcome="unfounded",
        disposed_on=day,
    )
    board_record_change(record_id=records[0].pk, record=closed, note="Closed after review.", actor=BOARD, today=today)

    held = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)
    now = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint_make().pk}).content)

    table = "Status at the checkpoint of those received in the year"
    assert held[("R6", "Received in the year by category", "Privacy of residents or bystanders", "Received")] == "5"
    assert held[("R6", table, "Received", "Records")] == "5"
    assert held[("R6", "Closed in the year by outcome", "Unfounded", "Closed")] == "0"
    assert now[("R6", table, "Closed", "Records")] == "<5"
    assert held[("R10", "Received in the year by category", "Access logs or audit data", "Received")] == "<5"


def test_the_anomaly_queue_is_counted_by_rule_and_review(board: TenantClient) -> None:
    seqs = [event("live_start") for _ in range(6)]
    anomaly_flags_add(
        flags=[
            FlagIn("off_hours", f"k{n}", [seq], timezone.now(), 7, "Officer Seven", "7") for n, seq in enumerate(seqs)
        ]
    )
    flag = AnomalyFlag.objects.order_by("pk").first()
    assert flag is not None
    anomaly_review_add(flag_id=flag.pk, note="Looked at it.", actor=BOARD)
    checkpoint = checkpoint_make()

    cells = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)

    # 6 flags, 1 reviewed, 5 not: the flags are hidden too ("≥5": else 6 less the "≥5" not reviewed
    # would pin the reviewed one to 1), and so are the events flagged (one each, so 6 as well).
    assert cells[("R7", "Flags by rule", "Live view outside working hours", "Flags")] == "≥5"
    assert cells[("R7", "Flags by rule", "Live view outside working hours", "Events flagged")] == "≥5"
    assert cells[("R7", "Flags by rule", "Live view outside working hours", "Reviewed")] == "<5"
    assert cells[("R7", "Flags by rule", "Live view outside working hours", "Not reviewed")] == "5"


def test_a_vague_purpose_flag_counts_its_searches_up_to_the_checkpoint_and_no_later_one(board: TenantClient) -> None:
    vague = [event("search") for _ in range(6)]
    flag = FlagIn("vague_purpose", "7:C-1:follow up", vague, timezone.now(), 7, "Officer Seven", "7")
    anomaly_flags_accumulate(flags=[flag])
    checkpoint = checkpoint_make()
    anomaly_flags_accumulate(flags=[dataclasses.replace(flag, seqs=[event("search")])])  # after the checkpoint

    cells = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)

    assert AnomalyFlag.objects.filter(rule="vague_purpose").count() == 1
    assert cells[("R7", "Flags by rule", "Search with a vague purpose", "Flags")] == "<5"
    assert cells[("R7", "Flags by rule", "Search with a vague purpose", "Events flagged")] == "6"


def test_the_page_shows_the_report_and_each_generation_is_logged(board: TenantClient) -> None:
    a_year_of_mixed_events()
    checkpoint = checkpoint_make()

    page = board.get(REPORT)
    read = _last()
    board.get(f"{REPORT}pdf/", {"year": _year(), "checkpoint": checkpoint.pk})
    exported = _last()

    body = page.content.decode()
    assert page.status_code == 200
    assert str(checkpoint.tree_size) in body
    assert "Not computed from the log" in body
    assert "Annual cost, funding source" in body
    assert f"/oversight/report/pdf/?year={_year()}&amp;checkpoint={checkpoint.pk}" in body
    assert (read.action, read.outcome, read.details["view"], read.details["checkpoint"]) == (
        "audit_read",
        "allowed",
        "annual_report",
        checkpoint.pk,
    )
    assert (exported.action, exported.details["format"]) == ("log_export", "pdf")


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"year": "1999"}, "The year must be between 2000 and"),
        ({"year": "20x6"}, "The year must be four digits"),
        ({"year": "2999"}, "The year must be between 2000 and"),
        ({"checkpoint": "999999"}, "There is no signed checkpoint #999999"),
        ({"checkpoint": "latest"}, "There is no signed checkpoint #latest"),
        ({"checkpoint": "99999999999999999999"}, "There is no signed checkpoint #99999999999999999999"),
        ({"month": "3"}, "Unknown parameter: month"),
    ],
)
@pytest.mark.parametrize("path", [REPORT, f"{REPORT}csv/"])
def test_a_bad_year_or_checkpoint_is_named_and_the_attempt_logged(
    board: TenantClient, params: dict[str, str], words: str, path: str
) -> None:
    checkpoint_make()

    response = board.get(path, params)

    assert response.status_code == 400
    assert words in response.content.decode()
    assert (_last().outcome, _last().reason, _last().details["view"]) == ("denied", "invalid_filter", "annual_report")


def test_before_the_first_checkpoint_the_page_says_so(board: TenantClient) -> None:
    assert not SignedCheckpoint.objects.exists()

    response = board.get(REPORT)

    assert response.status_code == 400
    assert "no signed checkpoint yet" in response.content.decode()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.RESIDENT])
def test_anyone_but_the_logs_readers_gets_404_and_is_logged(log: Department, logged_in_staff: Any, role: str) -> None:
    checkpoint_make()
    client, _user = logged_in_staff(role)

    page = client.get(REPORT)
    pdf = client.get(f"{REPORT}pdf/")

    assert (page.status_code, pdf.status_code) == (404, 404)
    assert (_last().action, _last().outcome) == ("audit_read", "denied")


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.DEPT_ADMIN])
def test_the_report_is_the_boards_not_the_departments(log: Department, logged_in_staff: Any, role: str) -> None:
    checkpoint_make()
    client, _user = logged_in_staff(role)

    assert client.get(REPORT).status_code == 404
    assert (_last().action, _last().outcome, _last().reason) == ("audit_read", "denied", "role_not_permitted")


@pytest.mark.parametrize("caught_up", ["before the checkpoint", "after the later events"])
def test_the_police_areas_are_counted_to_the_checkpoint_wherever_the_area_rollup_stands(
    board: TenantClient, caught_up: str
) -> None:
    place = {"area": {"shape": "circle", "center": [-117.37, 34.1], "radius_m": 300}}
    for _ in range(6):
        event("search", category="property_crime", details=place)
    if caught_up == "before the checkpoint":
        area_rollups_catch_up()
        event("search", category="property_crime", details=place)
        checkpoint = checkpoint_make()
    else:
        checkpoint = checkpoint_make()
    for _ in range(3):
        event("search", category="property_crime", details=place)
    if caught_up == "after the later events":
        area_rollups_catch_up()

    cells = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)

    expected = 7 if caught_up == "before the checkpoint" else 6
    allowed = [v for (s, _t, _r, c), v in cells.items() if s == "R5" and c == "Allowed"]
    assert allowed == [str(expected)]


def test_registered_cameras_are_counted_as_they_were_at_the_checkpoints_time(
    board: TenantClient, log: Department
) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    checkpoint = checkpoint_make()
    before = _r4(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)
    for _ in range(5):
        camera_make(owner, log)

    held = _r4(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)
    time.sleep(1.1)  # a checkpoint's time is in whole seconds
    now = _r4(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint_make().pk}).content)

    assert held == before
    assert now != held
    assert now[("Registered cameras by kind of property", "Home")] != "0"


def _r4(body: bytes) -> dict[tuple[str, str], str]:
    return {(table, row): value for (section, table, row, _c), value in _csv(body).items() if section == "R4"}


def test_every_csv_cell_opens_as_text_in_a_spreadsheet_even_a_police_area_named_as_a_formula(
    board: TenantClient, tmp_path: Path
) -> None:
    # Issue 15's attack review: a police area named =HYPERLINK(...) became a live formula.
    name = '=HYPERLINK("http://evil.example/","Beat 1")'
    square = [[-100.01, 39.99], [-99.99, 39.99], [-99.99, 40.01], [-100.01, 40.01], [-100.01, 39.99]]
    feature = {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [square]},
    }
    beats = tmp_path / "beats.geojson"
    beats.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    areas_import(path=beats, which="police", default_kind="beat")
    for _ in range(6):
        event("search", category="property_crime", details={"area": {"shape": "circle", "center": [-100, 40]}})
    area_rollups_catch_up()
    checkpoint = checkpoint_make()

    body = board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content

    cells = _csv(body)
    assert [v for (s, _t, row, c), v in cells.items() if s == "R5" and c == "Allowed" and row == "'" + name] == ["6"]
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)] == []
