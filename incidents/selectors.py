"""Reading incidents, scoped to the current department's schema."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from .models import Delivery, Incident, IncidentStatus, Integration


def incidents_open() -> QuerySet[Incident]:
    return Incident.objects.filter(status=IncidentStatus.OPEN).select_related("integration").order_by("-occurred_at")


def incident_get(*, public_id: Any) -> Incident | None:
    """The incident with this id in the current department, or None (a malformed id too)."""
    try:
        return Incident.objects.select_related("integration").filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def integrations_all() -> QuerySet[Integration]:
    return Integration.objects.select_related("created_by").order_by("name", "pk")


def integration_get(*, public_id: Any) -> Integration | None:
    """The integration with this id in the current department, or None (a malformed id too)."""
    try:
        return Integration.objects.filter(public_id=public_id).first()
    except (ValueError, TypeError, ValidationError):
        return None


def deliveries_recent(*, integration: Integration, limit: int = 50) -> list[Delivery]:
    return list(
        Delivery.objects.filter(integration=integration)
        .select_related("incident")
        .defer("body")
        .order_by("-received_at", "-pk")[:limit]
    )
