"""The department's compliance pages: a covered site's record, recording an inspection with
photos, issuing and resolving a notice, deciding a request and downloading the owner's files.
Department administrators and supervisors only (others refused and logged); another
department's ids are 404; bad input is answered on its field with nothing stored."""

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_tenants.utils import tenant_context
from PIL import Image

from accounts.models import Role, User
from audit.models import AccessEvent, Action
from cameras.models import Site
from compliance import services
from compliance.models import Appeal, AppealDecision, Inspection, Notice
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png(name: str = "door.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def logged_in_staff(logged_in_staff: Any) -> Any:
    """Supervisors act on compliance only with the duty (accounts.models.User.compliance_duty):
    the supervisors of these tests are given it, unless a test asks for one without."""

    def _login(role: str = Role.OFFICER, client: Any = None, *, duty: bool = True) -> tuple[Any, User]:
        client, user = logged_in_staff(role, client)
        if role == Role.SUPERVISOR and duty:
            User.objects.filter(pk=user.pk).update(compliance_duty=True)
            user.refresh_from_db()
        return client, user

    return _login


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """A request in Spanish leaves Spanish active on this thread (LocaleMiddleware does not
    reset it): put the default back so that later tests read English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def gas_station(in_rialto: Any) -> Site:
    return site_make(
        UserFactory(role=Role.BUSINESS),
        in_rialto,
        kind="business",
        business_name="Console Gas",
        business_category="gas_station",
    )


@pytest.fixture
def dekalb(policy: DepartmentPolicy) -> Any:
    return ordinance_make(policy, DEKALB_AFFIDAVIT, name="Console ordinance", cure_days=60).ordinance


@pytest.fixture
def appeal(gas_station: Site, dekalb: Any) -> Appeal:
    return services.appeal_request(
        owner=gas_station.owner,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        kind="appeal",
        reason="The sign is there; see the photo.",
        attachments=[SimpleUploadedFile("permit.pdf", PDF)],
    )


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.DEPT_ADMIN])
def test_supervisors_and_administrators_record_an_inspection_with_photos(
    logged_in_staff: Any, gas_station: Site, dekalb: Any, role: str
) -> None:
    client, _user = logged_in_staff(role)
    url = f"/console/compliance/sites/{gas_station.public_id}/ordinances/{dekalb.public_id}/inspect/"

    form = client.get(url)
    response = client.post(
        url,
        {
            "inspected_on": "2026-12-01",
            "finding_signage": "not_met",
            "finding_retention": "met",
            "finding_min_cameras": "",
            "notes": "No sign.",
            "photos": [png("a.png"), png("b.png")],
        },
    )

    inspection = Inspection.objects.get(site=gas_station)
    assert form.status_code == 200
    assert 'name="finding_signage"' in form.content.decode()
    assert response.status_code == 302
    assert inspection.findings == {"retention": True, "signage": False}
    assert inspection.photos.count() == 2
    assert "Not met" in client.get(f"/console/compliance/sites/{gas_station.public_id}/").content.decode()


def test_a_photo_that_is_not_an_image_is_refused_naming_it_and_nothing_is_stored(
    logged_in_staff: Any, gas_station: Site, dekalb: Any, media: Path
) -> None:
    client, _user = logged_in_staff(Role.SUPERVISOR)
    url = f"/console/compliance/sites/{gas_station.public_id}/ordinances/{dekalb.public_id}/inspect/"

    response = client.post(
        url,
        {
            "inspected_on": "2026-12-01",
            "finding_signage": "met",
            "photos": [png("ok.png"), SimpleUploadedFile("evil.png", b"<?php echo 1; ?>")],
        },
    )

    assert response.status_code == 400
    assert "evil.png is not a JPEG or PNG photo." in response.content.decode()
    assert not Inspection.objects.filter(site=gas_station).exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_a_notice_with_a_cure_date_in_the_past_is_refused_on_the_field(
    logged_in_staff: Any, gas_station: Site, dekalb: Any
) -> None:
    client, _user = logged_in_staff(Role.DEPT_ADMIN)
    url = f"/console/compliance/sites/{gas_station.public_id}/ordinances/{dekalb.public_id}/notice/"

    response = client.post(url, {"text": "Put up the sign.", "cure_by": "2020-01-01"})

    assert response.status_code == 400
    assert "The cure date is in the past." in response.content.decode()
    assert not Notice.objects.filter(site=gas_station).exists()


def test_a_notice_is_issued_then_resolved_from_the_sites_page(
    logged_in_staff: Any, gas_station: Site, dekalb: Any
) -> None:
    client, _user = logged_in_staff(Role.SUPERVISOR)
    url = f"/console/compliance/sites/{gas_station.public_id}/ordinances/{dekalb.public_id}/notice/"

    issued = client.post(url, {"text": "Put up the sign.", "cure_by": ""})
    notice = Notice.objects.get(site=gas_station)
    resolved = client.post(f"/console/compliance/notices/{notice.pk}/resolve/", {"resolution": "Seen."})
    again = client.post(f"/console/compliance/notices/{notice.pk}/resolve/", {"resolution": "Twice."}, follow=True)

    notice.refresh_from_db()
    assert (issued.status_code, resolved.status_code) == (302, 302)
    assert notice.cure_by == services.local_today() + dt.timedelta(days=60)
    assert notice.resolution == "Seen."
    assert "already resolved" in again.content.decode()


def test_a_too_long_resolution_is_shown_again_with_its_error_and_the_notice_stays_open(
    logged_in_staff: Any, gas_station: Site, dekalb: Any
) -> None:
    client, _user = logged_in_staff(Role.SUPERVISOR)
    client.post(
        f"/console/compliance/sites/{gas_station.public_id}/ordinances/{dekalb.public_id}/notice/",
        {"text": "Put up the sign.", "cure_by": ""},
    )
    notice = Notice.objects.get(site=gas_station)

    response = client.post(f"/console/compliance/notices/{notice.pk}/resolve/", {"resolution": "Sign up. " * 600})

    notice.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 400
    assert "at most 4000 characters" in page
    assert "Sign up. Sign up." in page
    assert (notice.resolved_on, notice.resolution) == (None, "")
    assert not AccessEvent.objects.filter(action=Action.NOTICE_RESOLVE).exists()


def test_an_appeal_is_decided_once_and_its_file_downloaded_with_an_audit_event(
    logged_in_staff: Any, appeal: Appeal
) -> None:
    client, _user = logged_in_staff(Role.SUPERVISOR)
    attachment = appeal.attachments.get()
    url = f"/console/compliance/appeals/{appeal.public_id}/"

    listed = client.get("/console/compliance/appeals/").content.decode()
    page = client.get(url).content.decode()
    download = client.get(f"{url}files/{attachment.public_id}/")
    decided = client.post(url, {"decision": "denied", "reasons": "No sign on 1 Dec."})
    again = client.post(url, {"decision": "granted", "reasons": "Changed my mind."})

    appeal.refresh_from_db()
    assert str(appeal.public_id) in listed
    assert "permit.pdf" in page
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert AccessEvent.objects.filter(action=Action.APPEAL_ATTACHMENT_VIEW).exists()
    assert decided.status_code == 302
    assert again.status_code == 400
    assert "already decided" in again.content.decode()
    assert appeal.decision == AppealDecision.DENIED


def test_a_file_named_under_another_appeal_is_404(
    logged_in_staff: Any, appeal: Appeal, gas_station: Site, policy: DepartmentPolicy
) -> None:
    other_ordinance = ordinance_make(policy, DEKALB_AFFIDAVIT, name="Another console ordinance").ordinance
    other = services.appeal_request(
        owner=gas_station.owner,
        site_public_id=gas_station.public_id,
        ordinance_public_id=other_ordinance.public_id,
        kind="exemption",
        reason="x",
    )
    client, _user = logged_in_staff(Role.SUPERVISOR)
    attachment = appeal.attachments.get()

    response = client.get(f"/console/compliance/appeals/{other.public_id}/files/{attachment.public_id}/")

    assert response.status_code == 404
    assert not AccessEvent.objects.filter(action=Action.APPEAL_ATTACHMENT_VIEW).exists()


@pytest.mark.parametrize(("role", "duty"), [(Role.OFFICER, False), (Role.OVERSIGHT, False), (Role.SUPERVISOR, False)])
def test_other_staff_are_refused_and_the_refusal_is_logged(
    logged_in_staff: Any, appeal: Appeal, gas_station: Site, role: str, duty: bool
) -> None:
    client, user = logged_in_staff(role, duty=duty)

    responses = [
        client.get(f"/console/compliance/sites/{gas_station.public_id}/").status_code,
        client.get("/console/compliance/appeals/").status_code,
        client.post(
            f"/console/compliance/appeals/{appeal.public_id}/", {"decision": "granted", "reasons": "x"}
        ).status_code,
    ]

    appeal.refresh_from_db()
    assert responses == [404, 404, 404]
    assert appeal.decision == AppealDecision.PENDING
    assert AccessEvent.objects.filter(action=Action.CONSOLE_DENIED, actor_id=user.pk).count() == 3


def test_an_owner_is_refused_the_staff_pages(rialto_client: TenantClient, appeal: Appeal, gas_station: Site) -> None:
    rialto_client.force_login(gas_station.owner)

    response = rialto_client.get(f"/console/compliance/appeals/{appeal.public_id}/")

    assert response.status_code == 404


def test_another_departments_site_and_appeal_are_404(
    logged_in_staff: Any, dekalb: Any, fontana: Any, rialto_client: TenantClient
) -> None:
    with tenant_context(fontana):
        theirs = site_make(
            UserFactory(role=Role.BUSINESS), fontana, kind="business", business_category="gas_station", lon=-117.47
        )
    client, _user = logged_in_staff(Role.SUPERVISOR)

    site_page = client.get(f"/console/compliance/sites/{theirs.public_id}/")
    notice = client.post(
        f"/console/compliance/sites/{theirs.public_id}/ordinances/{dekalb.public_id}/notice/", {"text": "x"}
    )

    assert (site_page.status_code, notice.status_code) == (404, 404)
    assert not Notice.objects.exists()


def test_an_ordinance_that_does_not_cover_the_site_is_404(logged_in_staff: Any, dekalb: Any, in_rialto: Any) -> None:
    bar = site_make(UserFactory(role=Role.BUSINESS), in_rialto, kind="business", business_category="bar")
    client, _user = logged_in_staff(Role.SUPERVISOR)

    response = client.get(f"/console/compliance/sites/{bar.public_id}/ordinances/{dekalb.public_id}/inspect/")

    assert response.status_code == 404


def test_the_staff_pages_speak_spanish(logged_in_staff: Any, gas_station: Site, dekalb: Any) -> None:
    client, _user = logged_in_staff(Role.SUPERVISOR)
    url = f"/console/compliance/sites/{gas_station.public_id}/ordinances/{dekalb.public_id}/notice/"

    site_page = client.get(f"/console/compliance/sites/{gas_station.public_id}/", HTTP_ACCEPT_LANGUAGE="es")
    refused = client.post(url, {"text": "x", "cure_by": "2020-01-01"}, HTTP_ACCEPT_LANGUAGE="es")

    assert "Registrar una inspección" in site_page.content.decode()
    assert "La fecha límite de corrección ya pasó." in refused.content.decode()


def test_a_supervisor_without_mfa_is_turned_away_and_logged(
    make_staff: Any, rialto_client: TenantClient, gas_station: Site
) -> None:
    user = UserFactory(role=Role.SUPERVISOR)
    rialto_client.force_login(user)

    response = rialto_client.get(f"/console/compliance/sites/{gas_station.public_id}/")

    assert response.status_code in (302, 403)
    assert AccessEvent.objects.filter(action=Action.CONSOLE_DENIED, actor_id=user.pk).exists()


def _inspected(client: Any, site: Site, ordinance: Any) -> Inspection:
    client.post(
        f"/console/compliance/sites/{site.public_id}/ordinances/{ordinance.public_id}/inspect/",
        {"inspected_on": "2026-12-01", "finding_signage": "not_met", "notes": "", "photos": [png("a.png")]},
    )
    return Inspection.objects.get(site=site)


def test_the_site_page_names_unmet_findings_in_words_and_opens_each_photo(
    logged_in_staff: Any, gas_station: Site, dekalb: Any
) -> None:
    client, _user = logged_in_staff(Role.SUPERVISOR)
    photo = _inspected(client, gas_station, dekalb).photos.get()

    page = client.get(f"/console/compliance/sites/{gas_station.public_id}/").content.decode()
    url = f"/console/compliance/sites/{gas_station.public_id}/photos/{photo.pk}/"
    response = client.get(url)

    assert "<td>Signs</td>" in page
    assert f'href="{url}"' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_opening_an_inspection_photo_is_logged_before_it_is_sent(
    logged_in_staff: Any, gas_station: Site, dekalb: Any
) -> None:
    client, user = logged_in_staff(Role.SUPERVISOR)
    inspection = _inspected(client, gas_station, dekalb)
    photo = inspection.photos.get()

    response = client.get(f"/console/compliance/sites/{gas_station.public_id}/photos/{photo.pk}/")

    assert response.status_code == 200
    viewed = AccessEvent.objects.filter(action=Action.INSPECTION_PHOTO_VIEW).order_by("-seq").first()
    assert viewed is not None
    assert (viewed.outcome, viewed.actor_id, viewed.owner_refs) == ("allowed", user.pk, [gas_station.owner_id])
    assert viewed.targets == [f"site:{gas_station.public_id}", f"inspection:{inspection.pk}"]
    assert viewed.details == {"photo": photo.pk, "sha256": photo.sha256}


def test_a_photo_under_another_site_or_unknown_or_of_another_department_is_404(
    logged_in_staff: Any, gas_station: Site, dekalb: Any, fontana: Any, in_rialto: Any
) -> None:
    client, _user = logged_in_staff(Role.SUPERVISOR)
    photo = _inspected(client, gas_station, dekalb).photos.get()
    other = site_make(UserFactory(role=Role.BUSINESS), in_rialto, kind="business", business_category="gas_station")
    with tenant_context(fontana):
        theirs = site_make(
            UserFactory(role=Role.BUSINESS), fontana, kind="business", business_category="gas_station", lon=-117.47
        )

    under_other = client.get(f"/console/compliance/sites/{other.public_id}/photos/{photo.pk}/")
    unknown = client.get(f"/console/compliance/sites/{gas_station.public_id}/photos/{photo.pk + 1000}/")
    theirs_page = client.get(f"/console/compliance/sites/{theirs.public_id}/photos/{photo.pk}/")

    assert (under_other.status_code, unknown.status_code, theirs_page.status_code) == (404, 404, 404)
    assert not AccessEvent.objects.filter(action=Action.INSPECTION_PHOTO_VIEW).exists()


def test_an_appeal_is_decided_without_an_end_date_and_its_address_tells_same_named_sites_apart(
    logged_in_staff: Any, appeal: Appeal
) -> None:
    client, _user = logged_in_staff(Role.SUPERVISOR)

    listed = client.get("/console/compliance/appeals/").content.decode()
    page = client.get(f"/console/compliance/appeals/{appeal.public_id}/").content.decode()

    assert appeal.site.address in listed
    assert appeal.site.address in page
    assert 'name="exempt_until"' not in page
    assert "sets aside the inspection findings" in page


def test_an_end_date_posted_for_an_appeal_is_refused_where_the_page_shows_it(
    logged_in_staff: Any, appeal: Appeal
) -> None:
    client, _user = logged_in_staff(Role.SUPERVISOR)

    response = client.post(
        f"/console/compliance/appeals/{appeal.public_id}/",
        {"decision": "granted", "reasons": "Seen.", "exempt_until": "2027-01-31"},
    )

    appeal.refresh_from_db()
    assert response.status_code == 400
    assert "An appeal has no end date" in response.content.decode()
    assert appeal.decision == AppealDecision.PENDING


def test_another_departments_or_a_missing_id_is_404_and_logged_as_a_denial(
    logged_in_staff: Any, dekalb: Any, appeal: Appeal, fontana: Any, in_rialto: Any
) -> None:
    with tenant_context(fontana):
        theirs = site_make(
            UserFactory(role=Role.BUSINESS), fontana, kind="business", business_category="gas_station", lon=-117.47
        )
    missing = "00000000-0000-4000-8000-000000000000"
    client, admin = logged_in_staff(Role.DEPT_ADMIN)
    paths = [
        f"/console/compliance/sites/{theirs.public_id}/",
        f"/console/compliance/appeals/{missing}/",
        f"/console/compliance/appeals/{appeal.public_id}/files/{missing}/",
    ]

    statuses = [client.get(path).status_code for path in paths]

    denials = AccessEvent.objects.filter(action=Action.CONSOLE_DENIED, actor_id=admin.pk).order_by("seq")
    assert statuses == [404, 404, 404]
    assert [(e.outcome, e.reason, e.details["path"]) for e in denials] == [
        ("denied", "not_found", path) for path in paths
    ]
