"""Every page of the oversight board's workspace speaks Spanish: the main content of each page,
in Spanish, keeps none of the English page's sentences (the reviewer found a search legend,
"Ordinance retired" and a raw reason code in the report's reason column)."""

import re
from typing import Any

import pytest

from audit.anomalies import FlagIn, anomaly_flags_add
from audit.board_records import BoardRecordIn, board_record_create
from audit.checkpoints import checkpoint_make
from tenants.models import Department
from tests.audit.test_annual_report import BOARD, _year, a_year_of_mixed_events, board, event, log
from tests.conftest import TenantClient
from tests.incidents.test_spanish import _english_left

__all__ = ["board", "log"]

pytestmark = pytest.mark.django_db

# Data on the board's pages, shown as it is in either language: times with their zone, the
# zone's name, hashes and signed times, case numbers, the fixture's purpose text, event
# targets, commands to type, file formats, suppressed cells, the report's item codes, people's
# names (with a badge, or the fixture's "<department> <role>"), the signed checkpoint's note,
# and words Spanish spells as English does (month abbreviations, "Total", "Supervisor").
_BOARD_DATA = re.compile(
    r"^(\d{4}-\d\d-\d\d[ T][\d:]+( [A-Z]{2,5}|Z)?|America/\w+|[A-Za-z0-9+/]{43}=|C-1( ·)?"
    r"|a burglary on Main Street|\w+:[\w-]+|manage\.py .*|python3 porchlight_\w+\.py .*|PDF|CSV|JSON|[<≥]5|R\d+"
    r"|.* \(#\d+\)"
    r"|rialto\.localhost/audit-log .*|Rialto Police Department( \w+)?"
    r"|Total|Supervisor|(Feb|Mar|May|Jun|Jul|Sep|Oct|Nov))$"
)


@pytest.fixture
def filled(board: TenantClient, log: Department) -> TenantClient:
    """A year of events with refusals, a flag of the anomaly queue, a complaint, and a
    checkpoint to report to."""
    a_year_of_mixed_events()
    seq = event("live_start")
    anomaly_flags_add(flags=[FlagIn("off_hours", "es-night", [seq], _now(), None, "Officer Seven", "7", _night())])
    board_record_create(
        record=BoardRecordIn(kind="complaint", received_on=_today(), category="other", summary="Una queja."),
        actor=BOARD,
        today=_today(),
    )
    checkpoint_make()
    return board


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def _night() -> dict[str, Any]:
    return {"time": "2026-12-06 23:40", "start": 7, "end": 19, "camera": ""}


@pytest.mark.parametrize(
    "path",
    [
        "/oversight/",
        "/oversight/dashboard/",
        "/oversight/search/",
        "/oversight/search/?action=search",
        "/oversight/anomalies/",
        "/oversight/changes/",
        "/oversight/records/",
        "/oversight/report/?year={year}",
    ],
)
def test_the_board_pages_leave_no_english_in_spanish(filled: TenantClient, path: str) -> None:
    english, left = _english_left(filled, path.format(year=_year()))

    assert len(english) >= 3  # the page has words to translate
    assert [text for text in left if not _BOARD_DATA.match(text)] == []
