"""Compliance certificates: a compliant business downloads one (PDF, code, QR); anyone checks the
code on the department's public page; it is revoked when the site stops complying or by staff."""

import datetime as dt
import logging
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import Role, User
from cameras import services as camera_services
from cameras.access import Actor
from cameras.models import Camera, Site
from compliance import certificates, selectors
from compliance import services as compliance_services
from compliance.certificates import code_display
from compliance.models import Certificate, OrdinanceVersion
from core.errors import Refused
from notifications.models import Kind, Notification
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import UserFactory, camera_make, ordinance_make, site_make

pytestmark = pytest.mark.django_db

HOTELS: dict[str, Any] = {
    "name": "Hotel camera ordinance",
    "citation": "Ord. 2025-7",
    "text_url": "https://example.org/hotels",
    "effective_on": dt.date(2025, 1, 1),
    "business_categories": ["hotel"],
    "min_consent": "on_request",
}
HOTEL_AFFIDAVIT: dict[str, Any] = {
    **HOTELS,
    "name": "Hotel affidavit ordinance",
    "signage": True,
    "attestation_month": 5,
    "attestation_day": 1,
}


def hotel_ordinance(policy: DepartmentPolicy, spec: dict[str, Any] = HOTELS) -> OrdinanceVersion:
    return ordinance_make(policy, spec, name=f"{spec['name']} {uuid.uuid4().hex[:6]}")


FONTANA: dict[str, Any] = {"lon": -117.47, "lat": 34.10}


def hotel(
    department: Any, policy: DepartmentPolicy, *, level: str = "on_request", **where: Any
) -> tuple[User, Site, Camera]:
    owner = UserFactory(role=Role.BUSINESS, full_name="Ada Innkeeper")
    site = site_make(owner, department, kind="business", business_category="hotel", address="150 S Palm Ave", **where)
    camera = camera_make(owner, department, site=site)
    camera_services.consent_set(owner=owner, camera=camera, policy=policy, level=level)
    return owner, site, camera


def owner_client(owner: User, host: str = "rialto.localhost") -> TenantClient:
    client = TenantClient(host)
    client.force_login(owner)
    return client


def issue(owner: User, site: Site, policy: DepartmentPolicy, department: Any) -> Certificate:
    return certificates.certificate_issue(
        owner=owner, site_public_id=site.public_id, policy=policy, schema=department.schema_name, now=timezone.now()
    )


# --- Issuing ---------------------------------------------------------------------------------


def test_a_compliant_business_downloads_a_certificate_pdf_from_its_obligations(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    version = hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    client = owner_client(owner)

    page = client.get("/my/obligations/").content.decode()
    response = client.post(f"/my/sites/{site.public_id}/certificate/")

    certificate = Certificate.objects.get(site=site)
    assert f'action="/my/sites/{site.public_id}/certificate/"' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert len(certificate.code) == 16
    assert list(certificate.versions.all()) == [version]
    today = timezone.localdate(timezone=ZoneInfo(in_rialto.time_zone))  # the request's day
    assert certificate.valid_until == today + dt.timedelta(days=365)


def test_downloading_again_gives_the_same_certificate_and_the_same_bytes(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    client = owner_client(owner)

    first = client.post(f"/my/sites/{site.public_id}/certificate/")
    second = client.post(f"/my/sites/{site.public_id}/certificate/")

    assert Certificate.objects.filter(site=site).count() == 1
    assert first.content == second.content


def test_the_certificate_is_valid_until_the_next_attestation_is_due(in_rialto: Any, policy: DepartmentPolicy) -> None:
    version = hotel_ordinance(policy, HOTEL_AFFIDAVIT)
    owner, site, _camera = hotel(in_rialto, policy)
    compliance_services.attestation_file(
        owner=owner,
        site_public_id=site.public_id,
        ordinance_public_id=version.ordinance.public_id,
        signed_name="Ada Innkeeper",
        confirmed=["signage"],
        ip_address="10.0.0.1",
    )
    compliance = selectors.site_compliance(site=site, policy=policy, schema=in_rialto.schema_name, now=timezone.now())
    due = next(r for r in compliance.covering if r.version == version).judgement.next_attestation_due

    certificate = issue(owner, site, policy, in_rialto)

    assert due is not None
    assert certificate.valid_until == min(due, timezone.localdate() + dt.timedelta(days=365))


def test_a_site_that_is_not_compliant_gets_a_clear_refusal_and_no_certificate(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy, level="registered")

    response = owner_client(owner).post(f"/my/sites/{site.public_id}/certificate/")

    assert response.status_code == 409
    page = response.content.decode()
    assert "does not meet" in page
    assert "Ask me for footage" in page  # what is missing, in plain words
    assert not Certificate.objects.filter(site=site).exists()


def test_a_site_no_ordinance_covers_gets_no_certificate(in_rialto: Any, policy: DepartmentPolicy) -> None:
    owner = UserFactory(role=Role.RESIDENT)
    home = site_make(owner, in_rialto, kind="residential")

    with pytest.raises(Refused) as refused:
        issue(owner, home, policy, in_rialto)

    assert "No ordinance" in refused.value.message
    assert not Certificate.objects.filter(site=home).exists()


def test_someone_elses_site_is_not_found_logged_and_nothing_is_issued(
    in_rialto: Any, policy: DepartmentPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    hotel_ordinance(policy)
    _owner, site, _camera = hotel(in_rialto, policy)
    stranger = UserFactory(role=Role.BUSINESS)

    with caplog.at_level(logging.INFO, logger="porchlight"):
        response = owner_client(stranger).post(f"/my/sites/{site.public_id}/certificate/")

    assert response.status_code == 404
    assert not Certificate.objects.filter(site=site).exists()
    assert any(
        getattr(r, "status", None) == 404 and getattr(r, "path", "").endswith("/certificate/") for r in caplog.records
    )


@pytest.mark.parametrize("whose", ["another owner's", "unknown"])
def test_asking_for_a_certificate_of_a_site_not_yours_is_logged_as_attestations_are(
    in_rialto: Any, policy: DepartmentPolicy, caplog: pytest.LogCaptureFixture, whose: str
) -> None:
    hotel_ordinance(policy)
    _owner, site, _camera = hotel(in_rialto, policy)
    stranger = UserFactory(role=Role.BUSINESS)
    site_id = site.public_id if whose == "another owner's" else uuid.uuid4()

    with caplog.at_level(logging.WARNING, logger="porchlight.compliance"):
        response = owner_client(stranger).post(f"/my/sites/{site_id}/certificate/")

    records = [r for r in caplog.records if getattr(r, "event", "") == "compliance_owner_denied"]
    assert response.status_code == 404
    assert [(r.what, r.user_id, r.site) for r in records] == [("certificate", stranger.pk, str(site_id))]  # type: ignore[attr-defined]


def test_an_exempt_site_is_told_it_needs_no_certificate(in_rialto: Any, policy: DepartmentPolicy) -> None:
    version = hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy, level="registered")
    appeal = compliance_services.appeal_request(
        owner=owner,
        site_public_id=site.public_id,
        ordinance_public_id=version.ordinance.public_id,
        kind="exemption",
        reason="Closed for renovation.",
    )
    compliance_services.appeal_decide(
        actor=Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True),
        appeal_public_id=appeal.public_id,
        decision="granted",
        reasons="Closed.",
    )

    response = owner_client(owner).post(f"/my/sites/{site.public_id}/certificate/")

    page = response.content.decode()
    assert response.status_code == 409
    assert "exempt" in page
    assert "no certificate is needed" in page
    assert "does not meet" not in page
    assert not Certificate.objects.filter(site=site).exists()


def test_codes_are_short_typeable_and_unguessable() -> None:
    codes = {certificates.code_new() for _ in range(200)}

    assert len(codes) == 200
    assert all(len(code) == 16 and set(code) <= set(certificates.ALPHABET) for code in codes)
    assert certificates.code_display("ABCDEFGHJKMNPQRS") == "ABCD-EFGH-JKMN-PQRS"


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("abcd-efgh-jkmn-pqrs", "ABCDEFGHJKMNPQRS"),
        (" ABCD EFGH JKMN PQRS ", "ABCDEFGHJKMNPQRS"),
        ("oOiL-0000-1111-2222", "0011000011112222"),
        ("ABCD-EFGH", None),
        ("ABCD-EFGH-JKMN-PQRU", None),
        ("'; DROP TABLE--", None),
        ("A" * 5000, None),
        ("", None),
    ],
)
def test_typed_codes_are_normalized_or_refused(typed: str, normal: str | None) -> None:
    assert certificates.code_normalize(typed) == normal


# --- The public check ----------------------------------------------------------------------


def test_anyone_checks_a_valid_code_and_sees_no_personal_data(
    in_rialto: Any, policy: DepartmentPolicy, rialto_client: TenantClient
) -> None:
    version = hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    certificate = issue(owner, site, policy, in_rialto)

    response = rialto_client.get("/certificates/check/", {"code": certificates.code_display(certificate.code).lower()})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="valid"' in page
    assert version.ordinance.name in page
    assert certificate.valid_until.isoformat() in page
    assert "100 block of S Palm Ave" in page
    assert "150 S Palm Ave" not in page
    assert owner.full_name not in page
    assert owner.email not in page


def test_the_check_page_without_a_code_is_a_form(rialto_client: TenantClient, rialto: Any) -> None:
    response = rialto_client.get("/certificates/check/")

    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


@pytest.mark.parametrize("typed", ["ZZZZ-ZZZZ-ZZZZ-ZZZZ", "not a code", "<script>alert(1)</script>"])
def test_an_unknown_or_malformed_code_is_not_found(rialto_client: TenantClient, rialto: Any, typed: str) -> None:
    response = rialto_client.get("/certificates/check/", {"code": typed})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="not_found"' in page
    assert "<script>alert(1)</script>" not in page


def test_an_expired_certificate_says_expired(
    in_rialto: Any, policy: DepartmentPolicy, rialto_client: TenantClient
) -> None:
    hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    certificate = issue(owner, site, policy, in_rialto)
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=2))

    page = rialto_client.get("/certificates/check/", {"code": certificate.code}).content.decode()

    assert 'data-state="expired"' in page


def test_a_certificate_is_revoked_at_the_next_check_once_the_site_stops_complying(
    in_rialto: Any, policy: DepartmentPolicy, rialto_client: TenantClient
) -> None:
    hotel_ordinance(policy)
    owner, site, camera = hotel(in_rialto, policy)
    certificate = issue(owner, site, policy, in_rialto)
    camera_services.consent_revoke(owner=owner, camera=camera)

    page = rialto_client.get("/certificates/check/", {"code": certificate.code}).content.decode()

    certificate.refresh_from_db()
    assert 'data-state="revoked"' in page
    assert certificate.revoked_at is not None
    assert certificate.revoked_by is None
    assert certificate.revocation_reason
    assert certificate.history.count() == 2


def test_the_owner_is_told_once_when_their_certificate_is_revoked_because_the_site_stopped_complying(
    in_rialto: Any, policy: DepartmentPolicy, rialto_client: TenantClient, django_capture_on_commit_callbacks: Any
) -> None:
    hotel_ordinance(policy)
    owner, site, camera = hotel(in_rialto, policy)
    certificate = issue(owner, site, policy, in_rialto)
    camera_services.consent_revoke(owner=owner, camera=camera)

    with django_capture_on_commit_callbacks(execute=True):
        rialto_client.get("/certificates/check/", {"code": certificate.code})
        rialto_client.get("/certificates/check/", {"code": certificate.code})

    told = Notification.objects.filter(recipient=owner, kind=Kind.CERTIFICATE_REVOKED)
    assert told.count() == 1
    assert code_display(certificate.code) in told[0].body
    assert told[0].link.startswith("/my/obligations/")
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_the_owner_is_told_when_staff_revoke_their_certificate(in_rialto: Any, policy: DepartmentPolicy) -> None:
    hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    certificate = issue(owner, site, policy, in_rialto)

    certificates.certificate_revoke(
        actor=UserFactory(role=Role.DEPT_ADMIN), certificate_id=certificate.pk, reason="Inspection found no signs"
    )

    told = Notification.objects.get(recipient=owner, kind=Kind.CERTIFICATE_REVOKED)
    assert "Inspection found no signs" in told.body


def test_staff_revoke_a_certificate_with_a_reason(
    in_rialto: Any, policy: DepartmentPolicy, rialto_client: TenantClient
) -> None:
    hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    certificate = issue(owner, site, policy, in_rialto)
    admin = UserFactory(role=Role.DEPT_ADMIN)

    certificates.certificate_revoke(actor=admin, certificate_id=certificate.pk, reason="Inspection found no signs")

    page = rialto_client.get("/certificates/check/", {"code": certificate.code}).content.decode()
    certificate.refresh_from_db()
    assert 'data-state="revoked"' in page
    assert certificate.revoked_by == admin
    assert "Inspection found no signs" not in page  # the department's reasons stay with it
    assert certificate.history.first().history_user == admin


@pytest.mark.parametrize("reason", ["", "   "])
def test_staff_revocation_needs_a_reason(in_rialto: Any, policy: DepartmentPolicy, reason: str) -> None:
    hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    certificate = issue(owner, site, policy, in_rialto)

    with pytest.raises(ValidationError) as invalid:
        certificates.certificate_revoke(
            actor=UserFactory(role=Role.DEPT_ADMIN), certificate_id=certificate.pk, reason=reason
        )

    certificate.refresh_from_db()
    assert "reason" in invalid.value.message_dict
    assert certificate.revoked_at is None


def test_a_new_certificate_is_issued_after_a_revoked_one(in_rialto: Any, policy: DepartmentPolicy) -> None:
    hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    first = issue(owner, site, policy, in_rialto)
    certificates.certificate_revoke(actor=UserFactory(role=Role.DEPT_ADMIN), certificate_id=first.pk, reason="Error")

    second = issue(owner, site, policy, in_rialto)

    assert second.pk != first.pk
    assert second.code != first.code


def test_a_code_of_another_department_is_not_found_here(
    in_fontana: Any, fontana: Any, rialto_client: TenantClient
) -> None:
    from tenants.models import DepartmentPolicy as Policy

    fontana_policy = Policy.objects.get(department=fontana)
    hotel_ordinance(fontana_policy)
    owner, site, _camera = hotel(fontana, fontana_policy, **FONTANA)
    certificate = issue(owner, site, fontana_policy, fontana)
    here = TenantClient("fontana.localhost").get("/certificates/check/", {"code": certificate.code})

    elsewhere = rialto_client.get("/certificates/check/", {"code": certificate.code})

    assert 'data-state="valid"' in here.content.decode()
    assert 'data-state="not_found"' in elsewhere.content.decode()


def test_guessing_is_rate_limited_per_address_and_logged(
    rialto_client: TenantClient, rialto: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.PORCHLIGHT_CERTIFICATE_CHECKS_PER_HOUR = 3
    for _ in range(3):
        rialto_client.get("/certificates/check/", {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}, REMOTE_ADDR="10.9.9.9")

    with caplog.at_level(logging.INFO, logger="porchlight"):
        refused = rialto_client.get("/certificates/check/", {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZ0"}, REMOTE_ADDR="10.9.9.9")
    other = rialto_client.get("/certificates/check/", {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}, REMOTE_ADDR="10.9.9.10")

    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert other.status_code == 200
    assert any(
        r.getMessage() == "certificate check refused" and getattr(r, "ip", None) == "10.9.9.9" for r in caplog.records
    )


def test_the_pdf_carries_the_code_and_a_qr_code_of_the_check_url(in_rialto: Any, policy: DepartmentPolicy) -> None:
    hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    certificate = issue(owner, site, policy, in_rialto)
    from compliance.certificate_pdf import certificate_pdf

    url = f"https://rialto.example.org/certificates/check/?code={certificates.code_display(certificate.code)}"
    pdf = certificate_pdf(certificate=certificate, site=site, check_url=url, department="Rialto PD")

    assert pdf.startswith(b"%PDF")
    assert certificates.code_display(certificate.code).encode() in pdf
    assert pdf == certificate_pdf(certificate=certificate, site=site, check_url=url, department="Rialto PD")


def test_the_check_speaks_spanish(in_rialto: Any, policy: DepartmentPolicy) -> None:
    hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    certificate = issue(owner, site, policy, in_rialto)
    client = TenantClient("rialto.localhost", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")

    with translation.override("en"):  # the request's language must not outlive it in this thread
        page = client.get("/certificates/check/", {"code": certificate.code}).content.decode()

    assert "Válido." in page
    assert "cuadra 100 de S Palm Ave" in page


# --- Requirements only an owner can confirm (security review) -----------------------------------


def test_a_camera_declaring_too_short_a_retention_gets_no_certificate_even_after_attesting(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    version = hotel_ordinance(policy, {**HOTEL_AFFIDAVIT, "retention_days": 90})
    owner, site, camera = hotel(in_rialto, policy)
    Camera.objects.filter(pk=camera.pk).update(retention_days=30)  # what the owner declared
    compliance_services.attestation_file(
        owner=owner,
        site_public_id=site.public_id,
        ordinance_public_id=version.ordinance.public_id,
        signed_name="Ada Innkeeper",
        confirmed=["signage", "retention"],
        ip_address="10.0.0.1",
    )
    client = owner_client(owner)

    page = client.get("/my/obligations/").content.decode()
    response = client.post(f"/my/sites/{site.public_id}/certificate/")

    assert 'class="missing" data-requirement="retention"' in page
    assert 'class="met" data-requirement="retention"' not in page
    assert response.status_code == 409
    assert not Certificate.objects.filter(site=site).exists()


def test_an_ordinance_asking_retention_with_no_attestation_schedule_is_refused_naming_the_field(
    in_rialto: Any, policy: DepartmentPolicy
) -> None:
    fontana = {**HOTELS, "name": "Fontana", "min_cameras": 1, "retention_days": 30000}

    with pytest.raises(ValidationError) as refused:
        hotel_ordinance(policy, fontana)

    assert "attestation_month" in refused.value.message_dict
    assert not OrdinanceVersion.objects.filter(ordinance__name__startswith="Fontana").exists()


# --- Exemptions on a certificate (review of issue 16) -------------------------------------------


def test_an_ordinance_the_site_is_only_exempt_from_is_marked_exempt_and_ends_the_certificate(
    in_rialto: Any, policy: DepartmentPolicy, rialto_client: TenantClient
) -> None:
    """A site compliant under one ordinance and exempt (until a date) from another: the
    certificate, its PDF, the owner's page and the public check say it is exempt from the second
    until that date, never that it met it, and the certificate ends no later than the exemption."""
    met = hotel_ordinance(policy)
    exempted = hotel_ordinance(policy, {**HOTELS, "name": "Hotel signage ordinance", "citation": "Ord. 2025-9"})
    owner, site, _camera = hotel(in_rialto, policy)
    until = timezone.localdate() + dt.timedelta(days=100)
    appeal = compliance_services.appeal_request(
        owner=owner,
        site_public_id=site.public_id,
        ordinance_public_id=exempted.ordinance.public_id,
        kind="exemption",
        reason="Closed for renovation.",
    )
    compliance_services.appeal_decide(
        actor=Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True),
        appeal_public_id=appeal.public_id,
        decision="granted",
        reasons="Closed.",
        exempt_until=until,
    )

    certificate = issue(owner, site, policy, in_rialto)
    from compliance.certificate_pdf import certificate_pdf

    pdf = certificate_pdf(certificate=certificate, site=site, check_url="https://x.example/c/", department="Rialto PD")
    check = rialto_client.get("/certificates/check/", {"code": certificate.code}).content.decode()
    mine = owner_client(owner).get("/my/obligations/").content.decode()

    assert certificate.valid_until == until
    by_name = {o["name"]: o for o in certificate.ordinances}
    assert by_name[exempted.ordinance.name]["exempt_until"] == until.isoformat()
    assert not by_name[met.ordinance.name].get("exempt_until")
    assert f"exempt until {until.isoformat()}".encode() in pdf
    assert b"Status: compliant)" not in pdf
    assert f"{exempted.ordinance.name} (Ord. 2025-9), exempt until {until.isoformat()}" in check
    assert "except those marked exempt" in check
    assert f"{met.ordinance.name} (Ord. 2025-7);" in check  # the met one carries no mark
    assert f"exempt until {until.isoformat()}" in mine.split('class="certificate-offer"')[1].split("</div>")[0]
