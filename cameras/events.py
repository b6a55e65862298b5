"""Telling open live views that something about a camera changed.

Consent, pause and deletion are pushed to the camera's channel-layer group after the
commit, so a live view re-checks at once instead of polling the database; the live app's
viewers and frames use the same group.
"""

from typing import Any

from accounts.events import LIVE_RECHECK
from core.groups import group_send_on_commit
from tenants.selectors import department_current


def camera_group(schema: str, camera_public_id: Any) -> str:
    return f"live.{schema}.{camera_public_id}"


def camera_changed(*, camera_public_id: Any) -> None:
    """After the commit, ask the camera's open live views to re-check."""
    group = camera_group(department_current().schema_name, camera_public_id)
    group_send_on_commit(group, {"type": LIVE_RECHECK})
