"""Addresses as police see them: the block, unless the owner shares contact details.

Pure-function tests; nothing here touches the database.
"""

import re

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from cameras.addresses import address_block, address_for_police

STREET_WORDS = st.sampled_from(["W", "N", "Baseline", "Main", "Rd", "St", "Ave", "Avenida", "Juárez", "Mayor", "Ñandú"])
STREETS = st.lists(STREET_WORDS, min_size=1, max_size=4).map(" ".join)
UNITS = st.sampled_from(["Apt", "Unit", "Suite", "Ste", "#", "Apto", "Depto", "Piso"])


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("1234 W Baseline Rd", "1200 block of W Baseline Rd"),
        ("1299 N Main St", "1200 block of N Main St"),
        ("99 Main St", "0 block of Main St"),
        ("0 Main St", "0 block of Main St"),
        ("12B Main St", "0 block of Main St"),
        ("12 1/2 Main St", "0 block of Main St"),
        ("1234-1240 Main St", "1200 block of Main St"),
        ("1200 5th Ave", "1200 block of 5th Ave"),
        ("1234 Highway 101", "1200 block of Highway 101"),
        ("1234 W Baseline Rd Apt 4", "1200 block of W Baseline Rd"),
        ("1234 W Baseline Rd #4", "1200 block of W Baseline Rd"),
        ("1234 W Baseline Rd Bldg 2 Apt 4B", "1200 block of W Baseline Rd"),
        ("1234 W Baseline Rd Apt B", "1200 block of W Baseline Rd"),
        ("1234 W Baseline Rd, Apt 4, Rialto, CA 92376", "1200 block of W Baseline Rd"),
        ("1234 Suite Ave", "1200 block of Suite Ave"),
        ("  1234   W  Baseline   Rd ", "1200 block of W Baseline Rd"),
        # Spanish-style: the number after the street.
        ("Calle Mayor 12", "0 block of Calle Mayor"),
        ("Calle Mayor, 12, 3º B", "0 block of Calle Mayor"),
        ("Av. Juárez #1234", "1200 block of Av. Juárez"),
        ("Av. Juárez Núm. 1234, Col. Centro", "1200 block of Av. Juárez"),
        ("Calle 5 #12-34", "0 block of Calle 5"),
        ("Calle Mayor 12 Piso 3", "0 block of Calle Mayor"),
        # No house number: nothing to hide.
        ("Baseline Rd", "Baseline Rd"),
        ("W 5th St", "W 5th St"),
        # Garbage: never a number, possibly nothing.
        ("", ""),
        ("   ", ""),
        ("1234", ""),
        ("Apt 4", ""),
        ("###", ""),
        ("1 2 3", ""),
        ("99999999999999 Main", "Main"),
        (",,,", ""),
        # Free text that once let a number or a unit through (review of issue 13).
        ("Main St 1234/5", "Main St"),
        ("W Baseline Rd 1234 Rialto CA 92376", "W Baseline Rd Rialto CA"),
        ("1234 W Baseline Rd Unit A1", "1200 block of W Baseline Rd"),
        ("1234 W Baseline Rd Trailer 12", "1200 block of W Baseline Rd"),
        ("1234 W Baseline Rd PH 3", "1200 block of W Baseline Rd"),
        ("1234 W Baseline Rd Box 5", "1200 block of W Baseline Rd"),
        ("1234 W Baseline Rd Apt 5 Rear", "1200 block of W Baseline Rd"),
        ("1234 Main St 5", "1200 block of Main St"),
        ("1234 County Road 12", "1200 block of County Road 12"),
        ("Carrera 7 #45-10", "0 block of Carrera 7"),
    ],
)
def test_address_block_keeps_the_street_and_rounds_the_number_to_its_hundred(address: str, shown: str) -> None:
    assert address_block(address) == shown


def test_address_block_is_translated() -> None:
    with translation.override("es"):
        assert address_block("1234 W Baseline Rd") == "cuadra 1200 de W Baseline Rd"


@given(number=st.integers(min_value=0, max_value=999_999_999), street=STREETS)
def test_a_leading_house_number_becomes_its_hundred(number: int, street: str) -> None:
    assert address_block(f"{number} {street}") == f"{number // 100 * 100} block of {street}"


@given(number=st.integers(min_value=0, max_value=999_999), street=STREETS)
def test_a_trailing_house_number_becomes_its_hundred(number: int, street: str) -> None:
    assert address_block(f"{street} {number}") == f"{number // 100 * 100} block of {street}"


@given(
    number=st.integers(min_value=100, max_value=99_999).filter(lambda n: n % 100),
    street=STREETS,
    unit=UNITS,
    unit_number=st.integers(min_value=1, max_value=9999),
)
def test_neither_the_house_number_nor_the_unit_ever_shows(
    number: int, street: str, unit: str, unit_number: int
) -> None:
    shown = address_block(f"{number} {street} {unit} {unit_number}")

    assert re.findall(r"\d+", shown) == [str(number // 100 * 100)]


@given(st.text(max_size=300))
def test_any_text_gives_a_short_answer_without_raising(text: str) -> None:
    shown = address_block(text)

    assert len(shown) <= 300
    assert "\n" not in shown


def test_the_whole_address_when_the_owner_shares_contact_details() -> None:
    assert address_for_police("1234 W Baseline Rd Apt 4", share_contact=True) == "1234 W Baseline Rd Apt 4"
    assert address_for_police("1234 W Baseline Rd Apt 4", share_contact=False) == "1200 block of W Baseline Rd"
