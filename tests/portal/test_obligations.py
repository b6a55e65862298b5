"""A business's obligations under the department's ordinances: the page, the attestation and
the exemption/appeal request, in English and Spanish; another owner's site is 404."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from cameras import services as camera_services
from cameras.models import Site
from compliance.models import Appeal, Attestation
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import (
    DEKALB_AFFIDAVIT,
    RIALTO_CONDITIONS,
    UserFactory,
    bridge_online_make,
    camera_make,
    ordinance_make,
    site_make,
)

pytestmark = pytest.mark.django_db


def _article(page: str, name: str) -> str:
    """The part of the obligations page about the ordinance ``name`` (browser tests commit
    ordinances of their own to the same database, which may cover these sites too)."""
    return next(part for part in page.split('<article class="ordinance"')[1:] if name in part).split("</article>")[0]


@pytest.fixture
def business(in_rialto: Any, policy: DepartmentPolicy, rialto_client: TenantClient) -> tuple[Any, Site, Any]:
    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(
        owner,
        in_rialto,
        kind="business",
        business_name="Palm Gas",
        constructed_on=dt.date(2024, 5, 1),
        business_category="gas_station",
    )
    camera = camera_make(owner, in_rialto, site=site)
    camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
    rialto_client.force_login(owner)
    return owner, site, camera


def test_the_obligations_page_says_what_is_missing_and_why_the_ordinance_applies(
    policy: DepartmentPolicy, business: tuple[Any, Site, Any], rialto_client: TenantClient
) -> None:
    ordinance_make(policy, RIALTO_CONDITIONS)

    page = _article(rialto_client.get("/my/obligations/").content.decode(), "Rialto conditions of approval")

    assert "It covers properties built or remodelled on or after 2020-01-01." in page
    assert "Not compliant" in page
    assert "Connect a bridge to at least 1 of these cameras" in page
    assert 'href="https://example.org/rialto-conditions"' in page
    assert 'data-requirement="live_connection"' in page


def test_connecting_a_bridge_turns_the_checklist_to_met(
    in_rialto: Any, policy: DepartmentPolicy, business: tuple[Any, Site, Any], rialto_client: TenantClient
) -> None:
    ordinance_make(policy, RIALTO_CONDITIONS)
    owner, site, camera = business

    bridge_online_make(owner, site, [camera], schema=in_rialto.schema_name)
    page = _article(rialto_client.get("/my/obligations/").content.decode(), "Rialto conditions of approval")

    assert 'class="missing"' not in page
    assert 'data-status="compliant"' in page


def test_the_obligations_page_speaks_spanish(
    policy: DepartmentPolicy, business: tuple[Any, Site, Any], rialto_client: TenantClient
) -> None:
    ordinance_make(policy, RIALTO_CONDITIONS)

    page = rialto_client.get("/my/obligations/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Sus obligaciones" in page
    assert "Conecte un puente" in page


def test_filing_the_attestation_stores_it_with_the_ip_and_the_text_hash(
    policy: DepartmentPolicy, business: tuple[Any, Site, Any], rialto_client: TenantClient
) -> None:
    version = ordinance_make(policy, DEKALB_AFFIDAVIT)
    _owner, site, _camera = business
    url = f"/my/sites/{site.public_id}/ordinances/{version.ordinance.public_id}/attest/"
    form = rialto_client.get(url).content.decode()

    response = rialto_client.post(
        url,
        {"confirmed": ["night_vision", "retention", "signage"], "signed_name": "Ana Ruiz"},
        REMOTE_ADDR="198.51.100.7",
    )

    attestation = Attestation.objects.get(site=site)
    assert "The recorder keeps footage at least 60 days." in form
    assert response.status_code == 302
    assert (attestation.signed_name, attestation.ip_address) == ("Ana Ruiz", "198.51.100.7")
    assert len(attestation.text_sha256) == 64
    assert 'data-status="compliant"' in _article(rialto_client.get("/my/obligations/").content.decode(), "DeKalb")


def test_an_attestation_without_every_confirmation_is_refused_on_its_field(
    policy: DepartmentPolicy, business: tuple[Any, Site, Any], rialto_client: TenantClient
) -> None:
    version = ordinance_make(policy, DEKALB_AFFIDAVIT)
    _owner, site, _camera = business
    url = f"/my/sites/{site.public_id}/ordinances/{version.ordinance.public_id}/attest/"

    response = rialto_client.post(url, {"confirmed": ["signage"], "signed_name": ""})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Confirm every statement" in page
    assert "Type your full name to sign." in page
    assert not Attestation.objects.filter(site=site).exists()


@pytest.mark.parametrize("what", ["attest", "appeal"])
def test_another_owners_site_is_404_and_nothing_is_written(
    policy: DepartmentPolicy, business: tuple[Any, Site, Any], rialto_client: TenantClient, what: str
) -> None:
    version = ordinance_make(policy, DEKALB_AFFIDAVIT)
    _owner, site, _camera = business
    rialto_client.force_login(UserFactory(role=Role.BUSINESS))
    url = f"/my/sites/{site.public_id}/ordinances/{version.ordinance.public_id}/{what}/"
    data = {"confirmed": ["night_vision", "retention", "signage"], "signed_name": "M", "kind": "appeal", "reason": "x"}

    got, posted = rialto_client.get(url), rialto_client.post(url, data)

    assert (got.status_code, posted.status_code) == (404, 404)
    assert not Attestation.objects.filter(site=site).exists()
    assert not Appeal.objects.filter(site=site).exists()


def test_an_exemption_request_is_shown_waiting_for_the_decision(
    policy: DepartmentPolicy, business: tuple[Any, Site, Any], rialto_client: TenantClient
) -> None:
    version = ordinance_make(policy, RIALTO_CONDITIONS)
    _owner, site, _camera = business
    url = f"/my/sites/{site.public_id}/ordinances/{version.ordinance.public_id}/appeal/"

    empty = rialto_client.post(url, {"kind": "exemption", "reason": "  "})
    response = rialto_client.post(url, {"kind": "exemption", "reason": "Our bridge is on order."})
    page = rialto_client.get("/my/obligations/").content.decode()

    assert 'data-status="under_appeal"' in _article(page, "Rialto conditions of approval")
    assert empty.status_code == 400
    assert "Say why" in empty.content.decode()
    assert response.status_code == 302
    assert "Waiting for the department" in page


def test_the_site_form_asks_a_business_for_the_facts_ordinances_need(
    policy: DepartmentPolicy, business: tuple[Any, Site, Any], rialto_client: TenantClient
) -> None:
    ordinance_make(policy, DEKALB_AFFIDAVIT)
    _owner, site, _camera = business

    form = rialto_client.get(f"/my/sites/{site.public_id}/").content.decode()

    assert 'name="business_category"' in form
    assert 'name="licence_renews_on"' in form


def test_the_obligations_page_takes_as_many_queries_for_three_properties_as_for_one(
    in_rialto: Any, policy: DepartmentPolicy, business: tuple[Any, Site, Any], rialto_client: TenantClient
) -> None:
    ordinance_make(policy, RIALTO_CONDITIONS)
    ordinance_make(policy, DEKALB_AFFIDAVIT)
    owner, _site, _camera = business
    with CaptureQueriesContext(connection) as one:
        rialto_client.get("/my/obligations/")
    for _ in range(2):
        more = site_make(owner, in_rialto, kind="business", constructed_on=dt.date(2025, 1, 1))
        camera_make(owner, in_rialto, site=more)

    with CaptureQueriesContext(connection) as three:
        page = rialto_client.get("/my/obligations/").content.decode()

    assert page.count('class="site obligations"') == 3
    assert len(three) == len(one)


def test_the_menu_leads_a_business_to_its_obligations_and_not_a_resident(
    business: tuple[Any, Site, Any], in_rialto: Any, rialto_client: TenantClient
) -> None:
    """Decided by the account's role, as the menu's other links are: no query on every page."""
    as_business = rialto_client.get("/my/").content.decode()
    rialto_client.force_login(UserFactory(role=Role.RESIDENT))
    as_resident = rialto_client.get("/my/").content.decode()

    assert 'href="/my/obligations/">Your obligations</a>' in as_business
    assert 'href="/my/obligations/"' not in as_resident
