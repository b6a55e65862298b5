"""A site's street address as police may see it: to the block, unless the owner shares it.

This module is pure: no ORM, no database, no clock. It is the one place that decides how an
address is blurred, so the canvass list, its CSV, the search API and the live tiles say the
same thing.

``address_block(address)`` keeps the street and rounds the house number down to its hundred:

- ``"1234 W Baseline Rd"`` -> ``"1200 block of W Baseline Rd"``; numbers below 100 are the
  ``0`` block; a number with a letter or a fraction (``"12B"``, ``"12 1/2"``, ``"12-14"``)
  is rounded by its digits.
- Spanish-style addresses carry the number after the street (``"Calle Mayor 12"``,
  ``"Calle Mayor, 12"``, ``"Av. Juárez #1234"``, ``"Calle 5 #12-34"``): the same block, the
  street as written.
- Anything after the first comma (city, postcode, floor and door) and unit designators
  (``Apt 4``, ``Unit 4``, ``#4``, ``Suite 200``, ``Apto 4``, ``Depto 3``, ``Piso 2``) are dropped: a
  unit narrows a block to one home.
- Where no house number can be told apart (garbage, a number in an unknown place), every
  token with a digit is dropped, except a street's own ordinal (``5th``, ``3º``): failing
  closed, the number never shows. An empty result means "no address to show".

``address_for_police(address, share_contact=...)`` is the whole address when the owner shares
contact details, else its block.
"""

import re

from django.utils.translation import gettext as _

__all__ = ["address_block", "address_for_police", "block_template"]

# Longer than any real address field (Site.address is 255): a bounded input keeps every
# regular expression below linear-time and the output short.
_MAX_CHARS = 255

_UNIT_WORDS = (
    r"apt|apartment|unit|ste|suite|bldg|building|fl|floor|rm|room|lot|spc|space|trlr|"
    r"apto|apartamento|depto|dpto|departamento|piso|interior|int|local|puerta|pta|esc"
)
# A unit at the end of the street part, possibly several ("Bldg 2 Apt 4"); its value has a
# digit or is one letter ("Apt B"), so a "Suite Ave" stays a street.
_UNIT_VALUE = r"\s*(?:\d[\w-]*|[A-Za-z])\s*$"
_UNIT_WORD = re.compile(rf"(?:\s+|^)(?:{_UNIT_WORDS})\.?\s*#?{_UNIT_VALUE}", re.IGNORECASE)
# After a leading house number, "#4" is a unit too (before a trailing one, it is the number).
_UNIT_OR_HASH = re.compile(rf"(?:\s+|^)(?:(?:{_UNIT_WORDS})\.?\s*#?|#){_UNIT_VALUE}", re.IGNORECASE)
_HOUSE = r"(?P<number>\d{1,9})(?:[A-Za-z](?![A-Za-z])|-\d+[A-Za-z]?|\s+1/2|\s*½)?"
_LEADING = re.compile(rf"^(?:no\.?\s*|#\s*)?{_HOUSE}\s+(?P<street>.*[^\W\d_].*)$", re.IGNORECASE)
_TRAILING = re.compile(
    rf"^(?P<street>.*?[^\W\d_].*?)\s*(?:\b(?:no|n[º°o]|núm|num|número|numero)\.?\s*|#\s*)?{_HOUSE}\s*$",
    re.IGNORECASE,
)
_NUMBER_ONLY = re.compile(rf"^(?:(?:no|n[º°o]|núm|num|número|numero)\.?\s*|#\s*)?{_HOUSE}$", re.IGNORECASE)
# Cheap tests first: the patterns above backtrack over the whole text when they cannot match
# (milliseconds on 255 characters of garbage, times 500 rows of a search).
_STARTS_LIKE_NUMBER = re.compile(r"^(?:no\.?\s*|#\s*)?\d", re.IGNORECASE)
_ENDS_LIKE_NUMBER = re.compile(r"\d(?:[A-Za-z]|-\d+[A-Za-z]?|\s+1/2|\s*½)?\s*$")
_ORDINAL = re.compile(r"^\d{1,3}(?:st|nd|rd|th|º|ª|°|er|o|a)\.?$", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"\d")


# A street named by a number ("Calle 5", "Highway 101", "County Road 12"): the only place a
# number may stay in what police see. Elsewhere a number after the street is a unit, a house
# number written oddly or a postcode, and it goes.
_NUMBERED_STREET = re.compile(
    r"^(?:calle|cl|carrera|cra|kr|avenida|avda|diagonal|dg|transversal|tv|route|rte|highway|hwy|"
    r"interstate|ruta|carretera|autopista|fm|sr)\.?$",
    re.IGNORECASE,
)
_STREET_NUMBER = re.compile(r"^\d{1,3}[A-Za-z]?$")
# What is left of a unit once its value has gone ("Apt 5 Rear" -> "Apt Rear").
_UNIT_LEFTOVER = re.compile(
    rf"^(?:{_UNIT_WORDS}|trailer|ph|penthouse|box|po|rear|front|upper|lower|#)\.?$", re.IGNORECASE
)


def _numbered_street_at(tokens: list[str], i: int) -> bool:
    if not _STREET_NUMBER.match(tokens[i]) or i == 0:
        return False
    before = tokens[i - 1]
    if _NUMBERED_STREET.match(before):
        return True
    # "County Road 12", "Co Rd 12": a road word counts only after "county".
    return (
        bool(re.match(r"^(?:road|rd)\.?$", before, re.IGNORECASE))
        and i >= 2
        and bool(re.match(r"^(?:county|co)\.?$", tokens[i - 2], re.IGNORECASE))
    )


def _street_digits_safe(street: str) -> bool:
    """Whether every digit in ``street`` belongs to a street's own name (an ordinal such as
    "5th", or the number of a numbered street such as "Calle 5")."""
    tokens = street.split()
    return all(_street_token(tokens, i) for i in range(len(tokens)))


def _street_token(tokens: list[str], i: int) -> bool:
    """Whether the i-th token may be shown: it has no digit, or its digits name the street."""
    token = tokens[i]
    return not _HAS_DIGIT.search(token) or bool(_ORDINAL.match(token)) or _numbered_street_at(tokens, i)


def _safe_street(street: str) -> str:
    """The street with every other token that carries a digit dropped (fail closed), and the
    unit words those digits leave behind."""
    tokens = street.split()
    kept = [
        t
        for i, t in enumerate(tokens)
        if not _HAS_DIGIT.search(t) or _ORDINAL.match(t) or _numbered_street_at(tokens, i)
    ]
    while kept and _UNIT_LEFTOVER.match(kept[-1]):
        kept.pop()
    return " ".join(kept)


def _without_units(part: str, unit: re.Pattern[str] = _UNIT_WORD) -> str:
    # A few units at most ("Bldg 2 Apt 4"); more is garbage, whose digits a block never shows
    # anyway, and each pass costs a scan of the text.
    for _pass in range(4):
        part, found = unit.subn("", part)
        part = part.strip()
        if not found:
            break
    return part


def block_template() -> str:
    """The sentence of a block in the active language; a caller that rounds many addresses
    (a search's 500 rows) looks it up once and passes it on (gettext is most of the cost)."""
    return _("%(block)s block of %(street)s")


def _block(number: str, street: str, template: str | None) -> str:
    street = _safe_street(street).strip(" ,.-#")
    if not street or _HAS_DIGIT.fullmatch(street):
        return ""
    hundreds = int(number) // 100 * 100
    return (template or block_template()) % {"block": hundreds, "street": street}


def _street_only(part: str) -> str:
    """No house number found: keep the words, drop every token with a digit that is not an
    ordinal of the street's own name (fail closed)."""
    street = _safe_street(part).strip(" ,.-#")
    return street if re.search(r"[^\W\d_]", street) else ""


def address_block(address: str, *, template: str | None = None) -> str:
    """The street address with its house number rounded to the block (see the module)."""
    text = " ".join(str(address or "")[:_MAX_CHARS].split())
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return ""
    first = _without_units(parts[0])
    if _STARTS_LIKE_NUMBER.match(first) and (match := _LEADING.match(first)):
        return _block(match["number"], _without_units(match["street"], _UNIT_OR_HASH), template)
    if _ENDS_LIKE_NUMBER.search(first) and (match := _TRAILING.match(first)):
        street = match["street"]
        # "Calle 5" is a street name, not a house number: a trailing number needs a street
        # of its own before it ("Calle 5 #12" leaves "Calle 5").
        # A street that still carries a stray number ("Main St 1234/5", "Rd 1234 Rialto CA
        # 92376") is not understood: the trailing digits may be a unit or a postcode.
        if re.search(r"[^\W\d_]", street) and _street_digits_safe(street):
            return _block(match["number"], street, template)
    if len(parts) > 1 and (match := _NUMBER_ONLY.match(parts[1])):
        return _block(match["number"], first, template)  # "Calle Mayor, 12, 3º B"
    return _street_only(first)


def address_for_police(address: str, *, share_contact: bool, template: str | None = None) -> str:
    """What police are shown of a site's address: all of it if the owner shares contact
    details, else the block only (``template``: block_template(), looked up once)."""
    return " ".join(str(address or "").split()) if share_contact else address_block(address, template=template)
