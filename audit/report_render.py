"""The annual report (audit.annual_report) as CSV and PDF: the same tables as the HTML page, and
the same bytes for the same report (no generation time, reportlab's invariant mode)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from core.spreadsheets import csv_safe_cell

from .figures import grouper

if TYPE_CHECKING:
    from reportlab.platypus.flowables import Flowable

    from .annual_report import Report

__all__ = ["report_csv", "report_pdf", "report_title"]


def report_title(report: Report) -> str:
    return _("Annual surveillance report %(year)s: %(department)s") % {
        "year": report.year,
        "department": report.department,
    }


class _SafeWriter:
    """csv.writer whose every cell a spreadsheet opens as text (core.spreadsheets): a police
    area, a note or a department named "=HYPERLINK(...)" is not run as a formula."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: list[object]) -> None:
        self._writer.writerow([csv_safe_cell(cell) for cell in row])


def report_csv(report: Report) -> bytes:
    """One row per cell: section, table, row, column, value ("<5" for a suppressed count, "≥5"
    for one hidden so that a single "<5" of its group cannot be worked out by subtraction)."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(["section", "table", "row", "column", "value"])
    for fact, text in report.facts():
        writer.writerow(["report", "", fact, "", text])
    for section in report.sections:
        for table in section.tables:
            for row in table.rows:
                for column, value in zip(table.columns[1:], row[1:], strict=True):
                    writer.writerow([section.code, table.title, row[0], column, value])
        for note in section.notes:
            writer.writerow([section.code, "", _("Note"), "", note])
    for code, item, why in report.not_computed:
        writer.writerow([code, "", item, "", why])
    return out.getvalue().encode()


def _glyphs(value: object) -> str:
    """``value`` in the glyphs of the PDF's standard fonts, which have no "≥" (a count hidden as
    the complement of a small one) nor "→" (a policy field's old and new values). A table's
    counts are drawn as they are; the rest is a Paragraph (``_text``)."""
    return str(value).replace("≥", ">=").replace("→", "->")


def _text(value: object) -> str:
    return _glyphs(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def report_pdf(report: Report) -> bytes:
    """The report as a PDF (reportlab, invariant: no time or random id in the file)."""
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    grouped = grouper()
    story: list[Flowable] = [Paragraph(_text(report_title(report)), styles["Title"])]
    facts = [[Paragraph(_text(name), small), Paragraph(_text(value), small)] for name, value in report.facts()]
    story.append(LongTable(facts, colWidths=[2.2 * inch, 4.5 * inch], style=_style(header=False)))
    for section in report.sections:
        story.append(Paragraph(_text(f"{section.code}. {section.title}"), styles["Heading2"]))
        story.append(Paragraph(_text(_("Computed from: %(source)s") % {"source": section.source}), small))
        for table in section.tables:
            story.append(Paragraph(_text(table.title), styles["Heading4"]))
            if not table.rows:
                story.append(Paragraph(_text(_("None.")), body))
                continue
            rows = [[Paragraph(_text(c), small) for c in table.columns]]
            rows += [
                [Paragraph(_text(row[0]), small), *(grouped(v) if isinstance(v, int) else _glyphs(v) for v in row[1:])]
                for row in table.rows
            ]
            first = 6.7 * inch - 1.1 * inch * (len(table.columns) - 1)
            widths = [first] + [1.1 * inch] * (len(table.columns) - 1)
            story.append(LongTable(rows, colWidths=widths, repeatRows=1, style=_style(header=True)))
        for note in section.notes:
            story.append(Spacer(1, 4))
            story.append(Paragraph(_text(note), small))
    story.append(Paragraph(_text(_("Not computed from the log")), styles["Heading2"]))
    story.append(
        LongTable(
            [[code, Paragraph(_text(item), small)] for code, item, _why in report.not_computed],
            colWidths=[0.6 * inch, 6.1 * inch],
            style=_style(header=False),
        )
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=report_title(report),
        author=report.department,
        creator="Porchlight",
        invariant=1,
        leftMargin=0.9 * inch,
        rightMargin=0.9 * inch,
    )
    document.build(story)
    return buffer.getvalue()


def _style(*, header: bool) -> TableStyle:
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (1, 1 if header else 0), (-1, -1), "RIGHT" if header else "LEFT"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
    return TableStyle(commands)
