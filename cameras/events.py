"""Telling open live views that something about a camera changed.

Consent, pause and deletion are pushed to the camera's channel-layer group after the
commit, so a live view re-checks at once instead of polling the database; the live app's
viewers and frames use the same group.
"""

from collections.abc import Callable
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


# --- A site's facts changed (its details, cameras, consent, bridge) -------------------------
# The layers above cameras that keep something derived from a site (compliance's stored
# judgement) listen here: cameras must not import them, and a Django signal would hide the call.
# A listener only owes work after the commit (an outbox row); it writes nothing of its own.
_SITE_LISTENERS: list[Callable[..., None]] = []


def site_change_listen(listener: Callable[..., None]) -> None:
    """Call ``listener(site_id=...)`` after each change to a site's facts (AppConfig.ready)."""
    if listener not in _SITE_LISTENERS:
        _SITE_LISTENERS.append(listener)


def site_changed(*, site_id: int) -> None:
    """Tell the listeners that the site's facts changed in the current transaction."""
    for listener in _SITE_LISTENERS:
        listener(site_id=site_id)
