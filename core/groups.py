"""Sending a message to a channel-layer group from synchronous code: after the commit, or now.

The one way the domain pushes to open connections (Zulip's ``send_event_on_commit``): a
consent change, a deactivated account or a revoked bridge tells the live views and bridges
concerned once the change is committed, so they act on it at once instead of polling. The
push is a courtesy on top of the committed change, never part of it: a relay outage is
logged and the change stands (the consumers re-check the database on their own as well).
"""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

__all__ = ["group_send_on_commit", "group_send_quietly"]

logger = logging.getLogger("porchlight.relay")


def group_send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group`` once the caller's transaction commits (at once outside one);
    nothing if it rolls back."""
    transaction.on_commit(lambda: group_send_quietly(group, message))


def group_send_quietly(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group`` now; a relay outage is logged, never raised."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a process boundary (Redis): a relay outage must not fail the committed change
        logger.exception("could not send %s to the group %s", message.get("type"), group)
