"""The review's attack on the real outputs (issue 15): 2025's figures, a year that is over, read
from the public transparency page (HTML), its JSON, and the annual report held to a checkpoint
made after it (HTML, CSV, PDF). Every pair of outputs, read together by tests.audit.attacker,
gives no hidden count back, and a figure two outputs publish is published the same in both.

The log's own times are the database's clock: the events are written month by month and each
month's rollup rows moved to its month of 2025, as they would stand had the events been written
then (the page and the report read the month rollups only)."""

import base64
import csv
import datetime as dt
import html
import io
import itertools
import re
import zlib
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.dates import MONTHS

from audit.checkpoints import checkpoint_make
from audit.figures import EVIDENCE, label
from audit.models import Action
from audit.publication import month_counts, year_table, year_values
from tenants.models import PURPOSE_LABELS, Department
from tests.audit.attacker import small_told
from tests.audit.test_annual_report import REPORT, board, event, log
from tests.conftest import TenantClient

__all__ = ["board", "log"]

pytestmark = pytest.mark.django_db

YEAR = 2025
# Per month of 2025: the review's case (missing-person searches: 3 in March, 9 in April, 12 in
# May, so the year's 24 less April's and May's gave March back) in a year of other accesses,
# with small counts here and there (live views, clips, an evidence export, refusals).
MONTHLY: dict[tuple[str, str], list[int]] = {
    ("search", "violent_crime"): [8, 11, 9, 7, 12, 10, 9, 8, 11, 10, 9, 12],
    ("search", "missing_person"): [0, 0, 3, 9, 12, 0, 0, 0, 0, 0, 0, 0],
    ("search", "property_crime"): [6, 0, 7, 2, 8, 6, 0, 9, 6, 7, 1, 6],
    ("camera_view", ""): [9, 12, 7, 10, 8, 11, 9, 13, 7, 10, 12, 9],
    ("live_start", ""): [2, 0, 6, 1, 7, 0, 5, 0, 3, 6, 0, 8],
    ("clip_view", ""): [0, 5, 0, 1, 6, 0, 0, 7, 0, 2, 5, 0],
    ("export", "evidence"): [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ("denied", "no_grant"): [1, 6, 0, 2, 5, 0, 7, 0, 1, 6, 0, 5],
}


def _write_2025() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_monthrollup")
    this_month = timezone.localdate().replace(day=1)
    for m in range(12):
        for (what, detail), counts in MONTHLY.items():
            for _n in range(counts[m]):
                if what == "search":
                    event("search", category=detail)
                elif what == "export":
                    event("export", targets=["clip:00000000-0000-0000-0000-000000000001"])
                elif what == "denied":
                    event("camera_view", outcome="denied", reason=detail)
                else:
                    event(what)
        for _n in range(MONTHLY[("live_start", "")][m]):
            event("live_end", reason="viewer_left", quantity=150 + 60 * m, quantity_unit="seconds")
        if m == 6:
            event("console_denied", outcome="denied", reason="role_not_permitted")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_monthrollup SET month = %s WHERE month = %s", [dt.date(YEAR, m + 1, 1), this_month]
            )


# --- Reading each output as figures ----------------------------------------------------------


def _int(text: str) -> Any:
    text = html.unescape(text).strip()
    return int(text.replace(",", "")) if re.fullmatch(r"[\d,]+", text) else text


def _action_code(words: str) -> str:
    if words == "Footage exported as evidence":
        return EVIDENCE
    return next(code for code in Action.values if label(Action, code) == words)


def _category_code(words: str) -> str:
    if words == "none stated":
        return ""
    return next(code for code, text in PURPOSE_LABELS.items() if str(text) == words)


def _page_json(client: TenantClient) -> dict[Any, Any]:
    data = client.get("/transparency.json", {"year": YEAR}).json()
    assert data["period"]["year_complete"] is True
    out: dict[Any, Any] = {}
    for code, row in data["accesses_by_month_and_action"].items():
        out |= {("a", code, m): v for m, v in enumerate(row)}
    for code, row in data["searches_by_month_and_purpose_category"].items():
        out |= {("c", "" if code == "-" else code, m): v for m, v in enumerate(row)}
    out |= {("month", m): v for m, v in enumerate(data["accesses_by_month"])}
    out |= {("lm", m): v for m, v in enumerate(data["live_minutes_by_month"])}
    out |= {("d", m): v for m, v in enumerate(data["denials_by_month"])}
    out[("A", "live_start")] = data["live_views"]
    out[("A", "footage_request")] = data["footage_requests"]["cameras_asked"]
    out[("LM",)], out[("D",)] = data["live_minutes"], data["denials"]
    return out


def _rows(fragment: str) -> list[list[str]]:
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", fragment, re.S)
    ]


def _page_html(client: TenantClient) -> dict[Any, Any]:
    page = client.get("/transparency/", {"year": YEAR}).content.decode()
    out: dict[Any, Any] = {}
    accesses = re.search(r'<section id="accesses">(.*?)</section>', page, re.S)
    categories = re.search(r'<section id="categories">(.*?)</section>', page, re.S)
    assert accesses is not None
    assert categories is not None
    for row in _rows(accesses.group(1))[1:]:
        name, cells = html.unescape(row[0]), [_int(c) for c in row[1:]]
        rows = {"Refused attempts": ("d",), "Live minutes": ("lm",)}
        kind = rows[name] if name in rows else ("a", _action_code(name))
        out |= {(*kind, m): v for m, v in enumerate(cells)}
    for row in _rows(categories.group(1))[1:]:
        out |= {("c", _category_code(html.unescape(row[0])), m): _int(v) for m, v in enumerate(row[1:])}
    totals = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page))
    out[("A", "live_start")] = _int(totals["Live views"])
    out[("LM",)] = _int(totals["Live minutes"])
    out[("D",)] = _int(totals["Refused attempts"])
    out[("A", "footage_request")] = _int(totals["Cameras asked for footage"])
    return out


def _report_figure(section: str, table: str, row: str, column: str) -> tuple[Any, ...] | None:
    """The figure a cell of the report is, or None for a count no other adds up to or from."""
    quantities = {
        "Live views opened": ("A", "live_start"),
        "Minutes watched live": ("LM",),
        "Clips viewed": ("A", "clip_view"),
        "Clips downloaded": ("A", "clip_download"),
        "Cameras asked for footage": ("A", "footage_request"),
    }
    copies = {
        "Canvass lists exported": ("A", "export"),
        "Footage exported as evidence": ("A", EVIDENCE),
        "Clips downloaded": ("A", "clip_download"),
        "Footage requests sent to owners (cameras)": ("A", "footage_request"),
        "Selections of the access log exported by the board": ("O", "log_export"),
    }
    if table == "Events by action":
        code = _action_code(row)
        access = code == EVIDENCE or code in (
            "map_view", "search", "camera_view", "owner_contact_view", "message_send", "export",
            "footage_request", "live_start", "live_extend", "clip_view", "clip_download",
        )  # fmt: skip
        return ("R", code) if column == "Refused" else ("A" if access else "O", code)
    if table == "Police accesses to camera data by month":
        return ("month", [str(MONTHS[m]) for m in range(1, 13)].index(row))
    if table == "Searches by purpose category":
        return ("C", _category_code(row))
    if table == "Quantity of data":
        return quantities.get(row)
    if table == "Copies made of camera data and of the log":
        return copies[row]
    if table == "Refusals by reason":
        return ("reason", row[row.rindex("(") + 1 : -1])
    if table == "Refusals by action":
        return ("R", _action_code(row))
    if table == "Attempts to open pages of a role one does not have":
        return ("door_role",) if row.startswith("Of which") else ("door",)
    return None


def _report_cells(rows: list[tuple[str, str, str, str, str]]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for section, table, row, column, value in rows:
        if section not in ("R1", "R3", "R8") or not table:
            continue
        figure = _report_figure(section, table, row, column)
        if figure is not None:
            assert out.get(figure, _int(value)) == _int(value), f"{figure} differs between the report's tables"
            out[figure] = _int(value)
    return out


def _report_csv(client: TenantClient, checkpoint: int) -> dict[Any, Any]:
    body = client.get(f"{REPORT}csv/", {"year": YEAR, "checkpoint": checkpoint}).content.decode()
    rows = [tuple(r) for r in list(csv.reader(io.StringIO(body)))[1:]]
    return _report_cells(rows)  # type: ignore[arg-type]


def _report_html(client: TenantClient, checkpoint: int) -> dict[Any, Any]:
    page = client.get(REPORT, {"year": YEAR, "checkpoint": checkpoint}).content.decode()
    rows: list[tuple[str, str, str, str, str]] = []
    for section, body in re.findall(r'<section id="(R\d+)">(.*?)</section>', page, re.S):
        for caption, table in re.findall(r"<caption>(.*?)</caption>(.*?)</table>", body, re.S):
            header, *lines = _rows(table)
            for line in lines:
                if len(line) != len(header):  # "None." across the table
                    continue
                for column, value in zip(header[1:], line[1:], strict=True):
                    rows.append((section, html.unescape(caption), html.unescape(line[0]), html.unescape(column), value))
    return _report_cells(rows)


def _pdf_strings(pdf: bytes) -> list[str]:
    """The text the PDF draws, in order (each string of its content streams)."""
    strings: list[str] = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):  # reportlab's page streams: ASCII85, then Flate
            data = base64.a85decode(data, adobe=True) if data.startswith(b"<~") else base64.a85decode(data[:-2])
        try:
            text = zlib.decompress(data)
        except zlib.error:
            text = data
        for found in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", text):
            strings.append(found.decode("latin-1").replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\"))
    return strings


def _assert_the_pdf_shows_the_csv(client: TenantClient, checkpoint: int) -> None:
    """The PDF's tables show the CSV's counts, in the same order: it publishes the same figures."""
    pdf = client.get(f"{REPORT}pdf/", {"year": YEAR, "checkpoint": checkpoint}).content
    body = client.get(f"{REPORT}csv/", {"year": YEAR, "checkpoint": checkpoint}).content.decode()
    drawn = iter(_pdf_strings(pdf))
    for section, table, _row, _column, value in list(csv.reader(io.StringIO(body)))[1:]:
        if section in ("R1", "R3", "R8") and table:
            shown = f"{int(value):,}" if value.isdigit() else value.replace("≥", ">=")
            assert shown in drawn, f"{table}: {value} is not drawn in the PDF where the CSV has it"


@pytest.fixture
def outputs(board: TenantClient, rialto_client: TenantClient, log: Department) -> dict[str, dict[Any, Any]]:
    _write_2025()
    checkpoint = checkpoint_make().pk
    _assert_the_pdf_shows_the_csv(board, checkpoint)
    csv_cells = _report_csv(board, checkpoint)
    return {
        "page": _page_html(rialto_client),
        "page JSON": _page_json(rialto_client),
        "report HTML": _report_html(board, checkpoint),
        "report CSV": csv_cells,
        "report PDF": csv_cells,  # checked above to show the CSV's counts where the CSV has them
    }


def _truth() -> dict[Any, int]:
    months = [dt.date(YEAR, m, 1) for m in range(1, 13)]
    table = year_table(month_counts(months[0], dt.date(YEAR + 1, 1, 1)), year=YEAR, months=months, complete=True)
    return year_values(table)


def test_no_pair_of_the_outputs_gives_a_hidden_count_back(outputs: dict[str, dict[Any, Any]]) -> None:
    truth = _truth()

    for (one, first), (other, second) in itertools.combinations(outputs.items(), 2):
        together = {**first, **second}
        for figure in set(first) & set(second):  # one decision: the same wherever it is published
            assert first[figure] == second[figure], f"{figure}: {first[figure]} in {one}, {second[figure]} in {other}"
        assert small_told(together, 5, truth) == {}, f"{one} with {other}"
    assert small_told({k: v for cells in outputs.values() for k, v in cells.items()}, 5, truth) == {}


def test_the_reviews_cell_is_hidden_everywhere_and_the_outputs_have_small_counts_to_hide(
    outputs: dict[str, dict[Any, Any]],
) -> None:
    page, report = outputs["page JSON"], outputs["report CSV"]

    assert page[("c", "missing_person", 2)] == "<5"  # March's 3
    # The year's missing-person searches are hidden, or at least two of its months are.
    months = [page[("c", "missing_person", m)] for m in range(12)]
    assert not isinstance(report[("C", "missing_person")], int) or sum(isinstance(c, str) for c in months) >= 2
    assert sum(1 for cells in outputs.values() for c in cells.values() if c == "<5") >= 20
