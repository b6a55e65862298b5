"""Reading incidents, scoped to the current department's schema."""

from typing import Any

from django.db.models import QuerySet

from .models import Incident, IncidentStatus


def incidents_open() -> QuerySet[Incident]:
    return Incident.objects.filter(status=IncidentStatus.OPEN).select_related("integration").order_by("-occurred_at")


def incident_get(*, public_id: Any) -> Incident | None:
    """The incident with this id in the current department, or None (a malformed id too)."""
    try:
        return Incident.objects.select_related("integration").filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None
