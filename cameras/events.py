"""Telling open live views that something about a camera changed.

Consent, pause and deletion are pushed to the camera's channel-layer group after the
commit, so a live view re-checks at once instead of polling the database; the live app's
viewers and frames use the same group.
"""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from accounts.events import LIVE_RECHECK
from tenants.selectors import department_current


def camera_group(schema: str, camera_public_id: Any) -> str:
    return f"live.{schema}.{camera_public_id}"


def camera_changed(*, camera_public_id: Any) -> None:
    """After the commit, ask the camera's open live views to re-check."""
    group = camera_group(department_current().schema_name, camera_public_id)
    transaction.on_commit(lambda: _send(group))


def _send(group: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": LIVE_RECHECK})
    except Exception:  # a relay outage must not fail the owner's change; viewers poll as a fallback
        import logging

        logging.getLogger("porchlight.live").exception("could not notify live views of a camera change")
