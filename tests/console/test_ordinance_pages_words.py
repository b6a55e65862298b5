"""The ordinance pages' own words are in Spanish too (their headings and column titles were
English on a Spanish page: found checking every compliance page on a phone)."""

from typing import Any

import pytest

from accounts.models import Role
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import RIALTO_CONDITIONS, ordinance_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_staff: Any) -> TenantClient:
    user, secret = make_staff(Role.DEPT_ADMIN)
    client = TenantClient("rialto.localhost")
    assert login_with_mfa(client, user.email, secret).status_code == 302
    return client


def test_the_list_and_an_ordinance_s_page_speak_spanish(admin_client: TenantClient, policy: DepartmentPolicy) -> None:
    ordinance = ordinance_make(policy, RIALTO_CONDITIONS).ordinance

    listing = admin_client.get("/console/ordinances/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    detail = admin_client.get(f"/console/ordinances/{ordinance.public_id}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Las leyes y condiciones de aprobación que exigen cámaras" in listing
    assert "Vigente" in listing
    for words in ("Versiones", "Vigente desde", "Consentimiento mínimo", "Cámaras mínimas", "Conservación (días)"):
        assert words in detail
    for english in ("In force from", "Retention (days)", "Minimum cameras", "Legal citation"):
        assert english not in detail
