"""The demo registry (seed_demo): its sites stand where the department's address index says."""

from typing import Any

from django.contrib.gis.geos import Point

from accounts.models import Role
from cameras.demo import demo_registry_seed
from cameras.models import Site
from places.readers import AddressIn
from places.selectors import addresses_search
from places.services import address_points_upsert
from tests.factories import UserFactory


def test_each_demo_site_takes_the_nearest_address_of_the_index_so_an_officer_can_type_it(in_rialto: Any) -> None:
    address_points_upsert(
        points=[
            AddressIn(
                number="1456", street="Riverside Ave", unit="", city="Rialto", postcode="", lon=-117.37, lat=34.1
            ),
            AddressIn(
                number="250", street="W Foothill Blvd", unit="", city="Rialto", postcode="", lon=-117.38, lat=34.12
            ),
        ]
    )
    owner = UserFactory(role=Role.RESIDENT)
    before = set(Site.objects.values_list("pk", flat=True))

    demo_registry_seed(department=in_rialto, owners=[owner], cameras_wanted=4, seed=7)

    sites = Site.objects.exclude(pk__in=before)
    assert sites.exists()
    for site in sites:
        [match] = addresses_search(query=site.address, limit=1)
        assert site.address in match.label
        assert site.location.distance(Point(match.lon, match.lat, srid=4326)) < 1e-6


def test_the_demo_s_businesses_each_have_a_realistic_category_so_the_compliance_pages_break_them_down(
    in_rialto: Any,
) -> None:
    owner = UserFactory(role=Role.BUSINESS)

    demo_registry_seed(department=in_rialto, owners=[owner], cameras_wanted=40, seed=11)

    pairs = list(Site.objects.filter(owner=owner).values_list("business_name", "business_category"))
    assert pairs
    assert all(category for _name, category in pairs)
    assert ("Gas Station", "gas_station") in pairs or ("Corner Market", "convenience_store") in pairs
    assert len({category for _name, category in pairs}) >= 4


def test_demo_businesses_seeded_before_categories_get_theirs_once(in_rialto: Any) -> None:
    from cameras.demo import demo_categories_backfill
    from cameras.services import site_create

    owner = UserFactory(role=Role.BUSINESS)
    site = site_create(
        owner=owner,
        department=in_rialto,
        lon=-117.37,
        lat=34.1,
        kind="business",
        business_name="Taqueria",
        address="9 Demo St",
    )
    mine = Site.objects.filter(pk=site.pk)

    first = demo_categories_backfill(department=in_rialto)
    again = demo_categories_backfill(department=in_rialto)

    assert mine.get().business_category == "restaurant"
    assert (first, again) == (1, 0)
    assert mine.get().history.count() == 2
