"""What a user review of "Your obligations" found: the checklist agrees with the judgement
(an inspection's findings, an exemption, a site with no camera), a business that has not said
its category is asked for it rather than judged, counts are worded in the singular or plural,
and a resolved notice says a new inspection is needed."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from cameras.access import Actor
from cameras.models import Site
from compliance import dashboard, records, services
from compliance.models import ComplianceRecord
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, RIALTO_CONDITIONS, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db

DEKALB_NAME = "DeKalb video surveillance"
RIALTO_NAME = "Rialto conditions of approval"
INSPECTED = dt.date(2026, 6, 1)


def _article(page: str, name: str) -> str:
    return next(part for part in page.split('<article class="ordinance"')[1:] if name in part).split("</article>")[0]


def _row(article: str, code: str) -> str:
    return article.split(f'data-requirement="{code}"')[0].rsplit("<li", 1)[1]


@pytest.fixture
def owner(in_rialto: Any, rialto_client: TenantClient) -> Any:
    user = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(user)
    return user


@pytest.fixture
def staff(in_rialto: Any) -> Actor:
    return Actor(user=UserFactory(role=Role.DEPT_ADMIN), mfa=True)


def _gas_station(owner: Any, in_rialto: Any) -> Site:
    return site_make(owner, in_rialto, kind="business", business_name="Review Gas", business_category="gas_station")


def test_a_business_without_a_category_is_asked_for_it_not_judged_not_compliant(
    in_rialto: Any, policy: DepartmentPolicy, owner: Any, rialto_client: TenantClient
) -> None:
    ordinance_make(policy, DEKALB_AFFIDAVIT, business_categories=["gas_station", "convenience_store"])
    site = site_make(owner, in_rialto, kind="business", business_name="Review Hardware", business_category="")

    page = rialto_client.get("/my/obligations/").content.decode()
    section = page.split(f'id="site-{site.public_id}"')[1].split("</section>")[0]

    # Scoped to DeKalb's: browser tests commit ordinances of their own into Rialto for the session.
    assert not any(DEKALB_NAME in article for article in section.split('<article class="ordinance"')[1:])
    assert (
        f"{DEKALB_NAME} covers these kinds of business: gas station, convenience store. Tell us your business category."
        in section
    )
    api = rialto_client.get(f"/api/v1/me/sites/{site.public_id}/").json()["ordinance"]
    assert [item for item in api["unmet"] if item["ordinance"] == DEKALB_NAME] == []
    assert DEKALB_NAME not in [covering["name"] for covering in api["ordinances"]]
    records.records_refresh(site_ids=[site.pk])
    assert not ComplianceRecord.objects.filter(site=site, ordinance__name=DEKALB_NAME).exists()
    assert dashboard.category_missing_count(on=timezone.localdate()) >= 1


def test_an_inspection_finding_shows_as_missing_in_the_checklist(
    in_rialto: Any, policy: DepartmentPolicy, owner: Any, staff: Actor, rialto_client: TenantClient
) -> None:
    dekalb = ordinance_make(policy, DEKALB_AFFIDAVIT).ordinance
    site = _gas_station(owner, in_rialto)
    services.inspection_record(
        actor=staff,
        site_public_id=site.public_id,
        ordinance_public_id=dekalb.public_id,
        inspected_on=INSPECTED,
        findings={"signage": False, "retention": True},
        notes="",
        photos=[],
        today=INSPECTED,
    )

    article = _article(rialto_client.get("/my/obligations/").content.decode(), DEKALB_NAME)

    assert 'class="missing"' in _row(article, "signage")


def test_an_exempt_ordinance_says_exempt_on_each_row_and_until_when(
    in_rialto: Any, policy: DepartmentPolicy, owner: Any, staff: Actor, rialto_client: TenantClient
) -> None:
    dekalb = ordinance_make(policy, DEKALB_AFFIDAVIT, min_megapixels=4, min_fps=24).ordinance
    site = _gas_station(owner, in_rialto)
    appeal = services.appeal_request(
        owner=owner, site_public_id=site.public_id, ordinance_public_id=dekalb.public_id, kind="exemption", reason="x"
    )
    until = timezone.localdate() + dt.timedelta(days=200)
    services.appeal_decide(
        actor=staff, appeal_public_id=appeal.public_id, decision="granted", reasons="ok", exempt_until=until
    )

    article = _article(rialto_client.get("/my/obligations/").content.decode(), DEKALB_NAME)

    assert 'class="met"' not in article
    assert 'class="exempt"' in _row(article, "resolution")
    assert f"Exempt until {until.isoformat()}." in article.split('class="checklist"')[0]


def test_a_site_with_no_camera_meets_no_camera_requirement(
    in_rialto: Any, policy: DepartmentPolicy, owner: Any, rialto_client: TenantClient
) -> None:
    ordinance_make(policy, RIALTO_CONDITIONS, min_megapixels=4, min_fps=24)
    site_make(owner, in_rialto, kind="business", business_name="Review Empty", constructed_on=dt.date(2024, 1, 1))

    article = _article(rialto_client.get("/my/obligations/").content.decode(), RIALTO_NAME)

    for code in ("min_cameras", "consent", "live_connection", "resolution", "frame_rate"):
        assert 'class="missing"' in _row(article, code), code
    assert "Register at least 1 active camera here (0 now)." in article


def test_the_camera_count_is_worded_in_the_singular_in_spanish(
    in_rialto: Any, policy: DepartmentPolicy, owner: Any, rialto_client: TenantClient
) -> None:
    ordinance_make(policy, RIALTO_CONDITIONS)
    site_make(owner, in_rialto, kind="business", business_name="Review Vacía", constructed_on=dt.date(2024, 1, 1))

    page = rialto_client.get("/my/obligations/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Registre aquí al menos 1 cámara activa (ahora hay 0)." in page
    assert "Al menos 1 cámara aquí debe permitir" in page


def test_after_a_notice_is_resolved_the_owner_is_told_a_new_inspection_is_needed(
    in_rialto: Any, policy: DepartmentPolicy, owner: Any, staff: Actor, rialto_client: TenantClient
) -> None:
    dekalb = ordinance_make(policy, DEKALB_AFFIDAVIT, cure_days=30).ordinance
    site = _gas_station(owner, in_rialto)
    services.inspection_record(
        actor=staff,
        site_public_id=site.public_id,
        ordinance_public_id=dekalb.public_id,
        inspected_on=INSPECTED,
        findings={"signage": False},
        notes="",
        photos=[],
        today=INSPECTED,
    )
    notice = services.notice_issue(
        actor=staff, site_public_id=site.public_id, ordinance_public_id=dekalb.public_id, text="Put up a sign."
    )
    services.notice_resolve(actor=staff, notice_id=notice.pk, resolution="Sign up.")

    article = _article(rialto_client.get("/my/obligations/").content.decode(), DEKALB_NAME)

    assert "found this not met: signs. A new inspection must find it met." in article
