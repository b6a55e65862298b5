"""Reading back the track of a past live view of a mobile camera (body-worn, drone, vehicle).

A track is where one of the department's own cameras went while an officer watched it: the
positions live.positions kept during that live session. Reading it back is a staff access to
camera data like any other: one decision, taken now, written as one ``track_read`` event.

Who may read it:

- the officer who watched (their own session), and supervisors (they review their team's
  activity), each with a stated purpose, as for every console action;
- the department's administrators, for the department that owns the camera, and the
  oversight board: they read the record of what was done, as they read the log, with no
  purpose of their own;
- nobody else; another officer's session is refused as ``role_not_permitted`` and answered as
  missing.

No resident's consent applies (a mobile source is the department's property: it is never a
resident's camera), and retiring the camera does not erase what was recorded while it served:
the track is kept for the footage retention (live.positions.position_samples_purge), as the log
keeps the events that name it.
"""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import Role
from audit.models import Action, Outcome
from audit.reasons import Refusal
from audit.services import EventFacts
from tenants.selectors import policy_rules_current

from ..consent import Reason
from ..models import Purpose
from .denials import denial_message
from .gate import CAMERA_ROLES, Actor, Decision, _record, _staff_denial

__all__ = ["TRACK_READER_ROLES", "TrackSubject", "track_authorize"]

# Roles that read the record of a session without a purpose of their own.
_RECORD_READERS = frozenset({Role.DEPT_ADMIN, Role.OVERSIGHT})
TRACK_READER_ROLES = CAMERA_ROLES | _RECORD_READERS


@dataclass(frozen=True)
class TrackSubject:
    """The session whose track is asked for, as the caller found it, or the list of a mobile
    camera's sessions with a track (``session_ref`` empty, ``officer_id`` None: an officer's
    list holds only their own sessions). None: no such session or camera in this department,
    or not a mobile camera."""

    session_ref: str  # "live_session:<uuid>"; "" for the list
    camera_ref: str  # "camera:<uuid>"
    officer_id: int | None  # who watched; None for the list
    points: int  # how many positions (or sessions, for the list) an allowed read delivers


def _denial(actor: Actor, purpose: Purpose | None, subject: TrackSubject | None) -> str | None:
    user = actor.user
    role = getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""
    if role in CAMERA_ROLES:
        reason = _staff_denial(actor, CAMERA_ROLES, purpose, policy_rules_current())
    elif role not in _RECORD_READERS:
        reason = Refusal.ROLE_NOT_PERMITTED
    elif not user.is_active:
        reason = Refusal.ACCOUNT_INACTIVE
    elif not actor.mfa:
        reason = Refusal.MFA_REQUIRED
    else:
        reason = None
    if reason is not None:
        return reason
    if subject is None:
        return Refusal.NOT_FOUND
    if role == Role.OFFICER and subject.officer_id not in (None, user.pk):
        return Refusal.ROLE_NOT_PERMITTED
    return None


def _details(subject: TrackSubject | None, asked_for: str) -> dict[str, str]:
    if subject is None:
        return {"asked_for": asked_for[:80]}
    return {} if subject.session_ref else {"list": "sessions"}


def track_authorize(*, actor: Actor, purpose: Purpose | None, subject: TrackSubject | None, asked_for: str) -> Decision:
    """Decide whether ``actor`` may read the track of a past live session (or the list of a
    mobile camera's sessions) now, and record it: one ``track_read`` event, allowed or denied,
    in this transaction. ``asked_for`` is the id as the caller was given it, kept (cut short) in
    the event of a refusal for an id that names nothing here. An allowed read records how many
    positions (or sessions, for the list) it delivers."""
    with transaction.atomic():
        reason = _denial(actor, purpose, subject)
        allowed = reason is None
        targets = [ref for ref in (subject.session_ref, subject.camera_ref) if ref] if subject is not None else []
        facts = EventFacts(
            action=Action.TRACK_READ,
            outcome=Outcome.ALLOWED if allowed else Outcome.DENIED,
            reason=reason or Reason.OK,
            targets=targets,
            quantity=subject.points if allowed and subject is not None else None,
            quantity_unit="rows" if allowed else "",
            details=_details(subject, asked_for),
        )
        # The department owns the camera: no owner is told (there is no resident to tell).
        seq = _record(actor, facts, purpose, notify=False)
    return Decision(allowed, reason or Reason.OK, denial_message(reason, Action.TRACK_READ) if reason else "", seq)
