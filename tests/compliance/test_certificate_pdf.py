"""The certificate PDF's layout: long ordinance names, citations and addresses wrap inside the
page's margins instead of running off it, and the bytes stay the same for the same certificate."""

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

from django.utils import timezone
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth

from compliance.certificate_pdf import certificate_pdf

LONG_NAME = (
    "Ordinance requiring the registration of security cameras at convenience stores, gas stations, "
    "package stores and late-night businesses operating between midnight and five in the morning"
)
CITATION = "DeKalb County Code of Ordinances, Chapter 18, Article VII, Sections 18-301 through 18-312"


def _pdf(**site: Any) -> bytes:
    certificate = SimpleNamespace(
        ordinances=[{"name": LONG_NAME, "citation": CITATION}, {"name": "Short", "citation": ""}],
        issued_at=timezone.now(),
        valid_until=dt.date(2027, 5, 1),
        code="ABCDEFGHJK",
    )
    place = SimpleNamespace(**{"business_name": "Portal Gas", "name": "", "address": "1 Main St, Rialto", **site})
    return certificate_pdf(
        certificate=certificate,  # type: ignore[arg-type]
        site=place,  # type: ignore[arg-type]
        check_url="https://rialto.example/compliance/check/?code=ABCDEFGHJK",
        department="Rialto Police Department",
    )


def _drawn(pdf: bytes) -> list[tuple[str, float]]:
    """Each string drawn on the page and its font size."""
    out, size = [], 0.0
    for font_size, text in re.findall(rb"/F\d+ (\d+(?:\.\d+)?) Tf|\((.*?)\) Tj", pdf, re.S):
        if font_size:
            size = float(font_size)
        else:
            out.append((text.decode("latin-1"), size))
    return out


def test_a_long_ordinance_name_and_citation_wrap_within_the_margins() -> None:
    pdf = _pdf()
    drawn = _drawn(pdf)
    usable = LETTER[0] - 2 * inch

    assert drawn
    for text, size in drawn:
        font = "Courier-Bold" if size == 20 else "Helvetica-Bold" if size > 11 else "Helvetica"
        assert stringWidth(text, font, size) <= usable + 1, text
    words = " ".join(text for text, _size in drawn)
    # Nothing cut off: every word of the name and the citation is on the page.
    for word in (LONG_NAME + " " + CITATION).split():
        assert word in words


def test_a_long_address_wraps_too_and_the_bytes_are_stable() -> None:
    address = "Unit 1234, Building C, " * 8 + "Rialto, CA 92376"
    first = _pdf(address=address)

    assert "92376" in " ".join(text for text, _size in _drawn(first))
    assert _pdf(address=address) == first
