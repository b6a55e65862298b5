"""Incidents are stored once per sender id, and everything done for one names it."""

import datetime as dt
from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.models import AccessEvent, Action
from cameras import access
from cameras.search_sql import Area
from incidents import selectors, services
from incidents.models import Incident, IncidentStatus, Integration, IntegrationKind

pytestmark = pytest.mark.django_db


def _integration() -> Integration:
    return Integration.objects.create(kind=IntegrationKind.CAD, name="County CAD")


def _facts(external_id: str = "CAD-1", **fields: Any) -> services.IncidentFacts:
    return services.IncidentFacts(
        external_id=external_id,
        occurred_at=timezone.now() - dt.timedelta(minutes=2),
        location=Point(-117.38, 34.10, srid=4326),
        **fields,
    )


def test_the_same_sender_id_updates_the_incident_instead_of_adding_one(in_rialto: Any) -> None:
    integration = _integration()
    first, created = services.incident_upsert(integration=integration, facts=_facts(priority="2"))

    again, created_again = services.incident_upsert(integration=integration, facts=_facts(priority="1"))

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Incident.objects.filter(integration=integration).count() == 1
    assert Incident.objects.get(pk=first.pk).priority == "1"


def test_the_same_id_from_another_integration_is_another_incident(in_rialto: Any) -> None:
    services.incident_upsert(integration=_integration(), facts=_facts())

    services.incident_upsert(integration=_integration(), facts=_facts())

    assert Incident.objects.filter(external_id="CAD-1").count() == 2


def test_an_incident_of_one_department_is_not_found_from_another(in_rialto: Any, fontana: Any) -> None:
    incident, _ = services.incident_upsert(integration=_integration(), facts=_facts())

    with tenant_context(fontana):
        found = selectors.incident_get(public_id=incident.public_id)

    assert found is None


def test_closing_an_incident_records_who_and_when(in_rialto: Any, officer: Any) -> None:
    incident, _ = services.incident_upsert(integration=_integration(), facts=_facts())

    services.incident_close(incident=incident, by=officer)

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    assert incident.closed_by == officer
    assert incident.closed_at is not None


def test_a_search_under_a_purpose_for_an_incident_names_the_incident(in_rialto: Any, actor: Any) -> None:
    incident, _ = services.incident_upsert(integration=_integration(), facts=_facts())
    purpose = access.purpose_declare(
        actor=actor,
        case_number="RPD-26-0100",
        category="violent_crime",
        text="Shots fired near the park",
        incident_ref=incident.public_id,
    )

    result = access.camera_search(
        actor=actor, purpose=purpose, area=Area(center=Point(-117.38, 34.10, srid=4326), radius_m=200), mode="pin"
    )

    event = AccessEvent.objects.get(seq=result.decision.event_seq)
    assert event.action == Action.SEARCH
    assert access.incident_target(incident.public_id) in event.targets
