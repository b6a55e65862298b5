"""Telling a user's open connections that their account changed (e.g. deactivated)."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction

# The message a user's or a camera's open connections re-check on (a live view asks the gate
# again; live.consumers handles it as ``live_recheck``). Declared here, in the lowest layer
# that sends it (accounts and cameras do), so that no sender names a type owned above it.
LIVE_RECHECK = "live.recheck"


def user_group(schema: str, user_id: Any) -> str:
    return f"user.{schema}.{user_id}"


def user_changed(*, user_id: int) -> None:
    group = user_group(connection.schema_name, user_id)  # type: ignore[attr-defined]

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, {"type": LIVE_RECHECK})
        except Exception:  # never fail the admin's change because the relay is down
            import logging

            logging.getLogger("porchlight.accounts").exception("could not notify the user's connections")

    transaction.on_commit(send)
