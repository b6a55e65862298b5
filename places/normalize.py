"""How an address is written for searching: the one function both the stored rows and a
typed query go through, so "1200 W Baseline Rd" and "1200 west baseline road" meet.

Lower case, punctuation to spaces, the common US street abbreviations written out (St,
Ave, Rd, Blvd, W, N ...). Accents are left in: PostgreSQL's ``unaccent`` removes them on
both sides (places.selectors, places.services), so "Peñasco" and "Penasco" match. No ORM
and no settings here.
"""

import re
import unicodedata

__all__ = ["ABBREVIATIONS", "address_key", "intersection_split", "leading_number", "normalize"]

# USPS Publication 28 suffixes and directionals that people actually type. "St" is read as
# Street (never Saint): a trigram match still finds "Saint ..." streets through their other words.
ABBREVIATIONS = {
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "avn": "avenue",
    "rd": "road",
    "blvd": "boulevard",
    "bl": "boulevard",
    "dr": "drive",
    "ln": "lane",
    "ct": "court",
    "pl": "place",
    "pkwy": "parkway",
    "hwy": "highway",
    "fwy": "freeway",
    "cir": "circle",
    "ter": "terrace",
    "trl": "trail",
    "sq": "square",
    "cyn": "canyon",
    "mt": "mount",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "ne": "northeast",
    "nw": "northwest",
    "se": "southeast",
    "sw": "southwest",
    "apt": "unit",
    "ste": "unit",
    "avda": "avenida",
    "cll": "calle",
}

_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
# "A & B", "A and B", "A at B", "A @ B", "A / B": the two streets of an intersection.
_INTERSECTION = re.compile(r"\s*(?:&|@|/|\band\b|\bat\b)\s*", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*(\d+[a-z]?)\b", re.IGNORECASE)


def normalize(text: str) -> str:
    """Lower case, words only, abbreviations written out; accents kept (see the module)."""
    words = _NOT_WORD.sub(" ", text.lower().replace("_", " ")).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def address_key(*, number: str, street: str, unit: str, city: str, postcode: str) -> str:
    """The identity of an address point: a re-import of the same address updates it."""
    parts = (number, street, unit, city, postcode)
    return "|".join(strip_accents(normalize(part)) for part in parts)


def intersection_split(text: str) -> tuple[str, str] | None:
    """The two street names of "Riverside Ave & Baseline Rd" (or "and", "at", "@", "/")."""
    parts = [part.strip(" ,") for part in _INTERSECTION.split(text, maxsplit=1)]
    if len(parts) == 2 and all(normalize(part) for part in parts):
        return parts[0], parts[1]
    return None


def leading_number(text: str) -> str | None:
    """The house number a query starts with ("1200" of "1200 W Baseline Rd")."""
    match = _NUMBER.match(text)
    return match.group(1).lower() if match else None
