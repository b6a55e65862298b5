"""Every page of the oversight board's workspace speaks Spanish: the main content of each page,
in Spanish, keeps none of the English page's sentences (the reviewer found a search legend,
"Ordinance retired" and a raw reason code in the report's reason column). The annual report
does too in its CSV and PDF, and speaks the same Spanish as the board's pages: one word for
each thing (the reviewer found "en directo" beside "en vivo", "zona policial" beside "sector
policial", refusals both "rechazadas" and "denegadas", exigent both "urgente" and "de
emergencia")."""

import csv
import io
import re
from typing import Any

import pytest
from django.utils import translation

from audit.anomalies import FlagIn, anomaly_flags_add
from audit.board_records import BoardRecordIn, board_record_create
from audit.checkpoints import checkpoint_make
from tenants.models import Department
from tests.audit.test_annual_report import BOARD, REPORT, _year, a_year_of_mixed_events, board, event, log
from tests.audit.test_publication_outputs import _pdf_strings
from tests.conftest import TenantClient
from tests.incidents.test_spanish import _english_left, _main_text

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


BOARD_PAGES = [
    "/oversight/",
    "/oversight/dashboard/",
    "/oversight/search/?action=search",
    "/oversight/anomalies/",
    "/oversight/changes/",
    "/oversight/records/",
    "/oversight/report/?year={year}",
]


def _csv_texts(body: bytes) -> list[str]:
    """The words of the report's CSV: its tables' titles, rows, columns and notes (not counts)."""
    rows = list(csv.reader(io.StringIO(body.decode())))[1:]
    # (the header's facts are data, the chain head's number and hash; their names are words)
    texts = {
        cell
        for row in rows
        for cell in row[1:4] + ([row[4]] if row[0] != "report" and not row[4][:1].isdigit() else [])
        if cell
    }
    return sorted(t for t in texts if not _BOARD_DATA.match(t))


def _pdf_texts(body: bytes) -> list[str]:
    return sorted({t for t in (" ".join(s.split()) for s in _pdf_strings(body)) if t and not _BOARD_DATA.match(t)})


@pytest.mark.parametrize(("fmt", "texts"), [("csv", _csv_texts), ("pdf", _pdf_texts)])
def test_the_report_files_leave_no_english_in_spanish(filled: TenantClient, fmt: str, texts: Any) -> None:
    query = {"year": _year()}

    english = texts(filled.get(f"{REPORT}{fmt}/", query, HTTP_ACCEPT_LANGUAGE="en").content)
    spanish = set(texts(filled.get(f"{REPORT}{fmt}/", query, HTTP_ACCEPT_LANGUAGE="es").content))

    assert len(english) >= 30
    # (a PDF line breaks a long sentence into pieces: a piece of one word may be the same word)
    left = [t for t in english if t in spanish and (fmt == "csv" or " " in t)]
    assert [t for t in left if not _BOARD_DATA.match(t)] == []


# One Spanish word for each thing, on every page of the board's and in the report's every format:
# the variant a page must not use, and what the board's pages say instead.
_VARIANTS = [
    (r"\ben directo\b", "live: «en vivo»"),
    (r"\bvistas? en vivo\b", "a live view: «transmisión en vivo»"),
    (r"\bzonas? policial(es)?\b", "a police area: «sector policial»"),
    (r"\bcategoría del propósito\b", "a purpose category: «categoría de propósito»"),
    (r"\burgen(cia|te|tes)\b", "exigent: «de emergencia»"),
    # refused or denied (by the gate, at a page's door): «denegado»; «rechazar» is an owner's
    # declining a footage request, which the next check allows.
    (r"\brechaz", "refused: «denegado» (an owner declines: «rechaza»)"),
    # counts of events and of records, in the report's columns: plural
    (r"^(Permitido|Recibido)$", "a column of counts: «Permitidos», «Recibidas»; a record: «Recibida»"),
]


def _declining() -> set[str]:
    """The sentences about an owner declining a footage request, which say «rechazar»."""
    with translation.override("es"):
        return {
            translation.gettext(text)
            for text in ("Declined", "Decline", "Counts only: who answered or declined is never shown.")
        }


def _variants_in(texts: list[str]) -> list[tuple[str, str]]:
    declining = _declining()
    return [
        (text, why)
        for text in texts
        for pattern, why in _VARIANTS
        if re.search(pattern, text, re.IGNORECASE if pattern[0] != "^" else 0) and text not in declining
    ]


@pytest.mark.parametrize("path", BOARD_PAGES)
def test_every_board_page_speaks_the_same_spanish(filled: TenantClient, path: str) -> None:
    texts = _main_text(filled.get(path.format(year=_year()), HTTP_ACCEPT_LANGUAGE="es").content.decode())

    assert _variants_in(texts) == []


@pytest.mark.parametrize(("fmt", "texts"), [("csv", _csv_texts), ("pdf", _pdf_texts)])
def test_the_report_files_speak_the_board_pages_spanish(filled: TenantClient, fmt: str, texts: Any) -> None:
    spanish = texts(filled.get(f"{REPORT}{fmt}/", {"year": _year()}, HTTP_ACCEPT_LANGUAGE="es").content)

    assert _variants_in(spanish) == []
    assert "Transmisiones en vivo abiertas" in spanish or fmt == "pdf"  # R1's quantities, as the dashboard says
