"""The access log as an owner sees it: "who looked at my cameras".

Shared by the page (/my/access/), the API (/api/v1/me/access-events/) and the e-mail
notices, so that all three say the same thing. An event names cameras by typed
reference ("camera:<uuid>"), and a search names every owner's cameras it returned: only
the references that are this owner's own cameras are ever shown, with the owner's own
labels. Officers appear by badge, or by role when they have none; never by name.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from audit.models import AccessEvent, Action, Outcome
from cameras.selectors import cameras_of_owner

CAMERA_TARGET_PREFIX = "camera:"
LIVE_ACTIONS = frozenset({Action.LIVE_START, Action.LIVE_END})

# Why an access was refused, said to the camera's owner. Reason codes are those of
# docs/audit-events.md that can occur on an event touching a camera.
_REFUSALS: dict[str, Promise] = {
    "role_not_permitted": gettext_lazy("their role does not allow it"),
    "account_inactive": gettext_lazy("their account is deactivated"),
    "mfa_required": gettext_lazy("they had not passed two-factor authentication"),
    "purpose_required": gettext_lazy("they had not stated a purpose"),
    "purpose_not_yours": gettext_lazy("the purpose they cited was stated by someone else"),
    "purpose_expired": gettext_lazy("their stated purpose had expired"),
    "prohibited_purpose": gettext_lazy("the purpose is prohibited by department policy"),
    "unknown_purpose_category": gettext_lazy("the purpose is not in the department's list"),
    "not_found": gettext_lazy("the camera was not found"),
    "owner_not_sharing": gettext_lazy("you do not share your contact details with police"),
    "residential_live_view_disallowed": gettext_lazy("department policy does not allow live view of home cameras"),
    "no_grant": gettext_lazy("you have not given consent for this camera"),
    "level_too_low": gettext_lazy("your consent does not allow this"),
    "revoked": gettext_lazy("you had withdrawn consent"),
    "expired": gettext_lazy("your consent had ended"),
    "paused": gettext_lazy("you had paused the camera"),
    "outside_window": gettext_lazy("it was outside your live-view schedule"),
    "exigent_only": gettext_lazy("you allow live view only in an emergency"),
}


@dataclass(frozen=True)
class CameraRef:
    public_id: uuid.UUID
    label: str


@dataclass(frozen=True)
class AccessEntry:
    """One event as its owner may see it: nothing about other owners, nothing about the officer
    beyond badge and role."""

    seq: int
    occurred_at: dt.datetime  # in the department's time zone
    action: str
    action_label: str
    cameras: tuple[CameraRef, ...]  # the owner's cameras the event touched (that still exist)
    deleted_camera: bool  # it touched only cameras of theirs that have since been deleted
    officer_badge: str
    officer_role: str
    officer: str  # "Badge 4711", or the role in words
    purpose_category: str
    purpose_category_label: str
    case_number: str
    allowed: bool
    reason: str
    outcome_text: str  # "Allowed", or "Denied: <why>"
    duration_seconds: int | None  # live views only

    @property
    def camera_labels(self) -> str:
        labels = [camera.label for camera in self.cameras]
        if self.deleted_camera:
            labels.append(str(_("a deleted camera")))
        return ", ".join(labels)


def camera_public_ids(targets: Iterable[str]) -> list[uuid.UUID]:
    """The camera ids among an event's typed references (malformed ones are skipped)."""
    ids = []
    for target in targets:
        if target.startswith(CAMERA_TARGET_PREFIX):
            try:
                ids.append(uuid.UUID(target.removeprefix(CAMERA_TARGET_PREFIX)))
            except ValueError:
                continue
    return ids


def officer_words(*, badge: str, role: str) -> str:
    if badge:
        return _("Badge %(badge)s") % {"badge": badge}
    if role in Role.values:
        return str(Role(role).label)
    return _("Unknown")


def category_words(category: str) -> str:
    return category.replace("_", " ")


def outcome_words(*, outcome: str, reason: str) -> str:
    if outcome == Outcome.ALLOWED:
        return _("Allowed")
    why = _REFUSALS.get(reason)
    if why is None:
        return _("Denied")
    return _("Denied: %(reason)s") % {"reason": why}


def access_entry(event: AccessEvent, *, own_cameras: dict[uuid.UUID, str], time_zone: str) -> AccessEntry:
    """``own_cameras`` maps the owner's camera ids to their labels; other targets are dropped."""
    mine = tuple(CameraRef(pid, own_cameras[pid]) for pid in camera_public_ids(event.targets) if pid in own_cameras)
    return AccessEntry(
        seq=event.seq,
        occurred_at=event.occurred_at.astimezone(ZoneInfo(time_zone)),
        action=event.action,
        action_label=str(Action(event.action).label) if event.action in Action.values else event.action,
        cameras=mine,
        # The event names this owner (owner_refs) but none of their cameras now: those were
        # deleted since. Another owner's reference in a search cannot be told apart from a
        # deleted camera of this owner, so it is never shown as one of theirs.
        deleted_camera=not mine,
        officer_badge=event.actor_badge,
        officer_role=event.actor_role,
        officer=officer_words(badge=event.actor_badge, role=event.actor_role),
        purpose_category=event.purpose_category,
        purpose_category_label=category_words(event.purpose_category),
        case_number=event.case_number,
        allowed=event.outcome == Outcome.ALLOWED,
        reason=event.reason,
        outcome_text=outcome_words(outcome=event.outcome, reason=event.reason),
        duration_seconds=event.quantity if event.action in LIVE_ACTIONS and event.quantity_unit == "seconds" else None,
    )


def access_entries_for_owner(*, owner: Any, events: Iterable[AccessEvent], time_zone: str) -> list[AccessEntry]:
    """``events`` (already limited to this owner, e.g. a page of audit.selectors.events_for_owner)
    as the owner sees them. One query for the owner's cameras, whatever the number of events."""
    own_cameras = dict(cameras_of_owner(owner=owner).values_list("public_id", "label"))
    return [access_entry(event, own_cameras=own_cameras, time_zone=time_zone) for event in events]
