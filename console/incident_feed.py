"""What a console is told of an incident: the same JSON over the socket and in the page.

The incident's own facts only (what dispatch or a sensor sent): no camera data, so no gate
decision; the cameras near it are found by the dock's search, which is one.
"""

from typing import Any

from django.urls import reverse

from incidents.models import Incident
from incidents.selectors import incident_get

__all__ = ["incident_message", "incident_message_by_id"]


def incident_message(incident: Incident) -> dict[str, Any]:
    """The incident as the console's map and list show it."""
    point = incident.location
    return {
        "id": str(incident.public_id),
        "external_id": incident.external_id,
        "type": incident.incident_type,
        "priority": incident.priority,
        "time": incident.occurred_at.isoformat(),
        "address": incident.address,
        "point": [round(point.x, 6), round(point.y, 6)],
        "status": incident.status,
        "source_kind": incident.source_kind,
        "case_number": incident.case_number,
        "url": reverse("console-incident", kwargs={"incident_id": incident.public_id}),
    }


def incident_message_by_id(public_id: str) -> dict[str, Any] | None:
    """The message for the current department's incident with this id; None if it has none."""
    incident = incident_get(public_id=public_id)
    return incident_message(incident) if incident is not None else None
