"""Telling the department's open console pages that an incident arrived or changed.

Declared here, in the lowest layer that sends it (incidents.services), so that no sender
names a type owned above it (DESIGN, "Layout"). The console's consumer joins the group of
its department and handles ``incident.changed`` (it reads the incident itself through a
selector: the message carries the id only, never the incident's contents).
"""

from typing import Any

from core.groups import group_send_on_commit

INCIDENT_CHANGED = "incident.changed"


def incidents_group(schema: str) -> str:
    return f"incidents.{schema}"


def incident_changed(*, schema: str, incident_public_id: Any) -> None:
    """After the commit, tell the department's open consoles that this incident is new or changed."""
    group_send_on_commit(incidents_group(schema), {"type": INCIDENT_CHANGED, "incident": str(incident_public_id)})
