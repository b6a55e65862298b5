"""The department's public compliance page: covered sites and compliance rates by area and
category, small counts suppressed as on the transparency page, and no business named unless the
policy makes the list public."""

from typing import Any

import pytest

from accounts.models import Role
from audit.figures import cells_derivable
from compliance import records
from tenants.models import Department, DepartmentPolicy
from tenants.services import policy_update
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db

DEKALB = {**DEKALB_AFFIDAVIT, "name": "Public page test ordinance"}


def _stations(department: Department, n: int) -> None:
    sites = [
        site_make(
            UserFactory(role=Role.BUSINESS),
            department,
            kind="business",
            business_category="gas_station",
            business_name=f"Publicly Named Fuel {i}",
            lon=-117.40,
            lat=34.12,
        )
        for i in range(n)
    ]
    records.records_refresh(site_ids=[s.pk for s in sites])


def test_small_counts_are_suppressed_and_their_rate_withheld(
    in_rialto: Department, policy: DepartmentPolicy, rialto_client: TenantClient
) -> None:
    ordinance_make(policy, DEKALB)
    _stations(in_rialto, 3)

    data = rialto_client.get("/compliance.json").json()

    gas = next(row for row in data["by_business_category"] if row["name"] == "Gas station")
    assert gas["covered_sites"] == "<5"
    assert gas["compliance_rate_percent"] is None
    assert data["covered_sites"] == "<5"


def test_counts_at_the_threshold_are_published_with_their_rate(
    in_rialto: Department, policy: DepartmentPolicy, rialto_client: TenantClient
) -> None:
    policy_update(department=in_rialto, actor=None, public_cell_threshold=1)
    ordinance_make(policy, DEKALB)
    _stations(in_rialto, 3)

    data = rialto_client.get("/compliance.json").json()

    gas = next(row for row in data["by_business_category"] if row["name"] == "Gas station")
    assert (gas["covered_sites"], gas["compliant_sites"], gas["compliance_rate_percent"]) == (3, 0, 0.0)
    assert data["by_police_area"][0]["covered_sites"] == 3


def test_no_business_is_named_unless_the_policy_makes_the_list_public(
    in_rialto: Department, policy: DepartmentPolicy, rialto_client: TenantClient
) -> None:
    ordinance_make(policy, DEKALB)
    _stations(in_rialto, 2)

    hidden = rialto_client.get("/compliance/")
    policy_update(department=in_rialto, actor=None, compliance_list_public=True)
    shown = rialto_client.get("/compliance/")

    assert hidden.status_code == 200
    assert "Publicly Named Fuel" not in hidden.content.decode()
    assert "Publicly Named Fuel 0" in shown.content.decode()
    assert "Not compliant" in shown.content.decode()


def test_the_page_shows_only_the_departments_own_sites(
    in_rialto: Department, fontana: Department, policy: DepartmentPolicy, fontana_client: TenantClient
) -> None:
    policy_update(department=fontana, actor=None, compliance_list_public=True)
    ordinance_make(policy, DEKALB)
    _stations(in_rialto, 2)

    response = fontana_client.get("/compliance/")

    assert response.status_code == 200
    assert "Publicly Named Fuel" not in response.content.decode()


def test_the_page_says_plainly_how_small_counts_show_and_that_exempt_sites_count_as_compliant(
    in_rialto: Department, policy: DepartmentPolicy, rialto_client: TenantClient
) -> None:
    ordinance_make(policy, DEKALB)

    english = rialto_client.get("/compliance/").content.decode()
    spanish = rialto_client.get("/compliance/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    data = rialto_client.get("/compliance.json").json()

    assert "Counts from 1 to 4 are shown as “&lt;5”" in english
    assert "minus one" not in english
    assert "Exempt sites count as compliant" in english
    assert "Los recuentos de 1 a 4 aparecen como “&lt;5”" in spanish
    assert "menos uno" not in spanish
    assert data["suppression"]["rule"].startswith("counts from 1 to 4 are published as <5; where a hidden count")
    assert data["compliant_includes_exempt"] is True


@pytest.mark.parametrize("path", ["/", "/transparency/"])
def test_the_home_and_transparency_pages_link_the_public_compliance_pages(
    in_rialto: Department, rialto_client: TenantClient, path: str
) -> None:
    page = rialto_client.get(path).content.decode()

    assert 'href="/compliance/"' in page
    assert 'href="/certificates/check/"' in page


def _derivable(data: dict[str, Any]) -> set[Any]:
    """The hidden cells of the published page that a reader can work out exactly from its
    published cells and totals (the areas' and the categories' rows each add up to the totals)."""
    values: dict[Any, Any] = {("covered",): data["covered_sites"], ("compliant",): data["compliant_sites"]}
    sums = []
    for table in ("by_police_area", "by_business_category"):
        for kind in ("covered", "compliant"):
            for row in data[table]:
                values[(table, row["name"], kind)] = row[f"{kind}_sites"]
            sums.append(([(kind,)], [(table, row["name"], kind) for row in data[table]]))
    hidden = [key for key, value in values.items() if isinstance(value, str)]
    return cells_derivable(hidden, sums)


def test_a_lone_small_category_beside_a_published_total_is_not_given_away(
    in_rialto: Department, policy: DepartmentPolicy, rialto_client: TenantClient
) -> None:
    """The security review's case: 33 covered sites, areas of 9, 14 and 9 published, the fourth
    hidden: 33 - 9 - 14 - 9 = 1. Here: 9 gas stations and 1 convenience store."""
    ordinance_make(policy, DEKALB, business_categories=["gas_station", "convenience_store"])
    _stations(in_rialto, 9)
    store = site_make(
        UserFactory(role=Role.BUSINESS),
        in_rialto,
        kind="business",
        business_category="convenience_store",
        business_name="Corner Store",
        lon=-117.40,
        lat=34.12,
    )
    records.records_refresh(site_ids=[store.pk])

    data = rialto_client.get("/compliance.json").json()

    rows = {row["name"]: row for row in data["by_business_category"]}
    assert rows["Convenience store"]["covered_sites"] == "<5"
    assert _derivable(data) == set()
    assert all(
        row["compliance_rate_percent"] is None
        for row in data["by_business_category"]
        if isinstance(row["covered_sites"], str) or isinstance(row["compliant_sites"], str)
    )
