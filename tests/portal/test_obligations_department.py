"""What the department does reaches the owner's obligations page: a notice with its cure
date, the decision on a request, the in-app notices; an exemption or appeal request carries
files (PDF, JPEG, PNG by their bytes, size-capped) the owner can download again, and no one
else's; an attempt on another owner's site is 404 and logged."""

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import Role
from audit.models import AccessEvent, Action
from cameras.access import Actor
from cameras.models import Site
from compliance import services
from compliance.models import Appeal, AppealAttachment
from notifications.models import Notification
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"  # a JPEG's signature; Pillow must also read it as one


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
def gas_station(in_rialto: Any, rialto_client: TenantClient) -> Site:
    owner = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(owner)
    return site_make(owner, in_rialto, kind="business", business_name="Portal Gas", business_category="gas_station")


@pytest.fixture
def dekalb(policy: DepartmentPolicy) -> Any:
    return ordinance_make(policy, DEKALB_AFFIDAVIT, name="Portal ordinance", cure_days=60).ordinance


def _appeal_url(site: Site, ordinance: Any) -> str:
    return f"/my/sites/{site.public_id}/ordinances/{ordinance.public_id}/appeal/"


def test_a_request_carries_files_the_owner_can_download_again(
    gas_station: Site, dekalb: Any, rialto_client: TenantClient
) -> None:
    response = rialto_client.post(
        _appeal_url(gas_station, dekalb),
        {
            "kind": "exemption",
            "reason": "We sell no fuel.",
            "attachments": [SimpleUploadedFile("licence.pdf", PDF, content_type="application/octet-stream")],
        },
    )
    attachment = AppealAttachment.objects.get(appeal__site=gas_station)
    page = rialto_client.get("/my/obligations/").content.decode()
    download = rialto_client.get(f"/my/appeals/{attachment.appeal.public_id}/files/{attachment.public_id}/")

    assert response.status_code == 302
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "licence.pdf",
        "application/pdf",
        len(PDF),
    )
    assert "licence.pdf" in page
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]  # streamed


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 an executable")], "letter.pdf is not a PDF, JPEG or PNG file."),
        ([SimpleUploadedFile("photo.jpg", JPEG)], "photo.jpg is not a PDF, JPEG or PNG file."),
        ([SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(4)], "Send at most 3 files."),
        ([SimpleUploadedFile("huge.pdf", PDF + b"0" * (5 * 1024 * 1024))], "huge.pdf is too large (at most 5 MB)."),
    ],
)
def test_bad_files_are_refused_naming_them_and_nothing_is_stored(
    gas_station: Site, dekalb: Any, rialto_client: TenantClient, media: Path, files: list[Any], message: str
) -> None:
    response = rialto_client.post(
        _appeal_url(gas_station, dekalb), {"kind": "appeal", "reason": "See files.", "attachments": files}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appeal.objects.filter(site=gas_station).exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_another_owners_file_is_404(gas_station: Site, dekalb: Any, rialto_client: TenantClient) -> None:
    appeal = services.appeal_request(
        owner=gas_station.owner,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        kind="appeal",
        reason="x",
        attachments=[SimpleUploadedFile("mine.pdf", PDF)],
    )
    attachment = appeal.attachments.get()
    rialto_client.force_login(UserFactory(role=Role.BUSINESS))

    response = rialto_client.get(f"/my/appeals/{appeal.public_id}/files/{attachment.public_id}/")

    assert response.status_code == 404


def test_the_owner_sees_the_notice_and_the_decision_and_marks_them_read(
    gas_station: Site, dekalb: Any, rialto_client: TenantClient
) -> None:
    staff = Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    appeal = services.appeal_request(
        owner=gas_station.owner,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        kind="exemption",
        reason="Closed at night.",
    )
    services.notice_issue(
        actor=staff, site_public_id=gas_station.public_id, ordinance_public_id=dekalb.public_id, text="Fix the sign."
    )
    services.appeal_decide(actor=staff, appeal_public_id=appeal.public_id, decision="denied", reasons="Open until 11.")

    page = rialto_client.get("/my/obligations/").content.decode()
    for notification in Notification.objects.filter(recipient=gas_station.owner):
        rialto_client.post(f"/my/obligations/notices/{notification.pk}/read/")
    after = rialto_client.get("/my/obligations/").content.decode()

    assert "Fix the sign." in page
    assert "Fix by " in page
    assert "Open until 11." in page
    assert 'id="from-the-department"' in page
    # The portal's light page: .link is the dark header's white-on-nothing button (invisible here).
    assert '<button type="submit" class="link-dark">Mark as read</button>' in page
    assert 'id="from-the-department"' not in after


def test_the_owner_cannot_mark_anothers_notice(gas_station: Site, dekalb: Any, rialto_client: TenantClient) -> None:
    services.notice_issue(
        actor=Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True),
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        text="Fix.",
    )
    theirs = Notification.objects.get(recipient=gas_station.owner)
    rialto_client.force_login(UserFactory(role=Role.BUSINESS))

    response = rialto_client.post(f"/my/obligations/notices/{theirs.pk}/read/")

    theirs.refresh_from_db()
    assert response.status_code == 404
    assert theirs.read_at is None


def _attest(owner: Any, site: Site, ordinance: Any) -> Any:
    return services.attestation_file(
        owner=owner,
        site_public_id=site.public_id,
        ordinance_public_id=ordinance.public_id,
        signed_name="M",
        confirmed=[],
        ip_address=None,
    )


def _appeal(owner: Any, site: Site, ordinance: Any) -> Any:
    return services.appeal_request(
        owner=owner, site_public_id=site.public_id, ordinance_public_id=ordinance.public_id, kind="appeal", reason="x"
    )


@pytest.mark.parametrize(("what", "service"), [("attestation", _attest), ("appeal", _appeal)])
def test_a_service_call_on_another_owners_site_is_refused_and_logged(
    gas_station: Site, dekalb: Any, caplog: pytest.LogCaptureFixture, what: str, service: Any
) -> None:
    intruder = UserFactory(role=Role.BUSINESS)

    with caplog.at_level(logging.WARNING, logger="porchlight.compliance"), pytest.raises(Site.DoesNotExist):
        service(intruder, gas_station, dekalb)

    record = next(r for r in caplog.records if getattr(r, "event", "") == "compliance_owner_denied")
    assert (record.what, record.user_id) == (what, intruder.pk)  # type: ignore[attr-defined]
    assert not Appeal.objects.filter(site=gas_station).exists()
    assert _denials(intruder) == [("denied", "not_found", what)]


@pytest.mark.parametrize(("what", "path"), [("attestation", "attest"), ("appeal", "appeal")])
def test_another_owners_site_in_the_portal_is_404_and_logged(
    gas_station: Site,
    dekalb: Any,
    rialto_client: TenantClient,
    caplog: pytest.LogCaptureFixture,
    what: str,
    path: str,
) -> None:
    intruder = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(intruder)
    url = f"/my/sites/{gas_station.public_id}/ordinances/{dekalb.public_id}/{path}/"

    with caplog.at_level(logging.WARNING, logger="porchlight.compliance"):
        response = rialto_client.post(url, {"kind": "appeal", "reason": "x", "signed_name": "M"})

    records = [r for r in caplog.records if getattr(r, "event", "") == "compliance_owner_denied"]
    assert response.status_code == 404
    assert [(r.what, r.user_id) for r in records] == [(what, intruder.pk)]  # type: ignore[attr-defined]


def test_the_notice_and_the_request_form_speak_spanish(
    gas_station: Site, dekalb: Any, rialto_client: TenantClient
) -> None:
    services.notice_issue(
        actor=Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True),
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        text="Fix the sign.",
    )

    page = rialto_client.get("/my/obligations/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    form = rialto_client.get(_appeal_url(gas_station, dekalb), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    refused = rialto_client.post(
        _appeal_url(gas_station, dekalb),
        {"kind": "appeal", "reason": "x", "attachments": [SimpleUploadedFile("a.pdf", b"nope")]},
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()

    assert "Avisos del departamento" in page
    assert "Corrija antes del" in page
    assert "Hasta 3 archivos PDF, JPEG o PNG" in form
    assert "a.pdf no es un archivo PDF, JPEG o PNG." in refused


def test_a_file_is_stored_under_the_suffix_its_bytes_say_not_its_name(
    gas_station: Site, dekalb: Any, media: Path
) -> None:
    appeal = services.appeal_request(
        owner=gas_station.owner,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        kind="appeal",
        reason="x",
        attachments=[SimpleUploadedFile("page.html", PDF)],
    )

    attachment = appeal.attachments.get()
    assert attachment.original_name == "page.html"
    assert str(attachment.file.name).endswith(".pdf")
    assert [p.suffix for p in media.rglob("*") if p.is_file()] == [".pdf"]


# --- Owner refusals in the department's access log (security review: trust checklist A3, E5) ---


def _denials(user: Any) -> list[tuple[str, str, str]]:
    events = AccessEvent.objects.filter(action=Action.COMPLIANCE_OWNER_DENIED, actor_id=user.pk).order_by("seq")
    return [(e.outcome, e.reason, e.details["what"]) for e in events]


def _appeal_with_file(site: Site, ordinance: Any) -> tuple[Appeal, AppealAttachment]:
    appeal = services.appeal_request(
        owner=site.owner,
        site_public_id=site.public_id,
        ordinance_public_id=ordinance.public_id,
        kind="appeal",
        reason="x",
        attachments=[SimpleUploadedFile("mine.pdf", PDF)],
    )
    return appeal, appeal.attachments.get()


def test_another_owners_file_is_404_and_recorded_in_the_access_log(
    gas_station: Site, dekalb: Any, rialto_client: TenantClient
) -> None:
    appeal, attachment = _appeal_with_file(gas_station, dekalb)
    intruder = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(intruder)

    response = rialto_client.get(f"/my/appeals/{appeal.public_id}/files/{attachment.public_id}/")

    assert response.status_code == 404
    assert _denials(intruder) == [("denied", "not_found", "appeal_attachment")]


@pytest.mark.parametrize(
    ("what", "path"),
    [
        ("attestation", "ordinances/{ordinance}/attest/"),
        ("appeal", "ordinances/{ordinance}/appeal/"),
        ("certificate", "certificate/"),
    ],
)
def test_another_owners_site_is_recorded_in_the_access_log(
    gas_station: Site, dekalb: Any, rialto_client: TenantClient, what: str, path: str
) -> None:
    intruder = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(intruder)
    url = f"/my/sites/{gas_station.public_id}/" + path.format(ordinance=dekalb.public_id)

    response = rialto_client.post(url, {"kind": "appeal", "reason": "x", "signed_name": "M"})

    assert response.status_code == 404
    assert _denials(intruder) == [("denied", "not_found", what)]


def test_an_ordinance_that_does_not_cover_the_owners_site_is_404_and_recorded(
    gas_station: Site, dekalb: Any, rialto_client: TenantClient
) -> None:
    url = f"/my/sites/{gas_station.public_id}/ordinances/00000000-0000-4000-8000-000000000000/appeal/"

    response = rialto_client.get(url)

    assert response.status_code == 404
    assert _denials(gas_station.owner) == [("denied", "not_found", "appeal")]


def test_the_owners_own_file_is_not_kept_by_any_cache(
    gas_station: Site, dekalb: Any, rialto_client: TenantClient
) -> None:
    appeal, attachment = _appeal_with_file(gas_station, dekalb)

    response = rialto_client.get(f"/my/appeals/{appeal.public_id}/files/{attachment.public_id}/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
