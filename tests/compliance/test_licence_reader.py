"""Reading a city's licence CSV: encodings, header and mapping guesses, dates, and each bad
row reported by its line with the reason, without stopping."""

import codecs
import datetime as dt
import io

import pytest

from cameras.models import BusinessCategory
from compliance.licences.reader import (
    BadRow,
    EncodingRefused,
    LicenceIn,
    RowError,
    RowProblem,
    data_rows_present,
    date_parse,
    detect_encoding,
    header_guess,
    mapping_guess,
    mapping_problems,
    read_licences,
    records_count,
    rows_head,
)
from compliance.licences.selectors import row_error_sentence

HEADER = "License No,Business Name,Address,License Type,Issue Date,Expiration Date,Email\n"
MAPPING = {"number": 0, "name": 1, "address": 2, "category": 3, "issued_on": 4, "expires_on": 5, "email": 6}


def read(text: str, **kwargs: object) -> list[LicenceIn | BadRow]:
    options = {"mapping": MAPPING, "has_header": True, "categories": BusinessCategory.values, **kwargs}
    return list(read_licences(io.StringIO(text, newline=""), **options))  # type: ignore[arg-type]


def problems(rows: list[LicenceIn | BadRow]) -> list[tuple[int, RowProblem, dict[str, object]]]:
    """Every problem of every bad row, as (line, problem, params), in the file's order."""
    return [(e.line, e.problem, e.params) for row in rows if isinstance(row, BadRow) for e in row.problems]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"number,name\n1,Caf\xc3\xa9\n", "utf-8"),
        (codecs.BOM_UTF8 + b"number,name\n1,Caf\xc3\xa9\n", "utf-8-sig"),
        (b"number,name\n1,Caf\xe9 \x93quoted\x94\n", "cp1252"),
        (b"number,name\n1,\x81\x8d\n", "latin-1"),
    ],
)
def test_the_encoding_is_the_first_that_reads_the_whole_file(raw: bytes, expected: str) -> None:
    assert detect_encoding([raw[:7], raw[7:]]) == expected


def test_a_utf8_character_split_between_two_chunks_is_still_utf8() -> None:
    raw = "n,name\n1,Café\n".encode()
    split = raw.index(b"\xc3") + 1

    assert detect_encoding([raw[:split], raw[split:]]) == "utf-8"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "xlsx"),
        (codecs.BOM_UTF16_LE + "n,name\n".encode("utf-16-le"), "utf16"),
        (b"n,name\n\x00\x01\x02", "binary"),
    ],
)
def test_a_workbook_utf16_or_binary_file_is_refused_with_its_reason(raw: bytes, code: str) -> None:
    with pytest.raises(EncodingRefused) as refusal:
        detect_encoding([raw])

    assert refusal.value.code == code


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-05-01", dt.date(2026, 5, 1)),
        ("05/01/2026", dt.date(2026, 5, 1)),
        ("5/1/26", dt.date(2026, 5, 1)),
        ("1 May 2026", dt.date(2026, 5, 1)),
        ("1 may 2026", dt.date(2026, 5, 1)),
        ("May 1, 2026", dt.date(2026, 5, 1)),
        ("01-May-2026", dt.date(2026, 5, 1)),
        ("2026/05/01", dt.date(2026, 5, 1)),
        ("2026-05-01T00:00:00", dt.date(2026, 5, 1)),
        ("05/01/2026 12:00:00 AM", dt.date(2026, 5, 1)),
        ("20260501", dt.date(2026, 5, 1)),
    ],
)
def test_common_date_formats_are_read(written: str, expected: dt.date) -> None:
    assert date_parse(written) == expected


@pytest.mark.parametrize("written", ["13/45/2026", "next May", "2026-02-30", "31/12/2026"])
def test_an_odd_date_is_not_guessed(written: str) -> None:
    assert date_parse(written) is None


def test_the_header_and_mapping_are_guessed_from_known_column_titles() -> None:
    header = ["APN", "DBA Name", "Site Address", "License Number", "License Type", "Expiration Date"]

    assert header_guess(header, ["0128", "Joe's", "1 Main St", "BL-1", "Gas station", "2027-01-01"])
    assert mapping_guess(header) == {
        "number": 3,
        "name": 1,
        "address": 2,
        "parcel_number": 0,
        "category": 4,
        "expires_on": 5,
    }


def test_a_file_without_titles_is_seen_as_having_no_header() -> None:
    assert not header_guess(
        ["BL-1", "Joe's Gas", "1 Main St", "2026-05-01"], ["BL-2", "Ann's", "2 Main St", "2026-05-02"]
    )


def test_a_mapping_without_a_required_column_or_with_a_column_twice_or_out_of_the_file_is_refused() -> None:
    problems = mapping_problems({"number": 0, "name": 0, "category": 9}, columns=4)

    assert ("address", "missing") in problems
    assert ("name", "twice") in problems
    assert ("category", "no_column") in problems


def test_good_rows_are_read_with_their_category_dates_and_email() -> None:
    rows = read(
        HEADER + 'BL-1,"Joe\'s Gas, Inc.",1200 W Baseline Rd,Service Station,05/01/2026,1 May 2027,Joe@Example.org\n'
    )

    assert rows == [
        LicenceIn(
            number="BL-1",
            name="Joe's Gas, Inc.",
            address="1200 W Baseline Rd",
            category="gas_station",
            category_raw="Service Station",
            issued_on=dt.date(2026, 5, 1),
            expires_on=dt.date(2027, 5, 1),
            email="joe@example.org",
        )
    ]


def test_each_bad_row_is_reported_by_its_line_and_the_rest_are_read() -> None:
    text = (
        HEADER
        + "BL-1,Joe's,1 Main St,Gas station,2026-05-01,,\n"  # line 2: good
        + ",No number,2 Main St,Bar,,,\n"  # 3: missing number
        + "BL-3,Odd date,3 Main St,Bar,31/31/2026,,\n"  # 4: odd date
        + "BL-4,Unknown,4 Main St,Pet grooming,,,\n"  # 5: unknown category
        + "BL-1,Again,5 Main St,Bar,,,\n"  # 6: duplicate of line 2
        + "BL-6,Bad mail,6 Main St,Bar,,,not-an-email\n"  # 7
        + 'BL-7,"Two\nlines",7 Main St,Bar,,,\n'  # 8-9: good, a quoted line break
        + "\n"  # 10: blank, skipped
        + "BL-8,Fine,8 Main St,,,,\n"  # 11: good, no category
    )

    rows = read(text)

    bad = problems(rows)
    good = [row.number for row in rows if isinstance(row, LicenceIn)]
    assert bad == [
        (3, RowProblem.MISSING, {"field": "number"}),
        (4, RowProblem.BAD_DATE, {"field": "issued_on", "value": "31/31/2026"}),
        (5, RowProblem.UNKNOWN_CATEGORY, {"value": "Pet grooming"}),
        (6, RowProblem.DUPLICATE, {"number": "BL-1", "first_line": 2}),
        (7, RowProblem.BAD_EMAIL, {"value": "not-an-email"}),
    ]
    assert good == ["BL-1", "BL-7", "BL-8"]
    assert records_count(io.StringIO(text, newline=""), has_header=True) == len(rows)


def test_a_row_with_fewer_columns_than_the_header_is_a_bad_row_named_by_its_line() -> None:
    """A row cut short (4 of 7 columns) is not imported with its last fields silently empty."""
    text = HEADER + "BL-1,Joe's,1 Main St,Gas station\n" + "BL-2,Fine,2 Main St,Bar,,,\n"

    rows = read(text)

    assert problems(rows) == [(2, RowProblem.SHORT_ROW, {"columns": 4, "expected": 7})]
    assert isinstance(rows[1], LicenceIn)
    sentence = row_error_sentence({"problem": RowProblem.SHORT_ROW, "params": {"columns": 4, "expected": 7}})
    assert sentence == "The row has 4 columns; the header has 7."


def test_an_unknown_category_can_be_read_as_other_business() -> None:
    rows = read(HEADER + "BL-4,Groomer,4 Main St,Pet grooming,,,\n", unknown_as_other=True)

    assert isinstance(rows[0], LicenceIn)
    assert (rows[0].category, rows[0].category_raw) == ("other", "Pet grooming")


def test_a_semicolon_separated_file_is_read_too() -> None:
    rows = read(HEADER.replace(",", ";") + "BL-1;Joe's;1 Main St;Bar;;;\n")

    assert [row.number for row in rows if isinstance(row, LicenceIn)] == ["BL-1"]


def test_a_row_shorter_than_the_mapping_reports_its_width() -> None:
    rows = read(HEADER + "BL-1,Joe's\n")

    assert rows == [BadRow(2, (RowError(2, RowProblem.SHORT_ROW, {"columns": 2, "expected": 7}),))]


def test_without_a_header_the_first_rows_width_is_the_measure() -> None:
    rows = read("BL-1,Joe's,1 Main St,Bar,,,\nBL-2,Cut,2 Main St\n", has_header=False)

    assert isinstance(rows[0], LicenceIn)
    assert rows[1] == BadRow(2, (RowError(2, RowProblem.SHORT_ROW, {"columns": 3, "expected": 7}),))


def test_a_value_over_the_csv_field_limit_is_a_bad_row_by_its_line_and_the_rest_are_read() -> None:
    text = HEADER + "BL-1,Joe's,1 Main St,Bar,,,\n" + "BL-2," + "x" * 200_000 + ",2 Main St,Bar,,,\n"
    text += "BL-3,Ann's,3 Main St,Bar,,,\n"

    rows = read(text)

    assert [row.number for row in rows if isinstance(row, LicenceIn)] == ["BL-1", "BL-3"]
    assert [(line, problem) for line, problem, _params in problems(rows)] == [(3, RowProblem.UNREADABLE)]
    assert records_count(io.StringIO(text, newline=""), has_header=True) == len(rows)


def test_a_quote_never_closed_is_a_bad_row_at_the_line_where_it_opens() -> None:
    opened = "BL-2,\"Ann's,2 Main St,Bar,,,\n"

    rows = read(HEADER + "BL-1,Joe's,1 Main St,Bar,,,\n" + opened + "BL-3,Bob,3 Main St,,,,\n")

    assert [row.number for row in rows if isinstance(row, LicenceIn)] == ["BL-1"]
    assert [(line, problem) for line, problem, _params in problems(rows)] == [(3, RowProblem.UNCLOSED_QUOTE)]


def test_the_preview_leaves_out_an_unreadable_row() -> None:
    text = HEADER + "BL-1," + "x" * 200_000 + ",1 Main St,Bar,,,\n" + "BL-2,Ann's,2 Main St,Bar,,,\n"

    head = rows_head(io.StringIO(text, newline=""), count=5)

    assert [cells[0] for cells in head] == ["License No", "BL-2"]


def test_numbers_written_differently_are_one_licence_the_way_matching_reads_them() -> None:
    text = HEADER + "L-1,First,1 Main St,Bar,,,\n" + "l-1,Second,2 Main St,Bar,,,\n" + "L 1,Third,3 Main St,Bar,,,\n"

    rows = read(text)

    assert [row.number for row in rows if isinstance(row, LicenceIn)] == ["L-1"]
    assert problems(rows) == [
        (3, RowProblem.DUPLICATE, {"number": "l-1", "first_line": 2}),
        (4, RowProblem.DUPLICATE, {"number": "L 1", "first_line": 2}),
    ]


def test_a_number_of_punctuation_alone_is_missing() -> None:
    rows = read(HEADER + "--,Dashes,1 Main St,Bar,,,\n")

    assert problems(rows) == [(2, RowProblem.MISSING, {"field": "number"})]


@pytest.mark.parametrize(
    ("issued", "expires", "problem", "params"),
    [
        ("0001-01-01", "", RowProblem.DATE_OUT_OF_RANGE, {"field": "issued_on", "value": "0001-01-01"}),
        ("", "9999-12-31", RowProblem.DATE_OUT_OF_RANGE, {"field": "expires_on", "value": "9999-12-31"}),
        (
            "2026-05-01",
            "2026-04-30",
            RowProblem.EXPIRES_BEFORE_ISSUED,
            {"issued": "2026-05-01", "expires": "2026-04-30"},
        ),
    ],
)
def test_an_implausible_date_or_an_expiry_before_the_issue_is_a_bad_row_by_its_line(
    issued: str, expires: str, problem: RowProblem, params: dict[str, str]
) -> None:
    rows = read(HEADER + f"BL-1,Joe's,1 Main St,Bar,{issued},{expires},\n" + "BL-2,Fine,2 Main St,Bar,,,\n")

    assert problems(rows) == [(2, problem, params)]
    assert [row.number for row in rows if isinstance(row, LicenceIn)] == ["BL-2"]
    assert "This row could not be read" not in row_error_sentence({"problem": problem, "params": params})


def test_every_problem_of_a_row_is_reported_each_with_its_column() -> None:
    """Not only the first: a row with no name, an odd date, an unknown category and a bad
    e-mail is corrected once, not four times."""
    text = HEADER + "BL-1,,1 Main St,Pet grooming,31/31/2026,,not-an-email\n" + "BL-2,Fine,2 Main St,Bar,,,\n"

    rows = read(text)

    assert isinstance(rows[0], BadRow)
    assert [(e.line, e.column, e.problem) for e in rows[0].problems] == [
        (2, 1, RowProblem.MISSING),
        (2, 4, RowProblem.BAD_DATE),
        (2, 3, RowProblem.UNKNOWN_CATEGORY),
        (2, 6, RowProblem.BAD_EMAIL),
    ]
    assert [row.number for row in rows if isinstance(row, LicenceIn)] == ["BL-2"]


def test_a_bad_row_does_not_take_its_number_from_a_later_good_row() -> None:
    rows = read(HEADER + "BL-1,,1 Main St,Bar,,,\n" + "BL-1,Fine,2 Main St,Bar,,,\n")

    assert problems(rows) == [(2, RowProblem.MISSING, {"field": "name"})]
    assert [row.number for row in rows if isinstance(row, LicenceIn)] == ["BL-1"]


def test_a_duplicate_with_another_problem_reports_both() -> None:
    rows = read(HEADER + "BL-1,First,1 Main St,Bar,,,\n" + "BL-1,Again,2 Main St,Bar,,,nope\n")

    assert problems(rows) == [
        (3, RowProblem.BAD_EMAIL, {"value": "nope"}),
        (3, RowProblem.DUPLICATE, {"number": "BL-1", "first_line": 2}),
    ]


@pytest.mark.parametrize(
    ("text", "has_header", "present"),
    [
        (HEADER, True, False),
        (HEADER + "\n\n", True, False),
        (HEADER + "BL-1,Joe's,1 Main St,Bar,,,\n", True, True),
        (HEADER, False, True),
        ("", False, False),
    ],
)
def test_whether_a_file_has_a_row_to_import_below_its_header(text: str, has_header: bool, present: bool) -> None:
    assert data_rows_present(io.StringIO(text, newline=""), has_header=has_header) is present
