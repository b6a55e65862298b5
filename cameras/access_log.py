"""The access log as an owner sees it: "who looked at my cameras".

Shared by the owner's page (/my/access/), the API (/api/v1/me/access-events/), the e-mail
notices and the owner's data export (ownerdata), so that all say the same thing; it lives
here, below those interfaces, so that none of them imports another. An event names cameras by typed
reference ("camera:<uuid>"), and a search names every owner's cameras it returned: only
the references that are this owner's own cameras are ever shown, with the owner's own
labels and the property each is on (an owner may have a "Front door" at two addresses).
Officers appear by badge, or by role when they have none; never by name.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from audit.models import AccessEvent, Action, Outcome

from .access.denials import Refusal
from .consent import Reason
from .models import Camera
from .selectors import cameras_of_owner
from .words import purpose_label

CAMERA_TARGET_PREFIX = "camera:"
CLIP_TARGET_PREFIX = "clip:"
LIVE_ACTIONS = frozenset({Action.LIVE_START, Action.LIVE_END})

# Why an access was refused, said to the camera's owner. Reason codes are those of
# docs/audit-events.md that can occur on an event touching a camera.
_REFUSALS: dict[str, Promise] = {
    Refusal.ROLE_NOT_PERMITTED: gettext_lazy("their role does not allow it"),
    Refusal.ACCOUNT_INACTIVE: gettext_lazy("their account is deactivated"),
    Refusal.MFA_REQUIRED: gettext_lazy("they had not passed two-factor authentication"),
    Refusal.PURPOSE_REQUIRED: gettext_lazy("they had not stated a purpose"),
    Refusal.PURPOSE_NOT_YOURS: gettext_lazy("the purpose they cited was stated by someone else"),
    Refusal.PURPOSE_EXPIRED: gettext_lazy("their stated purpose had expired"),
    Refusal.PROHIBITED_PURPOSE: gettext_lazy("the purpose is prohibited by department policy"),
    Refusal.UNKNOWN_PURPOSE_CATEGORY: gettext_lazy("the purpose is not in the department's list"),
    Refusal.NOT_FOUND: gettext_lazy("the camera was not found"),
    Refusal.OWNER_NOT_SHARING: gettext_lazy("you do not share your contact details with police"),
    Refusal.RESIDENTIAL_LIVE_VIEW_DISALLOWED: gettext_lazy(
        "department policy does not allow live view of home cameras"
    ),
    Reason.NO_GRANT: gettext_lazy("you have not given consent for this camera"),
    Reason.LEVEL_TOO_LOW: gettext_lazy("your consent does not allow this"),
    Reason.REVOKED: gettext_lazy("you had withdrawn consent"),
    Reason.EXPIRED: gettext_lazy("your consent had ended"),
    Reason.PAUSED: gettext_lazy("you had paused the camera"),
    Reason.OUTSIDE_WINDOW: gettext_lazy("it was outside your live-view schedule"),
    Reason.EXIGENT_ONLY: gettext_lazy("you allow live view only in an emergency"),
    Refusal.TOO_MANY_MESSAGES: gettext_lazy("the officer had sent too many messages"),
}


# A refused attempt, said to the camera's owner: the action's own name ("Live view
# started", "Clip downloaded") would claim that it happened. Actions missing here read
# right either way ("Footage requested": the request was made, and refused).
_ATTEMPTS: dict[str, Promise] = {
    Action.CAMERA_VIEW: gettext_lazy("Attempt to view camera details"),
    Action.OWNER_CONTACT_VIEW: gettext_lazy("Attempt to view your contact details"),
    Action.MESSAGE_SEND: gettext_lazy("Attempt to send you a message"),
    Action.LIVE_START: gettext_lazy("Attempt to start a live view"),
    Action.LIVE_EXTEND: gettext_lazy("Attempt to extend a live view"),
    Action.CLIP_VIEW: gettext_lazy("Attempt to view your footage"),
    Action.CLIP_DOWNLOAD: gettext_lazy("Attempt to download your footage"),
    Action.EXPORT: gettext_lazy("Attempt to export your footage"),
    Action.EVIDENCE_HOLD: gettext_lazy("Attempt to place or release a legal hold on your footage"),
}


@dataclass(frozen=True)
class CameraRef:
    public_id: uuid.UUID
    label: str
    site: str  # the property it is on: the owner's name for it, or its address


@dataclass(frozen=True)
class AccessEntry:
    """One event as its owner may see it: nothing about other owners, nothing about the officer
    beyond badge and role."""

    seq: int
    occurred_at: dt.datetime | None  # in the department's time zone; None: edited to one out of range
    action: str
    action_label: str
    cameras: tuple[CameraRef, ...]  # the owner's cameras the event touched (that still exist)
    deleted_camera: bool  # it touched only cameras of theirs that have since been deleted
    officer_badge: str
    officer: str  # "Badge 4711", or the role in words (the role is never given beside a badge)
    purpose_category: str
    purpose_category_label: str
    case_number: str
    allowed: bool
    reason: str
    outcome_text: str  # "Allowed", or "Denied: <why>"
    duration_seconds: int | None  # live views only

    @property
    def camera_labels(self) -> str:
        """The cameras in words, each property named once: "Driveway, Back yard (1 Main St)"."""
        by_site: dict[str, list[str]] = {}
        for camera in self.cameras:
            by_site.setdefault(camera.site, []).append(camera.label)
        parts = [
            _("%(cameras)s (%(site)s)") % {"cameras": ", ".join(labels), "site": site}
            for site, labels in by_site.items()
        ]
        if self.deleted_camera:
            parts.append(str(_("a deleted camera")))
        return "; ".join(parts)


def camera_ref(camera: Camera) -> CameraRef:
    """An owner's camera as the log names it (``camera.site`` should be loaded with it)."""
    return CameraRef(camera.public_id, camera.label, str(camera.site))


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


def action_words(*, action: str, allowed: bool, targets: Iterable[str]) -> str:
    if not allowed and action in _ATTEMPTS:
        return str(_ATTEMPTS[action])
    if action == Action.EXPORT and any(t.startswith(CLIP_TARGET_PREFIX) for t in targets):
        # "export" is also the canvass list's; one naming clips is the owner's footage.
        return _("Footage exported as evidence")
    return str(Action(action).label) if action in Action.values else action


def outcome_words(*, outcome: str, reason: str) -> str:
    if outcome == Outcome.ALLOWED:
        return _("Allowed")
    why = _REFUSALS.get(reason)
    if why is None:
        return _("Denied")
    return _("Denied: %(reason)s") % {"reason": why}


def access_entry(event: AccessEvent, *, own_cameras: dict[uuid.UUID, CameraRef], time_zone: str) -> AccessEntry:
    """``own_cameras`` maps the owner's camera ids to how they are named (camera_ref); other
    targets are dropped."""
    mine = tuple(own_cameras[pid] for pid in dict.fromkeys(camera_public_ids(event.targets)) if pid in own_cameras)
    allowed = event.outcome == Outcome.ALLOWED
    return AccessEntry(
        seq=event.seq,
        occurred_at=event.occurred_at.astimezone(ZoneInfo(time_zone)) if event.occurred_at else None,
        action=event.action,
        action_label=action_words(action=event.action, allowed=allowed, targets=event.targets),
        cameras=mine,
        # The event names this owner (owner_refs) but none of their cameras now: those were
        # deleted since. Another owner's reference in a search cannot be told apart from a
        # deleted camera of this owner, so it is never shown as one of theirs.
        deleted_camera=not mine,
        officer_badge=event.actor_badge,
        officer=officer_words(badge=event.actor_badge, role=event.actor_role),
        purpose_category=event.purpose_category,
        # The department's words for the category, in the reader's language (as the console).
        purpose_category_label=purpose_label(event.purpose_category),
        case_number=event.case_number,
        allowed=allowed,
        reason=event.reason,
        outcome_text=outcome_words(outcome=event.outcome, reason=event.reason),
        duration_seconds=event.quantity if event.action in LIVE_ACTIONS and event.quantity_unit == "seconds" else None,
    )


def access_entries_for_owner(*, owner: User, events: Iterable[AccessEvent], time_zone: str) -> list[AccessEntry]:
    """``events`` (already limited to this owner, e.g. a page of audit.selectors.events_for_owner)
    as the owner sees them. One query for the owner's cameras, whatever the number of events."""
    own_cameras = {camera.public_id: camera_ref(camera) for camera in cameras_of_owner(owner=owner)}
    return [access_entry(event, own_cameras=own_cameras, time_zone=time_zone) for event in events]
