"""The key that says two written addresses are the same place, for matching a city's licence
to a registered site: "1200 W. BASELINE RD., STE 4, Rialto CA 92376" and "1200 West Baseline
Road #4" have the same key. Pure: no ORM, no settings.

The key is the street line only (house number, street, unit): whatever follows a comma and
is not a unit (city, state, postcode) is dropped, because the city's file and the owner's
form do not agree on those and a department's licences are all in its own city. Street
suffixes and directionals are written out as places.normalize does for searching
(St -> street, Ave -> avenue, N -> north); every unit designator (Apt, Apartment, Unit,
Suite, Ste, #, No.) reads "unit"; a lone letter or number after the street, with no
designator, is not taken for a unit.
"""

from __future__ import annotations

import re

from places.normalize import normalize, strip_accents

__all__ = ["address_match_key", "reference_key"]

_UNIT_WORDS = {
    "apt",
    "apartment",
    "unit",
    "ste",
    "suite",
    "no",
    "number",
    "room",
    "rm",
    "space",
    "spc",
    "bldg",
    "building",
}
_UNIT_START = re.compile(r"^\s*(#|(?:apt|apartment|unit|ste|suite|no|number|room|rm|space|spc|bldg|building)\b)", re.I)
# "#4" glued to the street ("Baseline Rd#4") or spaced ("Rd # 4").
_HASH_UNIT = re.compile(r"\s*#\s*(\w+)")


def _unit_words(words: list[str]) -> list[str]:
    """['unit', '4'] from ['ste', '4'], ['suite', 'b'], ['apartment', '12']."""
    out: list[str] = []
    i = 0
    while i < len(words):
        if words[i] in _UNIT_WORDS and i + 1 < len(words):
            out += ["unit", words[i + 1]]
            i += 2
            continue
        out.append(words[i])
        i += 1
    return out


def address_match_key(text: str) -> str:
    """The matching key of a written address (see the module); "" when nothing is left."""
    parts = _HASH_UNIT.sub(r", unit \1", text or "").split(",")
    kept = [parts[0]] + [part for part in parts[1:] if _UNIT_START.match(part)]
    words = normalize(strip_accents(" ".join(kept))).split()
    # places.normalize reads "ste"/"apt" as "unit" already; the longer words are ours.
    return " ".join(_unit_words(words))


_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")


def reference_key(text: str) -> str:
    """A permit or parcel number as compared: letters and digits only, upper case
    ("0128-331-07" and "0128 331 07" are the same parcel)."""
    return _NOT_ALNUM.sub("", text or "").upper()
