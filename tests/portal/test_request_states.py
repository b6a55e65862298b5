"""A pending request is shown as what it is: an exemption request as requested and under review,
an appeal as under review; never an exemption request as "Under appeal"."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from cameras import services as camera_services
from cameras.models import Site
from compliance import selectors, services
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import RIALTO_CONDITIONS, UserFactory, camera_make, ordinance_make, site_make

pytestmark = pytest.mark.django_db
NAME = RIALTO_CONDITIONS["name"]


def _article(page: str, name: str) -> str:
    return next(part for part in page.split('<article class="ordinance"')[1:] if name in part).split("</article>")[0]


@pytest.fixture
def gas(in_rialto: Any, policy: DepartmentPolicy, rialto_client: TenantClient) -> Site:
    """A gas station with live consent and no bridge: not compliant with Rialto's conditions."""
    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(owner, in_rialto, kind="business", business_name="Palm Gas", constructed_on=dt.date(2024, 5, 1))
    camera = camera_make(owner, in_rialto, site=site)
    camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
    rialto_client.force_login(owner)
    return site


def _ask(site: Site, ordinance: Any, kind: str) -> None:
    services.appeal_request(
        owner=site.owner, site_public_id=site.public_id, ordinance_public_id=ordinance.public_id, kind=kind, reason="x"
    )


@pytest.mark.parametrize(
    ("kinds", "label"),
    [
        (["exemption"], "Exemption requested: under review"),
        (["appeal"], "Appeal under review"),
    ],
)
def test_the_obligations_page_names_the_pending_request(
    gas: Site, policy: DepartmentPolicy, rialto_client: TenantClient, kinds: list[str], label: str
) -> None:
    ordinance = ordinance_make(policy, RIALTO_CONDITIONS).ordinance
    for kind in kinds:
        _ask(gas, ordinance, kind)

    article = _article(rialto_client.get("/my/obligations/").content.decode(), NAME)

    assert f"<strong>{label}</strong>" in article
    assert "Under appeal" not in article


def test_the_site_as_a_whole_and_in_spanish_says_exemption_requested(
    gas: Site, policy: DepartmentPolicy, in_rialto: Any, rialto_client: TenantClient
) -> None:
    ordinance_make(policy, RIALTO_CONDITIONS)
    # every ordinance covering the site (browser tests commit others into Rialto for the session)
    covering = selectors.site_compliance(site=gas, policy=policy, schema=in_rialto.schema_name, now=timezone.now())
    for result in covering.covering:
        assert result.version is not None
        _ask(gas, result.version.ordinance, "exemption")

    compliance = selectors.site_compliance(site=gas, policy=policy, schema=in_rialto.schema_name, now=timezone.now())
    label = compliance.status_label
    article = _article(rialto_client.get("/my/obligations/", HTTP_ACCEPT_LANGUAGE="es").content.decode(), NAME)

    assert label == "Exemption requested: under review"
    assert "<strong>Exención solicitada: en revisión</strong>" in article


def test_the_dashboard_s_status_says_exemption_or_appeal_under_review() -> None:
    from compliance.rules import Status

    assert selectors.status_label(Status.UNDER_APPEAL) == "Exemption or appeal under review"
