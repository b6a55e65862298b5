"""Telling a user's open connections that their account changed (e.g. deactivated)."""

from typing import Any

from django.db import connection

from core.groups import group_send_on_commit

# The message a user's or a camera's open connections re-check on (a live view asks the gate
# again; live.consumers handles it as ``live_recheck``). Declared here, in the lowest layer
# that sends it (accounts and cameras do), so that no sender names a type owned above it.
LIVE_RECHECK = "live.recheck"


def user_group(schema: str, user_id: Any) -> str:
    return f"user.{schema}.{user_id}"


def user_changed(*, user_id: int) -> None:
    """After the commit, ask the user's open connections to re-check."""
    group = user_group(connection.schema_name, user_id)  # type: ignore[attr-defined]
    group_send_on_commit(group, {"type": LIVE_RECHECK})
