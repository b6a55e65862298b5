"""The board reads reasons in words with their code beside them, never the bare code: the
dashboard, the search page's filter and results, the log's list, the report's R8, a board
record's history; in Spanish too."""

import html

from django.utils import timezone

from audit.board_records import BoardRecordIn, board_record_create
from audit.checkpoints import checkpoint_make
from audit.services import ActorSnapshot
from tenants.models import Department
from tests.audit.test_annual_report import REPORT, _csv, _year, board, event, log
from tests.conftest import TenantClient

__all__ = ["board", "log"]

WORDS = "Level too low (level_too_low)"


def _page(client: TenantClient, url: str, **query: str) -> str:
    return html.unescape(client.get(url, query).content.decode())


def test_the_boards_pages_show_reasons_in_words_beside_their_code(board: TenantClient) -> None:
    event("camera_view", outcome="denied", reason="level_too_low")
    event("live_end", reason="viewer_left", quantity=60, quantity_unit="seconds")

    dashboard = _page(board, "/oversight/dashboard/")
    log_list = _page(board, "/oversight/")
    search = _page(board, "/oversight/search/", reason="level_too_low")

    assert WORDS in dashboard
    assert "<code>level_too_low</code>" not in dashboard
    assert WORDS in log_list
    assert WORDS in search
    assert ">Viewer left (viewer_left)</option>" in search
    assert ">ok</option>" not in search
    assert ">viewer_left</option>" not in search


def test_the_reasons_are_in_spanish_too(board: TenantClient) -> None:
    event("camera_view", outcome="denied", reason="level_too_low")

    dashboard = html.unescape(board.get("/oversight/dashboard/", HTTP_ACCEPT_LANGUAGE="es").content.decode())

    assert "Nivel insuficiente (level_too_low)" in dashboard


def test_the_report_names_refusals_in_words(board: TenantClient) -> None:
    for _n in range(6):
        event("camera_view", outcome="denied", reason="level_too_low")
    checkpoint = checkpoint_make()

    cells = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)

    assert cells[("R8", "Refusals by reason", WORDS, "Refused")] == "6"


def test_a_records_history_shows_the_category_in_words(board: TenantClient, log: Department) -> None:
    record = board_record_create(
        record=BoardRecordIn(
            kind="complaint", received_on=timezone.localdate(), category="improper_access", summary="A complaint"
        ),
        actor=ActorSnapshot(user_id=None, label="Board", role="oversight", mfa=True),
        today=timezone.localdate(),
    )

    page = _page(board, f"/oversight/records/{record.pk}/")

    assert "<td>improper_access</td>" not in page
    assert "<td>Improper access or search</td>" in page
