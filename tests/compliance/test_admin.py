"""The department's ordinances are set up in the tenant's Django admin for now: a version that
contradicts the policy is refused there with the reason, and nothing is saved."""

from typing import Any

import pytest

from accounts.models import Role
from compliance.models import OrdinanceVersion
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import RIALTO_CONDITIONS, ordinance_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_staff: Any, rialto_client: TenantClient) -> TenantClient:
    """A platform operator in the department's Django admin, signed in with two factors."""
    user, secret = make_staff(Role.DEPT_ADMIN, is_staff=True, is_superuser=True)
    assert login_with_mfa(rialto_client, user.email, secret).status_code == 302
    return rialto_client


def _version_form(ordinance_pk: int, **changes: str) -> dict[str, str]:
    return {"ordinance": str(ordinance_pk), "effective_on": "2027-01-01", "min_consent": "", **changes}


def test_the_admin_refuses_a_version_asking_live_view_of_homes(
    policy: DepartmentPolicy, operator: TenantClient
) -> None:
    version = ordinance_make(policy, RIALTO_CONDITIONS)
    data = _version_form(version.ordinance.pk, property_kinds="residential", min_consent="live")

    response = operator.post("/admin/compliance/ordinanceversion/add/", data)

    assert response.status_code == 200
    assert "does not allow live view of" in response.content.decode()
    assert OrdinanceVersion.objects.filter(ordinance=version.ordinance).count() == 1


def test_the_admin_saves_a_version_within_the_policy_with_its_history(
    policy: DepartmentPolicy, operator: TenantClient
) -> None:
    version = ordinance_make(policy, RIALTO_CONDITIONS)
    data = _version_form(version.ordinance.pk, property_kinds="business", min_consent="live", min_cameras="2")

    response = operator.post("/admin/compliance/ordinanceversion/add/", data)

    added = OrdinanceVersion.objects.get(ordinance=version.ordinance, min_cameras=2)
    assert response.status_code == 302
    assert added.history.count() == 1
    assert operator.get(f"/admin/compliance/ordinanceversion/{added.pk}/history/").status_code == 200


def test_an_attestation_cannot_be_changed_in_the_admin(operator: TenantClient) -> None:
    assert operator.get("/admin/compliance/attestation/add/").status_code == 403


def test_staff_revoke_a_certificate_in_the_admin_with_a_reason(
    in_rialto: Any, policy: DepartmentPolicy, operator: TenantClient
) -> None:
    from django.utils import timezone

    from compliance.certificates import certificate_issue
    from compliance.models import Certificate
    from tests.compliance.test_certificates import hotel, hotel_ordinance

    hotel_ordinance(policy)
    owner, site, _camera = hotel(in_rialto, policy)
    certificate = certificate_issue(
        owner=owner, site_public_id=site.public_id, policy=policy, schema="rialto", now=timezone.now()
    )

    response = operator.post(
        f"/admin/compliance/certificate/{certificate.pk}/change/", {"revoke_reason": "No signs at the inspection"}
    )

    certificate = Certificate.objects.get(pk=certificate.pk)
    assert response.status_code == 302
    assert certificate.revoked_at is not None
    assert certificate.revocation_reason == "No signs at the inspection"
    assert certificate.revoked_by is not None
    assert certificate.code == Certificate.history.filter(id=certificate.pk).last().code  # nothing else changed
