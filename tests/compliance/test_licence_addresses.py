"""The one address key a city's licence and a registered site are matched by."""

import pytest

from compliance.licences.addresses import address_match_key, reference_key


@pytest.mark.parametrize(
    ("city_file", "owner_form"),
    [
        ("1200 W. BASELINE RD.", "1200 West Baseline Road"),
        ("1200 w baseline rd, Rialto, CA 92376", "1200 West Baseline Road, Rialto CA"),
        ("250 N Riverside Ave", "250 North Riverside Avenue"),
        ("77 Main St Ste 4", "77 Main Street, Suite 4"),
        ("77 MAIN ST #4", "77 Main Street Unit 4"),
        ("77 Main St, Apt. 4, Rialto", "77 main street apartment 4"),
        ("77 Main St#4", "77 Main St # 4"),
        ("15 Peñasco Blvd", "15 Penasco Boulevard"),
    ],
)
def test_the_same_place_written_two_ways_has_one_key(city_file: str, owner_form: str) -> None:
    assert address_match_key(city_file) == address_match_key(owner_form)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("77 Main St Ste 4", "77 Main St Ste 5"),
        ("77 Main St", "77 Main St Ste 4"),
        ("250 N Riverside Ave", "250 S Riverside Ave"),
        ("250 Riverside Ave", "252 Riverside Ave"),
        ("250 Riverside Ave", "250 Riverside Dr"),
    ],
)
def test_different_places_keep_different_keys(one: str, other: str) -> None:
    assert address_match_key(one) != address_match_key(other)


def test_the_key_spells_out_suffixes_directionals_and_units() -> None:
    assert address_match_key("250 N. Riverside Ave., Ste B, Rialto, CA 92376") == "250 north riverside avenue unit b"


def test_an_empty_address_has_an_empty_key() -> None:
    assert address_match_key("  ,  ") == ""


@pytest.mark.parametrize("written", ["0128-331-07", "0128 331 07", "0128.331.07", " 012833107 "])
def test_a_parcel_number_is_compared_by_its_letters_and_digits(written: str) -> None:
    assert reference_key(written) == "012833107"
