"""The invitation letters to register: one Letter page per business, for a mail merge.

Laid out for a window envelope: the department's letterhead (name, mailing address, telephone,
reply e-mail) at the top, the date, then the business's full address (name, street, city,
state and ZIP code) where a #10 window shows it, then the invitation. A letter is printed only
when both addresses are complete (compliance.licences.notices: contact_problems,
mailing_problems), so that no page goes out that the post cannot deliver or the business
cannot answer.

reportlab with ``invariant=1``: the same businesses and date give the same bytes, so a
letter run can be reproduced and compared; uncompressed, so that a page's text stays findable
in the file (a page is a few kilobytes)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from .notices import DepartmentContact, contact_problems, invitation_text, licence_mailing_lines, mailing_problems

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from ..models import Licence

__all__ = ["invitation_letters_pdf", "letters_problems"]

# Wide enough for the text block on Letter paper with one-inch margins (Helvetica 11 pt).
LINE_CHARS = 88
# A #10 window envelope shows the recipient's address from about 2 inches from the top of the
# folded page (USPS: the address block well inside the window).
RECIPIENT_TOP = 2.25 * inch


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


def letters_problems(*, licences: Sequence[Licence], contact: DepartmentContact) -> list[str]:
    """Why these letters cannot be printed, one sentence per missing field of the department's
    contact and per business without a complete address; [] when they can."""
    problems = contact_problems(contact, letter=True)
    problems += [problem for licence in licences if (problem := mailing_problems(licence))]
    return problems


def invitation_letters_pdf(
    *, licences: Sequence[Licence], register_url: str, contact: DepartmentContact, on: dt.date
) -> bytes:
    """One page per licence: the letterhead, the date, the address block, the invitation with
    the portal's registration URL and how to reply. Check letters_problems first."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=0)
    pdf.setTitle(contact.name)
    _width, height = LETTER
    for licence in licences:
        y = height - 0.75 * inch
        pdf.setFont("Helvetica-Bold", 13)
        pdf.drawString(inch, y, contact.name[:LINE_CHARS])
        pdf.setFont("Helvetica", 9)
        for line in [*contact.address_lines[:4], f"{contact.phone} · {contact.email}"]:
            y -= 12
            pdf.drawString(inch, y, line[:100])
        pdf.setFont("Helvetica", 11)
        y = min(y - 18, height - RECIPIENT_TOP + 18)
        pdf.drawString(inch, y, on.isoformat())
        y = height - RECIPIENT_TOP
        for line in licence_mailing_lines(licence):
            pdf.drawString(inch, y, line[:LINE_CHARS])
            y -= 15
        y -= 0.5 * inch
        text = invitation_text(
            licence=licence, register_url=register_url, department_name=contact.name, contact=contact
        )
        for line in _wrap(text):
            pdf.drawString(inch, y, line)
            y -= 15
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
