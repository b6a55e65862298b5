"""Every compliance page, the department's and the business's, fits a 375-px phone in English and
in Spanish: no sideways page scroll, and no table cut at the edge of its box. Wide tables become a
card of labelled lines per row on a phone (table.cards, static/js/table-cards.js); the reviewer
found the dashboard's list, the site page, the requests, the ordinances, the licence imports and
the public page each cut mid-column at 375 px."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from cameras import services as camera_services
from cameras.access import Actor
from compliance import services as compliance_services
from compliance.licences import services as licence_services
from compliance.ordinances import ordinance_retire
from compliance.records import records_refresh
from tenants.models import Department, DepartmentPolicy
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import _committed
from tests.factories import (
    DEKALB_AFFIDAVIT,
    PASSWORD,
    UserFactory,
    camera_make,
    ordinance_make,
    site_make,
    totp_code,
    totp_enable,
)

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

LICENCES = (
    "License No,Business Name,Address,License Type,Issue Date,Expiration Date,Email,City,State,ZIP\n"
    "FT-1,Joe's Gas and Convenience Store of West Baseline Road,1200 W Baseline Rd,Gas station,2026-05-01,,"
    "joe@example.org,Rialto,CA,92376\n"
    "FT-2,,250 N Riverside Ave,Pet grooming and boarding,31/31/2026,0001-01-01,not-an-email,Rialto,California,2134\n"
)
# What a phone cuts: the page wider than the screen, or a box that scrolls sideways with part of
# its content out of sight (a table cut mid-column at the box's edge).
CUT = """() => ({
  page: document.documentElement.scrollWidth,
  boxes: [...document.querySelectorAll('main *')]
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && !e.closest('.leaflet-container'))
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => (e.querySelector('table') || e).id || e.className),
})"""


def _world() -> dict[str, Any]:
    """A place of worship (a kind no other test's site is, and no business category, so that no
    later test's business is asked for one) under an ordinance of its own, with a long exemption
    request, a notice, a licence import with bad rows and one waiting."""
    tag = uuid.uuid4().hex[:6]
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        policy = DepartmentPolicy.objects.get(department=department)
        ordinance = ordinance_make(
            policy,
            {**DEKALB_AFFIDAVIT, "business_categories": [], "property_kinds": ["place_of_worship"]},
            name=f"Places of assembly {tag}",
            citation="Municipal Code §5.70.200 (security cameras at places of assembly)",
            cure_days=30,
        ).ordinance
        owner = UserFactory(role=Role.BUSINESS, email=f"shop-{tag}@example.org")
        site = site_make(
            owner,
            department,
            kind="place_of_worship",
            name="Grace Community Church and Family Life Center",
            address="1095 W San Bernardino Ave",
            constructed_on=dt.date(2024, 5, 1),
        )
        camera = camera_make(owner, department, site=site)
        camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")
        compliance_services.appeal_request(
            owner=owner,
            site_public_id=site.public_id,
            ordinance_public_id=ordinance.public_id,
            kind="exemption",
            reason="Our storefront is being rebuilt until the end of next quarter; the contractor's schedule "
            "and the building permit BP-2026-000123456789 are with the planning department.",
        )
        supervisor = UserFactory(role=Role.SUPERVISOR, email=f"sup-{tag}@example.org")
        compliance_services.notice_issue(
            actor=Actor(user=supervisor, mfa=True),
            site_public_id=site.public_id,
            ordinance_public_id=ordinance.public_id,
            text="The camera at the north entrance (by the loading bay on Riverside Avenue) does not cover the door.",
        )
        records_refresh(site_ids=[site.pk])
        admin = UserFactory(role=Role.DEPT_ADMIN, email=f"admin-{tag}@example.org")
        done = licence_services.licence_import_create(
            actor=admin,
            upload=SimpleUploadedFile("rialto-business-licences-export-2026-12.csv", LICENCES.encode()),
            source="business_licence",
        )
        licence_services.licence_import_map(
            job=done,
            mapping={"number": 0, "name": 1, "address": 2, "category": 3, "issued_on": 4, "expires_on": 5, "email": 6},
            has_header=True,
            unknown_as_other=False,
        )
        licence_services.licence_import_run(job_id=done.pk)
        waiting = licence_services.licence_import_create(
            actor=admin, upload=SimpleUploadedFile("waiting.csv", LICENCES.encode()), source="business_licence"
        )
        return {
            "department": department,
            "admin": admin,
            "secret": totp_enable(admin),
            "owner": owner,
            "site": site.public_id,
            "ordinance": ordinance.public_id,
            "appeal": site.appeals.get().public_id,
            "done": done.public_id,
            "waiting": waiting.public_id,
        }


def _retire(world: dict[str, Any]) -> None:
    """The ordinance judges nobody after this test (the tests after it share the database)."""
    with tenant_context(world["department"]):
        ordinance_retire(actor=world["admin"], ordinance_public_id=world["ordinance"], repealed_on=timezone.localdate())


def _signed_in(browser: Any, server: LiveServer, user: Any, secret: str | None, locale: str) -> Any:
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale=locale)
    page = context.new_page()
    page.goto(server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", user.email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if secret:
        page.fill("[name=code]", totp_code(secret))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
    if locale == "es":
        page.select_option("select[name=language]", "es")
        page.click("form.lang button")
        page.wait_for_load_state()
    return context


def _measure(context: Any, server: LiveServer, paths: list[str], shot: Any, locale: str) -> dict[str, Any]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    found: dict[str, Any] = {}
    for path in paths:
        response = page.goto(server.url(HOST, path))
        page.wait_for_load_state("networkidle")
        shot(page, f"{path.strip('/').split('/')[-1] or 'page'}-{locale}")
        found[path] = (response.status if response else 0, page.evaluate(CUT))
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
    return found


@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_compliance_page_fits_a_phone_with_nothing_cut(
    porchlight_server: LiveServer, browser: Any, shot: Any, locale: str
) -> None:
    # given a department administrator and a business under an ordinance, with a request, a
    # notice and licence imports
    server, world = porchlight_server, _committed(_world)
    site, ordinance = world["site"], world["ordinance"]
    staff_pages = [
        "/console/compliance/",
        f"/console/compliance/sites/{site}/",
        "/console/compliance/appeals/",
        f"/console/compliance/appeals/{world['appeal']}/",
        f"/console/compliance/sites/{site}/ordinances/{ordinance}/inspect/",
        f"/console/compliance/sites/{site}/ordinances/{ordinance}/notice/",
        "/console/ordinances/",
        "/console/ordinances/new/",
        f"/console/ordinances/{ordinance}/",
        f"/console/ordinances/{ordinance}/versions/new/",
        "/console/licences/",
        f"/console/licences/imports/{world['done']}/",
        f"/console/licences/imports/{world['waiting']}/",
        "/console/licences/not-registered/",
    ]
    owner_pages = [
        "/my/obligations/",
        f"/my/sites/{site}/ordinances/{ordinance}/appeal/",
        f"/my/sites/{site}/ordinances/{ordinance}/attest/",
        "/compliance/",
    ]

    # when each page is opened on a phone
    try:
        admin = _signed_in(browser, server, world["admin"], world["secret"], locale)
        found = _measure(admin, server, staff_pages, shot, locale)
        found |= _measure(_signed_in(browser, server, world["owner"], None, locale), server, owner_pages, shot, locale)
    finally:
        _committed(lambda: _retire(world))

    # then every page answers, none is wider than the screen, and nothing is cut in a box
    assert {path: status for path, (status, _cut) in found.items() if status != 200} == {}
    assert {path: cut["page"] for path, (_status, cut) in found.items() if cut["page"] > 375} == {}
    assert {path: cut["boxes"] for path, (_status, cut) in found.items() if cut["boxes"]} == {}
