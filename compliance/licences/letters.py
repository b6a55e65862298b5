"""The invitation letters to register: one A4/Letter page per business, for a mail merge.

reportlab with ``invariant=1``: the same businesses and date give the same bytes, so a
letter run can be reproduced and compared."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from .notices import invitation_text

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from ..models import Licence

__all__ = ["invitation_letters_pdf"]

# Wide enough for the text block on Letter paper with one-inch margins (Helvetica 11 pt).
LINE_CHARS = 88


def _wrap(text: str, width: int = LINE_CHARS) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        line = words[0]
        for word in words[1:]:
            if len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line += " " + word
        lines.append(line)
    return lines


def invitation_letters_pdf(
    *, licences: Sequence[Licence], register_url: str, department_name: str, on: dt.date
) -> bytes:
    """One page per licence: the department, the date, the address block, the invitation with
    the portal's registration URL."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)
    pdf.setTitle(department_name)
    _width, height = LETTER
    for licence in licences:
        y = height - inch
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(inch, y, department_name)
        pdf.setFont("Helvetica", 11)
        y -= 0.3 * inch
        pdf.drawString(inch, y, on.isoformat())
        y -= 0.6 * inch
        for line in (licence.name, licence.address):
            pdf.drawString(inch, y, line[:LINE_CHARS])
            y -= 15
        y -= 0.5 * inch
        text = invitation_text(licence=licence, register_url=register_url, department_name=department_name)
        for line in _wrap(text):
            pdf.drawString(inch, y, line)
            y -= 15
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
