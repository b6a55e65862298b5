"""A signed attestation, read back: its owner on the portal and the department's compliance
staff in the console see the statements attested, the typed name, the time in the department's
zone, the IP and the SHA-256 of the text. Another owner's or another department's id is 404,
and the refusal is logged as the other compliance 404s are."""

import datetime as dt
import hashlib
import html
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from audit.models import AccessEvent, Action
from cameras.models import Site
from compliance import services
from compliance.models import Attestation
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db
CONFIRMED = ["night_vision", "retention", "signage"]
SIGNED_AT = dt.datetime(2026, 12, 1, 18, 30, tzinfo=dt.UTC)


def _attest(owner: Any, site: Site, version: Any) -> Attestation:
    return services.attestation_file(
        owner=owner,
        site_public_id=site.public_id,
        ordinance_public_id=version.ordinance.public_id,
        signed_name="Ana Ruiz",
        confirmed=CONFIRMED,
        ip_address="198.51.100.7",
        now=SIGNED_AT,
    )


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """A request in Spanish leaves Spanish active on this thread: put the default back."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def attestation(in_rialto: Any, policy: DepartmentPolicy) -> Attestation:
    version = ordinance_make(policy, DEKALB_AFFIDAVIT, name="Attested ordinance")
    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(owner, in_rialto, kind="business", business_name="Signed Gas", business_category="gas_station")
    return _attest(owner, site, version)


@pytest.fixture
def fontana_attestation(fontana: Any) -> Attestation:
    with tenant_context(fontana):
        version = ordinance_make(DepartmentPolicy.objects.get(department=fontana), DEKALB_AFFIDAVIT)
        owner = UserFactory(role=Role.BUSINESS)
        site = site_make(owner, fontana, kind="business", business_category="gas_station", lon=-117.47)
        return _attest(owner, site, version)


def test_the_owner_reads_their_attestation_with_the_text_name_time_ip_and_hash(
    attestation: Attestation, rialto_client: TenantClient
) -> None:
    rialto_client.force_login(attestation.signed_by)

    obligations = rialto_client.get("/my/obligations/").content.decode()
    page = html.unescape(rialto_client.get(f"/my/attestations/{attestation.public_id}/").content.decode())

    assert f'href="/my/attestations/{attestation.public_id}/"' in obligations
    assert attestation.text in page
    assert "Ana Ruiz" in page
    assert "2026-12-01T10:30:00-08:00" in page  # Rialto's zone (America/Los_Angeles)
    assert "198.51.100.7" in page
    assert attestation.text_sha256 in page
    shown = page.split('<pre class="attested-text">')[1].split("</pre>")[0]
    assert hashlib.sha256(shown.encode()).hexdigest() == attestation.text_sha256  # as the page says to check
    assert "sha256sum" in page


def test_the_attestation_page_speaks_spanish(attestation: Attestation, rialto_client: TenantClient) -> None:
    rialto_client.force_login(attestation.signed_by)

    page = rialto_client.get(f"/my/attestations/{attestation.public_id}/", HTTP_ACCEPT_LANGUAGE="es")

    assert "Declaración firmada" in page.content.decode()
    assert "Huella digital (SHA-256)" in page.content.decode()


def test_another_owner_gets_404_and_the_attempt_is_logged(
    attestation: Attestation, rialto_client: TenantClient
) -> None:
    other = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(other)

    response = rialto_client.get(f"/my/attestations/{attestation.public_id}/")

    denial = AccessEvent.objects.get(action=Action.COMPLIANCE_OWNER_DENIED, actor_id=other.pk)
    assert response.status_code == 404
    assert (denial.outcome, denial.details["what"], denial.details["attestation"]) == (
        "denied",
        "attestation",
        str(attestation.public_id),
    )
    assert "Ana Ruiz" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.DEPT_ADMIN, Role.SUPERVISOR])
def test_compliance_staff_read_it_from_the_site_page(attestation: Attestation, logged_in_staff: Any, role: str) -> None:
    client, user = logged_in_staff(role)
    User.objects.filter(pk=user.pk).update(compliance_duty=True)

    site_page = client.get(f"/console/compliance/sites/{attestation.site.public_id}/").content.decode()
    page = html.unescape(client.get(f"/console/compliance/attestations/{attestation.public_id}/").content.decode())

    assert f'href="/console/compliance/attestations/{attestation.public_id}/"' in site_page
    assert attestation.text in page
    assert "198.51.100.7" in page
    assert attestation.text_sha256 in page


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.OVERSIGHT])
def test_staff_without_the_compliance_duty_get_404_and_are_logged(
    attestation: Attestation, logged_in_staff: Any, role: str
) -> None:
    client, user = logged_in_staff(role)

    response = client.get(f"/console/compliance/attestations/{attestation.public_id}/")

    assert response.status_code == 404
    assert AccessEvent.objects.filter(actor_id=user.pk, action=Action.CONSOLE_DENIED).count() == 1


def test_another_department_s_attestation_is_404_for_staff_and_owners_and_logged(
    fontana_attestation: Attestation, logged_in_staff: Any, rialto_client: TenantClient, in_rialto: Any
) -> None:
    client, admin = logged_in_staff(Role.DEPT_ADMIN)
    paths = [f"/console/compliance/attestations/{fontana_attestation.public_id}/", f"/my/attestations/{uuid.uuid4()}/"]

    staff_status = client.get(paths[0]).status_code
    owner = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(owner)
    owner_statuses = [
        rialto_client.get(f"/my/attestations/{fontana_attestation.public_id}/").status_code,
        rialto_client.get(paths[1]).status_code,
    ]

    denial = AccessEvent.objects.get(action=Action.CONSOLE_DENIED, actor_id=admin.pk)
    assert (staff_status, owner_statuses) == (404, [404, 404])
    assert (denial.reason, denial.details["path"]) == ("not_found", paths[0])
    assert AccessEvent.objects.filter(action=Action.COMPLIANCE_OWNER_DENIED, actor_id=owner.pk).count() == 2
