"""Reading a city's licence or permit CSV: its encoding, its dialect and header, the column
mapping the administrator chose, then row by row either a ``LicenceIn`` or a ``RowError``
naming the line and the reason. No ORM here: the services write what this yields.

Line numbers are the file's physical lines, as a spreadsheet or an editor shows them (the
header is line 1); a quoted value spanning lines is reported at the line where it starts.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Reading an uploaded text file's encoding is shared with the department cameras' import.
from core.textfiles import CHUNK as CHUNK  # the services read uploads in the same steps
from core.textfiles import EncodingRefused, detect_encoding

from .addresses import reference_key

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "DATE_FORMATS",
    "FIELD_MAX",
    "REQUIRED_FIELDS",
    "BadRow",
    "EncodingRefused",
    "LicenceField",
    "LicenceIn",
    "RowError",
    "RowProblem",
    "category_of",
    "column_letter",
    "data_rows_present",
    "date_parse",
    "detect_encoding",
    "header_guess",
    "mapping_guess",
    "mapping_problems",
    "postal_code_of",
    "read_licences",
    "records_count",
    "rows_head",
    "state_of",
]


class LicenceField(StrEnum):
    NUMBER = "number"
    NAME = "name"
    ADDRESS = "address"
    CITY = "city"
    STATE = "state"
    POSTAL_CODE = "postal_code"
    PARCEL = "parcel_number"
    CATEGORY = "category"
    ISSUED_ON = "issued_on"
    EXPIRES_ON = "expires_on"
    RENEWS_ON = "renews_on"
    EMAIL = "email"


REQUIRED_FIELDS = (LicenceField.NUMBER, LicenceField.NAME, LicenceField.ADDRESS)
# The model's column widths (compliance.models.Licence): a longer value is a bad row, never cut.
FIELD_MAX = {
    LicenceField.NUMBER: 64,
    LicenceField.NAME: 200,
    LicenceField.ADDRESS: 255,
    LicenceField.CITY: 100,
    LicenceField.PARCEL: 64,
    LicenceField.CATEGORY: 100,
    LicenceField.EMAIL: 254,
}
DATE_FIELDS = (LicenceField.ISSUED_ON, LicenceField.EXPIRES_ON, LicenceField.RENEWS_ON)
# No licence or permit in force was issued before 1900 or runs past 2100: a date outside is a
# placeholder of an export (0001-01-01, 9999-12-31), never the licence's. Fixed, not from the
# clock, so that one file reads the same whatever day it is imported.
DATE_EARLIEST = dt.date(1900, 1, 1)
DATE_LATEST = dt.date(2100, 12, 31)


class RowProblem(StrEnum):
    """Why a row was not imported (compliance.licences.selectors.row_error_sentence words it)."""

    MISSING = "missing"
    TOO_LONG = "too_long"
    BAD_DATE = "bad_date"
    UNKNOWN_CATEGORY = "unknown_category"
    BAD_EMAIL = "bad_email"
    DUPLICATE = "duplicate"
    SHORT_ROW = "short_row"  # fewer cells than the header (or the first row): a row cut short
    UNREADABLE = "unreadable"
    UNCLOSED_QUOTE = "unclosed_quote"
    DATE_OUT_OF_RANGE = "date_out_of_range"  # before DATE_EARLIEST or after DATE_LATEST
    EXPIRES_BEFORE_ISSUED = "expires_before_issued"
    BAD_STATE = "bad_state"  # not a state's two-letter postal code
    BAD_POSTAL_CODE = "bad_postal_code"  # not 5 digits, or ZIP+4


@dataclass(frozen=True)
class LicenceIn:
    number: str
    name: str
    address: str
    city: str = ""
    state: str = ""  # a two-letter postal code, upper case
    postal_code: str = ""  # 12345 or 12345-6789
    parcel_number: str = ""
    category: str = ""  # a cameras.models.BusinessCategory value, or "" when the file gives none
    category_raw: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    renews_on: dt.date | None = None
    email: str = ""


@dataclass(frozen=True)
class RowError:
    """One problem of one row: its line, what is wrong, and the file's column it is in (0 is
    column A; None when it is the whole row's: cut short, unreadable, a quote never closed)."""

    line: int
    problem: RowProblem
    params: dict[str, Any] = field(default_factory=dict)
    column: int | None = None


@dataclass(frozen=True)
class BadRow:
    """A row that is not imported, with every problem found in it (not only the first: the
    administrator corrects the file once, not once per problem)."""

    line: int
    problems: tuple[RowError, ...]


def column_letter(index: int) -> str:
    """A column as a spreadsheet names it: 0 is A, 25 is Z, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- Header and mapping --------------------------------------------------------------------

_WORDS = re.compile(r"[^0-9a-z]+")

# Column titles seen in cities' open-data licence and permit files, as compared (lower case,
# letters and digits, single spaces).
ALIASES: dict[LicenceField, tuple[str, ...]] = {
    LicenceField.NUMBER: (
        "licence number",
        "license number",
        "license no",
        "licence no",
        "license",
        "licence",
        "license id",
        "licence id",
        "permit number",
        "permit no",
        "permit",
        "permit id",
        "business license number",
        "bl number",
        "account number",
        "number",
        "certificate number",
    ),
    LicenceField.NAME: (
        "business name",
        "name",
        "dba",
        "dba name",
        "doing business as",
        "legal name",
        "business",
        "trade name",
        "owner name",
    ),
    LicenceField.ADDRESS: (
        "address",
        "business address",
        "site address",
        "street address",
        "location address",
        "location",
        "situs address",
        "property address",
        "address 1",
        "address line 1",
    ),
    LicenceField.CITY: ("city", "business city", "site city", "location city", "mailing city", "town", "municipality"),
    LicenceField.STATE: ("state", "state code", "business state", "site state", "location state", "mailing state"),
    LicenceField.POSTAL_CODE: (
        "zip",
        "zip code",
        "zipcode",
        "zip5",
        "postal code",
        "postcode",
        "business zip",
        "site zip",
        "location zip",
        "mailing zip",
    ),
    LicenceField.PARCEL: ("parcel number", "parcel", "apn", "parcel id", "assessor parcel number", "pin"),
    LicenceField.CATEGORY: (
        "category",
        "business category",
        "license type",
        "licence type",
        "business type",
        "type",
        "naics description",
        "classification",
        "permit type",
        "use",
    ),
    LicenceField.ISSUED_ON: (
        "issue date",
        "issued",
        "issued on",
        "date issued",
        "start date",
        "license start date",
        "effective date",
    ),
    LicenceField.EXPIRES_ON: (
        "expiration date",
        "expiry date",
        "expires",
        "expires on",
        "expiration",
        "end date",
        "license expiration date",
    ),
    LicenceField.RENEWS_ON: ("renewal date", "renews on", "renewal", "next renewal", "renewal due"),
    LicenceField.EMAIL: ("email", "e mail", "email address", "e mail address", "contact email", "business email"),
}


def _words(text: str) -> str:
    return " ".join(_WORDS.sub(" ", text.lower()).split())


def header_guess(first_row: list[str], second_row: list[str] | None) -> bool:
    """Whether the first row is a header: a cell is a known column title, or no cell of it is
    a date while the second row has one, or every cell is text where the second row has a
    number."""
    titles = {alias for aliases in ALIASES.values() for alias in aliases}
    if any(_words(cell) in titles for cell in first_row):
        return True
    if second_row is None:
        return False
    if any(date_parse(cell) for cell in first_row):
        return False
    digits = [any(ch.isdigit() for ch in cell) for cell in first_row]
    return not any(digits) and any(any(ch.isdigit() for ch in cell) for cell in second_row)


def mapping_guess(header: list[str]) -> dict[str, int]:
    """Field -> column index, for the titles that match a known alias (first match wins; a
    column is given to one field only)."""
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for licence_field, aliases in ALIASES.items():
        for alias in aliases:  # the more specific titles first, as listed
            index = next((i for i, cell in enumerate(header) if i not in used and _words(cell) == alias), None)
            if index is not None:
                mapping[licence_field.value] = index
                used.add(index)
                break
    return mapping


def mapping_problems(mapping: dict[str, int], *, columns: int) -> list[tuple[str, str]]:
    """``(field, code)`` for each problem of a mapping: a required field with no column
    ("missing"), a column that the file does not have ("no_column"), a column given to two
    fields ("twice"). Empty when the mapping can be used."""
    problems = [(f.value, "missing") for f in REQUIRED_FIELDS if mapping.get(f.value) is None]
    seen: dict[int, str] = {}
    for name, index in mapping.items():
        if index is None:
            continue
        if not 0 <= index < columns:
            problems.append((name, "no_column"))
        elif index in seen:
            problems.append((name, "twice"))
        else:
            seen[index] = name
    return problems


# --- Values --------------------------------------------------------------------------------

# Tried in order. Slashed dates are read month first (05/01/2026 is May 1), as US cities write
# them; the page says so. Day-month-year with the month in words is unambiguous.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y/%m/%d",
    "%m-%d-%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%Y%m%d",
)
_DATE_TIME_TAIL = re.compile(
    r"^(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})"  # the date
    r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?( ?[AaPp][Mm])?(Z|[+-]\d{2}:?\d{2})?$"  # a time, ignored
)


def date_parse(text: str) -> dt.date | None:
    """A date written in one of DATE_FORMATS (a time after it is ignored), else None."""
    value = " ".join(text.replace(",", " ").replace(".", " ").split()) if text else ""
    if not value:
        return None
    timed = _DATE_TIME_TAIL.match(text.strip())
    if timed:
        value = timed.group(1)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a calendar date, no time zone)
        except ValueError:
            continue
    return None


_CATEGORY_SYNONYMS = {
    "gas station": "gas_station",
    "service station": "gas_station",
    "gasoline station": "gas_station",
    "fuel station": "gas_station",
    "filling station": "gas_station",
    "petrol station": "gas_station",
    "convenience store": "convenience_store",
    "convenience": "convenience_store",
    "mini market": "convenience_store",
    "minimart": "convenience_store",
    "mini mart": "convenience_store",
    "bar": "bar",
    "tavern": "bar",
    "nightclub": "bar",
    "night club": "bar",
    "bar or nightclub": "bar",
    "restaurant": "restaurant",
    "retail": "retail",
    "shop": "retail",
    "retail store": "retail",
    "store": "retail",
    "cannabis": "cannabis",
    "cannabis business": "cannabis",
    "cannabis dispensary": "cannabis",
    "dispensary": "cannabis",
    "hotel": "hotel",
    "motel": "hotel",
    "hotel or motel": "hotel",
    "office": "office",
    "industrial": "industrial",
    "manufacturing": "industrial",
    "warehouse": "industrial",
    "other": "other",
    "other business": "other",
}


def category_of(text: str, *, categories: Iterable[str]) -> str | None:
    """The BusinessCategory value ``text`` names ("Gas Station", "GAS_STATION", "service
    station"), "" for an empty cell, None when it names none of ``categories``."""
    words = _words(text)
    if not words:
        return ""
    known = set(categories)
    value = words.replace(" ", "_")
    if value in known:
        return value
    found = _CATEGORY_SYNONYMS.get(words)
    return found if found in known else None


# The United States Postal Service's two-letter codes: states, the District of Columbia, the
# territories and the armed forces' addresses (a letter is mailed to any of them).
STATE_CODES = frozenset(
    {
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
        "AS",
        "GU",
        "MP",
        "PR",
        "VI",
        "UM",
        "FM",
        "MH",
        "PW",
        "AA",
        "AE",
        "AP",
    }
)
_POSTAL_CODE = re.compile(r"^(\d{5})(?:[- ]?(\d{4}))?$")


def postal_code_of(text: str) -> str | None:
    """A ZIP code as written on a letter ("92376", "92376-1234"), "" for an empty cell, None
    when ``text`` is not one (a spreadsheet that dropped a leading zero: "2134")."""
    value = text.strip()
    if not value:
        return ""
    found = _POSTAL_CODE.match(value)
    if found is None:
        return None
    return f"{found.group(1)}-{found.group(2)}" if found.group(2) else found.group(1)


def state_of(text: str) -> str | None:
    """A state's postal code, upper case ("ca" is "CA"), "" for an empty cell, None otherwise."""
    value = text.strip().replace(".", "").upper()
    if not value:
        return ""
    return value if value in STATE_CODES else None


# --- Rows ----------------------------------------------------------------------------------


def _lines(stream: IO[str]) -> Iterator[tuple[int, list[str] | RowError]]:
    """(line where the record starts, cells), with csv's own dialect sniffing of the start.

    A record csv cannot read (a value over its field size limit) comes as a RowError in place
    of its cells, and the reading goes on at the next line; a record still inside quotes at the
    end of the file (a quote never closed) comes as a RowError too."""
    sample = stream.read(64 * 1024)
    stream.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    ended = False

    def physical_lines() -> Iterator[str]:
        nonlocal ended
        # Not "yield from": closing this generator early (the preview stops reading) would
        # close the stream with it.
        for text in stream:  # noqa: UP028
            yield text
        # csv ends a record at the end of its line; it only asks past the last line for a
        # record still inside quotes.
        ended = True

    reader = csv.reader(physical_lines(), dialect)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            params = {"limit": csv.field_size_limit()} if "field limit" in str(exc) else {}
            yield start, RowError(start, RowProblem.UNREADABLE, params)
        else:
            yield start, (RowError(start, RowProblem.UNCLOSED_QUOTE) if ended else cells)
        start = reader.line_num + 1


def rows_head(stream: IO[str], *, count: int) -> list[list[str]]:
    """The first ``count`` readable records of the file, for the preview and the header guess
    (a record csv cannot read is left out here; the import reports it by its line)."""
    head: list[list[str]] = []
    for _line, cells in _lines(stream):
        if isinstance(cells, RowError):
            continue
        head.append(cells)
        if len(head) >= count:
            break
    return head


def records_count(stream: IO[str], *, has_header: bool) -> int:
    """How many data rows read_licences will yield (blank lines left out): the progress bar's
    total, from one quick pass of the csv reader alone."""
    count = sum(
        1 for _line, cells in _lines(stream) if isinstance(cells, RowError) or any(cell.strip() for cell in cells)
    )
    return max(0, count - 1) if has_header else count


def data_rows_present(stream: IO[str], *, has_header: bool) -> bool:
    """Whether the file has a record to import below its header (or at all, without one):
    a record that is not blank, readable or not (an unreadable one is reported by its line).
    Reads only as far as the first such record."""
    wanted = 2 if has_header else 1
    seen = 0
    for _line, cells in _lines(stream):
        if isinstance(cells, RowError) or any(cell.strip() for cell in cells):
            seen += 1
            if seen >= wanted:
                return True
    return False


def read_licences(
    stream: IO[str],
    *,
    mapping: dict[str, int],
    has_header: bool,
    categories: Iterable[str],
    unknown_as_other: bool = False,
) -> Iterator[LicenceIn | BadRow]:
    """Each data row of the file as a LicenceIn, or a BadRow naming its line and every
    problem found in it, each with its column.

    A number met again further down the file is a RowError (the first row stands), so a file
    with duplicates imports the same way every time. Numbers are compared as matching compares
    them (addresses.reference_key: letters and digits, upper case), so "L-1", "l-1" and "L 1"
    are one licence, and a number without a letter or digit is missing."""
    known = tuple(categories)
    seen: dict[str, int] = {}
    rows = _lines(stream)
    expected: int | None = None  # the header's width, else the first row's
    if has_header:
        header = next(rows, None)
        # An unreadable header (a RowError) measures nothing: the first row's width does.
        expected = len(header[1]) if header is not None and not isinstance(header[1], RowError) else None
    for line, cells in rows:
        if isinstance(cells, RowError):
            yield BadRow(cells.line, (cells,))
            continue
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of an export
        if expected is None:
            expected = len(cells)
        if len(cells) < expected:
            # Read on, the missing cells would be empty fields imported without a word. Its
            # cells are not judged one by one: which column each belongs to is not known.
            yield BadRow(line, (RowError(line, RowProblem.SHORT_ROW, {"columns": len(cells), "expected": expected}),))
            continue
        yield _row(line, cells, mapping=mapping, categories=known, unknown_as_other=unknown_as_other, seen=seen)


def _row(
    line: int,
    cells: list[str],
    *,
    mapping: dict[str, int],
    categories: tuple[str, ...],
    unknown_as_other: bool,
    seen: dict[str, int],
) -> LicenceIn | BadRow:
    def cell(name: LicenceField) -> str:
        index = mapping.get(name.value)
        if index is None or index >= len(cells):
            return ""
        return " ".join(cells[index].split())  # inner runs of spaces and line breaks to one space

    problems: list[RowError] = []

    def bad(problem: RowProblem, name: LicenceField, **params: Any) -> None:
        problems.append(RowError(line, problem, params, mapping.get(name.value)))

    values = {name: cell(name) for name in LicenceField}
    for name in REQUIRED_FIELDS:
        if not values[name]:
            bad(RowProblem.MISSING, name, field=name.value)
    for name, limit in FIELD_MAX.items():
        if len(values[name]) > limit:
            bad(RowProblem.TOO_LONG, name, field=name.value, limit=limit)
    dates: dict[LicenceField, dt.date | None] = {}
    for name in DATE_FIELDS:
        day = date_parse(values[name])
        if values[name] and day is None:
            bad(RowProblem.BAD_DATE, name, field=name.value, value=values[name][:40])
        elif day is not None and not DATE_EARLIEST <= day <= DATE_LATEST:
            bad(RowProblem.DATE_OUT_OF_RANGE, name, field=name.value, value=values[name][:40])
            day = None
        dates[name] = day
    issued, expires = dates[LicenceField.ISSUED_ON], dates[LicenceField.EXPIRES_ON]
    if issued is not None and expires is not None and expires < issued:
        bad(
            RowProblem.EXPIRES_BEFORE_ISSUED,
            LicenceField.EXPIRES_ON,
            issued=issued.isoformat(),
            expires=expires.isoformat(),
        )
    category = category_of(values[LicenceField.CATEGORY], categories=categories)
    if category is None:
        if unknown_as_other:
            category = "other"
        else:
            bad(RowProblem.UNKNOWN_CATEGORY, LicenceField.CATEGORY, value=values[LicenceField.CATEGORY][:60])
    email = values[LicenceField.EMAIL]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            bad(RowProblem.BAD_EMAIL, LicenceField.EMAIL, value=email[:60])
    state = state_of(values[LicenceField.STATE])
    if state is None:
        bad(RowProblem.BAD_STATE, LicenceField.STATE, value=values[LicenceField.STATE][:40])
    postal_code = postal_code_of(values[LicenceField.POSTAL_CODE])
    if postal_code is None:
        bad(RowProblem.BAD_POSTAL_CODE, LicenceField.POSTAL_CODE, value=values[LicenceField.POSTAL_CODE][:40])
    number = values[LicenceField.NUMBER]
    key = reference_key(number)
    if number and not key:
        bad(RowProblem.MISSING, LicenceField.NUMBER, field=LicenceField.NUMBER.value)
    if key and key in seen:
        bad(RowProblem.DUPLICATE, LicenceField.NUMBER, number=number, first_line=seen[key])
    if problems:
        # Its number stays free: a later good row with it is imported (the first good one stands).
        return BadRow(line, tuple(problems))
    seen[key] = line
    return LicenceIn(
        number=number,
        name=values[LicenceField.NAME],
        address=values[LicenceField.ADDRESS],
        city=values[LicenceField.CITY],
        # None in any of these is a problem above: the row never gets here with one.
        state=state or "",
        postal_code=postal_code or "",
        parcel_number=values[LicenceField.PARCEL],
        category=category or "",
        category_raw=values[LicenceField.CATEGORY],
        issued_on=dates[LicenceField.ISSUED_ON],
        expires_on=dates[LicenceField.EXPIRES_ON],
        renews_on=dates[LicenceField.RENEWS_ON],
        email=email.lower() if email else "",
    )
