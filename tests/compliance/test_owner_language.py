"""An owner who picks Spanish in the language menu while signed in is written to in Spanish:
the choice is stored on their account (not only in the browser's cookie), so notices,
reminders and their e-mails, made later by staff or by beat with no request of the owner's,
are in Spanish."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role, User
from cameras.access import Actor
from cameras.models import Site
from compliance import reminders, services
from notifications.models import Kind, Notification
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def gas_station(in_rialto: Any) -> Site:
    owner = UserFactory(role=Role.BUSINESS, language="en")  # signed up in English
    return site_make(
        owner, in_rialto, kind="business", business_name="Gasolinera Palma", business_category="gas_station"
    )


@pytest.fixture
def dekalb(policy: DepartmentPolicy) -> Any:
    return ordinance_make(policy, DEKALB_AFFIDAVIT, name="DeKalb", cure_days=60).ordinance


def _spanish_chosen(client: TenantClient, owner: User) -> None:
    client.force_login(owner)
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/my/obligations/"})
    assert response.status_code == 302


def test_the_language_menu_stores_a_signed_in_owner_s_choice(rialto_client: TenantClient, gas_station: Site) -> None:
    _spanish_chosen(rialto_client, gas_station.owner)

    gas_station.owner.refresh_from_db()
    assert gas_station.owner.language == "es"
    assert gas_station.owner.history.latest().history_user_id == gas_station.owner.pk


def test_the_language_menu_signed_out_or_with_an_unknown_language_stores_nothing(
    rialto_client: TenantClient, gas_station: Site
) -> None:
    rialto_client.post("/i18n/setlang/", {"language": "es"})
    rialto_client.force_login(gas_station.owner)
    rialto_client.post("/i18n/setlang/", {"language": "xx"})

    gas_station.owner.refresh_from_db()
    assert gas_station.owner.language == "en"


def test_a_notice_and_its_e_mail_are_in_the_language_the_owner_picked(
    rialto_client: TenantClient, gas_station: Site, dekalb: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _spanish_chosen(rialto_client, gas_station.owner)
    staff = Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.notice_issue(
            actor=staff,
            site_public_id=gas_station.public_id,
            ordinance_public_id=dekalb.public_id,
            text="Ponga el letrero.",
            today=timezone.localdate(),
        )

    told = Notification.objects.get(recipient=gas_station.owner, kind=Kind.COMPLIANCE_NOTICE)
    (message,) = mail.outbox
    # the property named with its address, so that a business with several knows which
    assert told.subject == "Aviso: DeKalb en Gasolinera Palma, 150 S Palm Ave"
    assert message.subject == "[Porchlight] Aviso: DeKalb en Gasolinera Palma, 150 S Palm Ave"
    assert "El departamento" in message.body
    assert "Recibe esto porque registró una propiedad" in message.body
    page = rialto_client.get("/my/obligations/").content.decode()
    assert "Aviso: DeKalb en Gasolinera Palma, 150 S Palm Ave" in page


def test_a_reminder_and_its_e_mail_are_in_the_language_the_owner_picked(
    rialto_client: TenantClient, gas_station: Site, dekalb: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _spanish_chosen(rialto_client, gas_station.owner)

    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_send(now=dt.datetime(2027, 4, 24, 12, tzinfo=dt.UTC))

    (message,) = [m for m in mail.outbox if m.to == [gas_station.owner.email]]
    assert message.subject == "[Porchlight] Su declaración anual vence el 2027-05-01"
    assert "Recibe esto porque registró una propiedad" in message.body
