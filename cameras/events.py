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


# --- An owner edits what decides whether an ordinance covers a site ---------------------------
# compliance (above cameras) judges coverage and listens here. Unlike site_changed's listeners,
# these write in the owner's transaction: the record that the edit took the site out of an
# ordinance's coverage, and the notices to the department's compliance staff, commit with the
# edit or not at all (a flag written after the commit could be lost while the edit stands).
_SITE_EDIT_LISTENERS: list[Callable[..., list[str]]] = []


def site_edit_listen(listener: Callable[..., list[str]]) -> None:
    """Call ``listener(site=..., before=..., actor=...)`` on each owner's edit of a site's
    details (AppConfig.ready); it returns notes for the site's history row (English, a record)."""
    if listener not in _SITE_EDIT_LISTENERS:
        _SITE_EDIT_LISTENERS.append(listener)


def site_edited(*, site: Any, before: dict[str, Any], actor: Any) -> list[str]:
    """Tell the listeners that ``actor`` (the owner) is changing ``site``, its new values set but
    not saved yet, from ``before`` (each edited field's previous value), inside the edit's
    transaction; returns the notes they give."""
    return [note for listener in _SITE_EDIT_LISTENERS for note in listener(site=site, before=before, actor=actor)]
