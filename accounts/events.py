"""Telling a user's open connections that their account changed (e.g. deactivated)."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction


def user_group(schema: str, user_id: Any) -> str:
    return f"user.{schema}.{user_id}"


def user_changed(*, user_id: int) -> None:
    group = user_group(connection.schema_name, user_id)  # type: ignore[attr-defined]

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, {"type": "live.recheck"})
        except Exception:  # never fail the admin's change because the relay is down
            import logging

            logging.getLogger("porchlight.accounts").exception("could not notify the user's connections")

    transaction.on_commit(send)
