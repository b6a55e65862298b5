"""Address search: typos, abbreviations, accents, intersections, and never another
department's addresses."""

from typing import Any

import pytest
from django.contrib.gis.geos import Point

from places.demo import StreetGrid, addresses_generate
from places.readers import AddressIn
from places.selectors import MEET_WITHIN_M, addresses_search
from places.services import address_points_upsert
from tenants.models import Department
from tests.tenancy import connection

# A 2 km square around (-117.37, 34.10): avenues at -117.3811, -117.37, -117.3589;
# roads at 34.0955 and 34.1045.
GRID = StreetGrid(
    polygon=[(-117.3867, 34.091), (-117.3533, 34.091), (-117.3533, 34.109), (-117.3867, 34.109)],
    north_south=["Cedar Ave", "Riverside Ave", "Calle Peñasco"],
    east_west=["Baseline Rd", "Merrill Ave"],
    city="Rialto",
    postcode="92376",
)
RIVERSIDE_LON = -117.37
BASELINE_LAT = 34.0955


def _load(grid: StreetGrid) -> None:
    address_points_upsert(
        points=[
            AddressIn(number=n, street=s, unit="", city=grid.city, postcode=grid.postcode, lon=x, lat=y)
            for x, y, n, s in addresses_generate(grid)
        ]
    )


@pytest.fixture
def rialto_addresses(in_rialto: Department) -> Department:
    _load(GRID)
    address_points_upsert(
        points=[
            AddressIn(
                number="1200",
                street="W Baseline Rd",
                unit="",
                city="Rialto",
                postcode="92376",
                lon=-117.375,
                lat=34.0956,
            ),
            AddressIn(
                number="455", street="Avenida Señora", unit="B", city="Rialto", postcode="92376", lon=-117.372, lat=34.1
            ),
        ]
    )
    return in_rialto


def _labels(query: str, **kwargs: Any) -> list[str]:
    return [match.label for match in addresses_search(query=query, **kwargs)]


@pytest.mark.parametrize(
    "query",
    [
        "1200 W Baseline Rd",  # as stored
        "1200 West Baseline Road",  # written out
        "1200 w baseline rd rialto",  # with the city
        "1200 W Baselnie Rd",  # a typo
        "1200 W Basline",  # a typo, typed halfway
    ],
)
def test_an_address_is_found_despite_typos_and_abbreviations(rialto_addresses: Any, query: str) -> None:
    labels = _labels(query)

    assert labels[0] == "1200 W Baseline Rd, Rialto 92376"


@pytest.mark.parametrize("query", ["455 Avenida Senora", "455 avenida señora", "455 AVENIDA SEÑORA B"])
def test_an_address_is_found_with_or_without_its_spanish_accents(rialto_addresses: Any, query: str) -> None:
    labels = _labels(query)

    assert labels[0] == "455 Avenida Señora, B, Rialto 92376"


def test_a_street_without_its_accent_finds_the_accented_street(rialto_addresses: Any) -> None:
    matches = addresses_search(query="calle penasco", limit=3)

    assert matches
    assert all("Calle Peñasco" in match.label for match in matches)


@pytest.mark.parametrize(
    "query",
    [
        "Riverside Ave & Baseline Rd",
        "riverside and baseline",
        "Baseline Road at Riverside Avenue",
        "Riversde Ave / W Baseline Rd",  # a typo, and the W of the western half
    ],
)
def test_an_intersection_is_where_the_two_streets_meet(rialto_addresses: Any, query: str) -> None:
    [corner] = addresses_search(query=query)

    assert corner.kind == "intersection"
    assert "Riverside Ave" in corner.label
    assert "Baseline Rd" in corner.label
    # Within the setback of the houses (14 m) and half a spacing of them (~20 m).
    assert abs(corner.lon - RIVERSIDE_LON) < 0.0005
    assert abs(corner.lat - BASELINE_LAT) < 0.0005


def test_streets_that_never_meet_give_addresses_not_a_made_up_corner(rialto_addresses: Any) -> None:
    # Baseline Rd and Merrill Ave are parallel, 1 km apart (more than MEET_WITHIN_M).
    assert MEET_WITHIN_M < 1000

    matches = addresses_search(query="Baseline Rd & Merrill Ave")

    assert all(match.kind == "address" for match in matches)


def test_a_street_without_a_number_offers_its_address_nearest_the_map(rialto_addresses: Any) -> None:
    near = Point(-117.3867, 34.1045, srid=4326)  # the western end of Merrill Ave

    matches = addresses_search(query="merrill avenue", limit=3, near=near)

    assert [match.label.split(",")[0].split(" ", 1)[1] for match in matches] == ["W Merrill Ave", "E Merrill Ave"]
    assert matches[0].lon < -117.385


@pytest.mark.parametrize("query", ["", "   ", "&", "--"])
def test_an_empty_query_finds_nothing(rialto_addresses: Any, query: str) -> None:
    assert addresses_search(query=query) == []


def test_another_departments_addresses_are_never_returned(rialto: Department, fontana: Department) -> None:
    connection.set_tenant(fontana)
    address_points_upsert(
        points=[
            AddressIn(number="77", street="Camino Limón", unit="", city="Fontana", postcode="", lon=-117.45, lat=34.1)
        ]
    )
    connection.set_tenant(rialto)
    _load(GRID)

    in_rialto = _labels("77 Camino Limon")
    connection.set_tenant(fontana)
    in_fontana = _labels("77 Camino Limon")

    assert not any("Limón" in label for label in in_rialto)
    assert in_fontana == ["77 Camino Limón, Fontana"]
