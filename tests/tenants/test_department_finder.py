"""The public page's department finder: by name, by a point, and by address through the seam."""

from collections.abc import Iterator

import pytest
from django.contrib.gis.geos import Point

from places.readers import AddressIn
from places.services import address_points_upsert
from tenants import finder
from tenants.models import Department
from tests.conftest import TenantClient

INSIDE_RIALTO = {"lat": "34.1000", "lon": "-117.3800"}
INSIDE_FONTANA = {"lat": "34.1000", "lon": "-117.4700"}


@pytest.fixture
def geocoder() -> Iterator[dict[str, list[Point]]]:
    """A stand-in address index (places/ registers the real one): text -> points."""
    known: dict[str, list[Point]] = {}
    registered = finder._geocoder
    finder.address_geocoder_set(lambda text: known.get(text, []))
    yield known
    finder.address_geocoder_set(registered)


def _results(page: str) -> str:
    return page.split('class="cards finder-results"')[1].split("</ul>")[0]


@pytest.mark.parametrize("query", ["rialto", "RIALTO police", "Rialto Police Department", "rialtó"])
def test_a_department_is_found_by_its_name_with_a_link_to_its_portal(public_client: TenantClient, query: str) -> None:
    response = public_client.get("/", {"q": query})

    results = _results(response.content.decode())
    assert response.status_code == 200
    assert '<a href="http://rialto.localhost:8000/"><strong>Rialto Police Department</strong></a>' in results
    assert "Fontana" not in results


def test_a_name_that_matches_nothing_says_so(public_client: TenantClient) -> None:
    results = _results(public_client.get("/", {"q": "Gotham"}).content.decode())

    assert "No department matches" in results


@pytest.mark.parametrize(("point", "name"), [(INSIDE_RIALTO, "Rialto"), (INSIDE_FONTANA, "Fontana")])
def test_a_point_finds_the_department_whose_area_contains_it(
    public_client: TenantClient, point: dict[str, str], name: str
) -> None:
    results = _results(public_client.get("/", point).content.decode())

    assert f"{name} Police Department" in results
    assert "Its area includes the place you gave." in results
    assert results.count("<li>") == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [({"lat": "91", "lon": "0"}, "lat"), ({"lat": "34.1"}, "lon"), ({"lon": "abc", "lat": "1"}, "lon")],
)
def test_bad_coordinates_are_a_400_naming_the_field(
    public_client: TenantClient, params: dict[str, str], field: str
) -> None:
    response = public_client.get("/", params)

    assert response.status_code == 400
    assert f'class="field has-error" id="field-{field}"' in response.content.decode()


def test_an_address_is_found_through_the_registered_geocoder(
    public_client: TenantClient, geocoder: dict[str, list[Point]]
) -> None:
    geocoder["1200 W Baseline Rd"] = [Point(-117.38, 34.10, srid=4326)]

    page = public_client.get("/", {"q": "1200 W Baseline Rd"}).content.decode()

    assert "Rialto Police Department" in _results(page)
    assert "Department, town or address" in page


def test_the_finder_shows_nothing_private_of_a_department(public_client: TenantClient) -> None:
    results = _results(public_client.get("/", {"q": "police"}).content.decode())

    assert "Rialto Police Department" in results
    assert "Fontana Police Department" in results
    for private in ("first-admin@", "example.org", "POLYGON", "rialto_", "schema"):
        assert private not in results


def test_the_finder_form_has_labels_and_is_a_search_landmark(public_client: TenantClient) -> None:
    page = public_client.get("/").content.decode()

    assert 'role="search"' in page
    for name in ("q", "lat", "lon"):
        assert f'<label for="id_{name}">' in page


def test_the_finder_is_in_spanish(public_client: TenantClient) -> None:
    page = public_client.get("/", {"q": "rialto"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Encuentre su departamento" in page
    assert "1 departamento encontrado" in page


def test_an_address_in_a_departments_own_index_finds_that_department(
    public_client: TenantClient, in_rialto: Department
) -> None:
    address_points_upsert(
        points=[
            AddressIn(
                number="1200", street="W Baseline Rd", unit="", city="Rialto", postcode="92376", lon=-117.38, lat=34.1
            )
        ]
    )

    results = _results(public_client.get("/", {"q": "1200 west baseline road"}).content.decode())

    assert "Rialto Police Department" in results
    assert "Its area includes the place you gave." in results
    assert "Fontana" not in results
