"""The compliance certificate as a one-page PDF (reportlab), with its verification code and a QR
code of the public check's address.

``invariant`` output: the same certificate gives the same bytes (no creation time or random
document id), so a second download is the same file as the first. Page content is left
uncompressed: a page of text is a few kilobytes, and the code stays findable in the file.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from .certificates import code_display
from .models import ordinance_lines

if TYPE_CHECKING:
    import datetime as dt

    from cameras.models import Site

    from .models import Certificate

__all__ = ["certificate_pdf"]

QR_SIZE = 1.6 * inch


def _date(value: dt.date) -> str:
    return str(formats.date_format(value, "DATE_FORMAT"))


def certificate_pdf(*, certificate: Certificate, site: Site, check_url: str, department: str) -> bytes:
    """The certificate of ``site`` issued by ``department``, in the active language."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=0)
    canvas.setTitle(str(_("Compliance certificate")))
    canvas.setAuthor(department)
    width, height = LETTER
    left, y = inch, height - inch
    usable = width - 2 * inch

    def line(text: str, *, size: int = 11, font: str = "Helvetica", gap: float = 16, indent: float = 0) -> None:
        """Draw ``text``, wrapped at word boundaries within the margins (a long ordinance name,
        citation or address goes on over several lines, never off the page); ``indent`` for
        the lines after the first. ``gap`` follows the last line."""
        nonlocal y
        canvas.setFont(font, size)
        room = usable - indent
        pieces = []
        for piece in simpleSplit(text, font, size, room) or [""]:
            # A word longer than the line (a long URL) is cut rather than let run off the page.
            while canvas.stringWidth(piece, font, size) > room:
                cut = len(piece) - 1
                while cut > 1 and canvas.stringWidth(piece[:cut], font, size) > room:
                    cut -= 1
                pieces.append(piece[:cut])
                piece = piece[cut:]
            pieces.append(piece)
        for index, piece in enumerate(pieces):
            canvas.drawString(left + (indent if index else 0), y, piece)
            y -= gap if index == len(pieces) - 1 else size + 4

    line(department, size=12, font="Helvetica-Bold", gap=28)
    line(str(_("Compliance certificate")), size=22, font="Helvetica-Bold", gap=34)
    line(str(_("This certifies that the property below met the ordinances named here when it was issued.")))
    y -= 10
    line(str(_("Property")), font="Helvetica-Bold")
    name = site.business_name or site.name
    if name:
        line(name)
    line(site.address, gap=26)
    line(str(_("Ordinances")), font="Helvetica-Bold")
    for text in ordinance_lines(certificate.ordinances):
        line(f"- {text}", indent=8)
    y -= 10
    if any(o.get("exempt") for o in certificate.ordinances):
        # Exempt is not compliant: the certificate never says the site met an ordinance it is
        # only exempt from (review of issue 16).
        line(str(_("Status: compliant, except where marked exempt")), font="Helvetica-Bold", gap=22)
    else:
        line(str(_("Status: compliant")), font="Helvetica-Bold", gap=22)
    line(str(_("Issued on: %(date)s")) % {"date": _date(timezone.localtime(certificate.issued_at).date())})
    line(str(_("Valid until: %(date)s, unless revoked")) % {"date": _date(certificate.valid_until)}, gap=30)
    line(str(_("Verification code")), font="Helvetica-Bold", gap=22)
    line(code_display(certificate.code), size=20, font="Courier-Bold", gap=30)
    line(str(_("Anyone can check this certificate: scan the QR code or enter the code at")))
    line(check_url.split("?")[0], font="Courier", gap=20)
    line(str(_("The check says whether it is valid, expired or revoked.")))

    # Below the text, at the left margin: beside it, long lines would run under the code.
    widget = QrCodeWidget(check_url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, left - 8, max(y - QR_SIZE, inch / 2))

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
