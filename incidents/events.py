"""Telling the department's open console pages that incidents arrived or changed.

Declared here, in the lowest layer that sends it (incidents.services), so that no sender
names a type owned above it (DESIGN, "Layout"). The console's consumer joins the group of
its department and handles ``incident.changed`` (it reads the incidents itself through a
selector: the message carries their ids only, never their contents). One message may name
many incidents: the intake worker processes deliveries in batches (incidents.tasks) and
tells the consoles once per batch, which read them in one query.
"""

from collections.abc import Iterable
from typing import Any

from core.groups import group_send_on_commit

INCIDENT_CHANGED = "incident.changed"


def incidents_group(schema: str) -> str:
    return f"incidents.{schema}"


def incidents_changed(*, schema: str, incident_public_ids: Iterable[Any]) -> None:
    """After the commit, tell the department's open consoles that these incidents are new or changed."""
    ids = [str(public_id) for public_id in incident_public_ids]
    if ids:
        group_send_on_commit(incidents_group(schema), {"type": INCIDENT_CHANGED, "incidents": ids})


def incident_changed(*, schema: str, incident_public_id: Any) -> None:
    """After the commit, tell the department's open consoles that this incident is new or changed."""
    incidents_changed(schema=schema, incident_public_ids=[incident_public_id])


def incident_ids_of(message: dict[str, Any]) -> list[str]:
    """The incidents an ``incident.changed`` message names (``incidents``, or one ``incident``
    as messages sent before batches named it)."""
    ids = message.get("incidents")
    if isinstance(ids, list):
        return [str(public_id) for public_id in ids if public_id]
    single = message.get("incident")
    return [str(single)] if single else []
