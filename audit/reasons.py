"""The reason codes of refused accesses, as the access log stores them (docs/audit-events.md)."""

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

__all__ = ["Refusal", "reason_label", "reason_words"]


class Refusal(StrEnum):
    """Every reason the gate (cameras.access), a service of it, or a reading of the log refuses
    a staff action for, besides the owner's consent (cameras.consent.Reason). Stored as the
    audit event's reason; the log owns the vocabulary, so its own pages use it too."""

    ROLE_NOT_PERMITTED = "role_not_permitted"
    ACCOUNT_INACTIVE = "account_inactive"
    MFA_REQUIRED = "mfa_required"
    PURPOSE_REQUIRED = "purpose_required"
    PURPOSE_NOT_YOURS = "purpose_not_yours"
    PURPOSE_EXPIRED = "purpose_expired"
    PROHIBITED_PURPOSE = "prohibited_purpose"
    UNKNOWN_PURPOSE_CATEGORY = "unknown_purpose_category"
    CASE_NUMBER_MISSING = "case_number_missing"
    REASON_MISSING = "reason_missing"
    UNKNOWN_AUTHORITY = "unknown_authority"
    WARRANT_NUMBER_MISSING = "warrant_number_missing"
    NOT_FOUND = "not_found"
    OWNER_NOT_SHARING = "owner_not_sharing"
    DEPARTMENT_CAMERA = "department_camera"
    RESIDENTIAL_LIVE_VIEW_DISALLOWED = "residential_live_view_disallowed"
    APPROVAL_REQUIRED = "approval_required"
    TOO_MANY_LIVE_VIEWS = "too_many_live_views"
    TOO_MANY_MESSAGES = "too_many_messages"
    LIVE_VIEW_ENDED = "live_view_ended"
    SELF_APPROVAL = "self_approval"
    NOT_EXIGENT = "not_exigent"
    ALREADY_APPROVED = "already_approved"
    ALREADY_DENIED = "already_denied"
    APPROVAL_DENIED = "approval_denied"
    DENIAL_REASON_MISSING = "denial_reason_missing"
    NOT_ON_CASE = "not_on_case"
    INVALID_FILTER = "invalid_filter"
    # A board write (a review note, a complaint or records request) whose form does not hold.
    INVALID_INPUT = "invalid_input"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    HOTLIST_BLOCKED = "hotlist_blocked"
    HOTLIST_NOT_ALLOWED = "hotlist_not_allowed"


# The board's words for every reason code the log stores (docs/audit-events.md): the log's own
# refusals (Refusal), the owner's consent (cameras.consent.Reason, whose sentences for officers
# are cameras.access.denials), the reason an allowed event carries (``ok``) and why a live view
# ended (live.models.EndReason). The log cannot import the apps above it, so it keeps the words
# of the vocabulary it stores; a code without words is shown as itself.
_WORDS: dict[str, Promise] = {
    "ok": gettext_lazy("Allowed"),
    Refusal.ROLE_NOT_PERMITTED: gettext_lazy("Role not permitted"),
    Refusal.ACCOUNT_INACTIVE: gettext_lazy("Account deactivated"),
    Refusal.MFA_REQUIRED: gettext_lazy("Two-factor authentication required"),
    Refusal.PURPOSE_REQUIRED: gettext_lazy("No purpose stated"),
    Refusal.PURPOSE_NOT_YOURS: gettext_lazy("Purpose stated by someone else"),
    Refusal.PURPOSE_EXPIRED: gettext_lazy("Purpose expired"),
    Refusal.PROHIBITED_PURPOSE: gettext_lazy("Purpose prohibited by policy"),
    Refusal.UNKNOWN_PURPOSE_CATEGORY: gettext_lazy("Unknown purpose category"),
    Refusal.CASE_NUMBER_MISSING: gettext_lazy("Case number missing"),
    Refusal.REASON_MISSING: gettext_lazy("Reason missing"),
    Refusal.UNKNOWN_AUTHORITY: gettext_lazy("Unknown authority"),
    Refusal.WARRANT_NUMBER_MISSING: gettext_lazy("Warrant number missing"),
    Refusal.NOT_FOUND: gettext_lazy("Not found"),
    Refusal.OWNER_NOT_SHARING: gettext_lazy("Owner does not share contact details"),
    Refusal.DEPARTMENT_CAMERA: gettext_lazy("Request or message to the department's own camera"),
    Refusal.RESIDENTIAL_LIVE_VIEW_DISALLOWED: gettext_lazy("Live view of home cameras not allowed by policy"),
    Refusal.APPROVAL_REQUIRED: gettext_lazy("Supervisor approval required"),
    Refusal.TOO_MANY_LIVE_VIEWS: gettext_lazy("Too many live views at once"),
    Refusal.TOO_MANY_MESSAGES: gettext_lazy("Too many messages"),
    Refusal.LIVE_VIEW_ENDED: gettext_lazy("Live view already ended"),
    Refusal.SELF_APPROVAL: gettext_lazy("Own purpose approved by oneself"),
    Refusal.NOT_EXIGENT: gettext_lazy("Category not exigent"),
    Refusal.ALREADY_APPROVED: gettext_lazy("Already approved"),
    Refusal.ALREADY_DENIED: gettext_lazy("Already denied"),
    Refusal.APPROVAL_DENIED: gettext_lazy("Exigent purpose denied by a supervisor"),
    Refusal.DENIAL_REASON_MISSING: gettext_lazy("Reason for the denial missing"),
    Refusal.NOT_ON_CASE: gettext_lazy("Footage requested for another case"),
    Refusal.INVALID_FILTER: gettext_lazy("Invalid filter"),
    Refusal.INVALID_INPUT: gettext_lazy("Invalid input"),
    Refusal.CHECKPOINT_MISMATCH: gettext_lazy("The log no longer matches the checkpoint"),
    Refusal.HOTLIST_BLOCKED: gettext_lazy("Plate-reader hotlist category blocked by policy"),
    Refusal.HOTLIST_NOT_ALLOWED: gettext_lazy("Plate-reader hotlist category not accepted by policy"),
    # the owner's consent
    "no_grant": gettext_lazy("No consent from the owner"),
    "level_too_low": gettext_lazy("Level too low"),
    "revoked": gettext_lazy("Consent withdrawn"),
    "expired": gettext_lazy("Consent expired"),
    "paused": gettext_lazy("Camera paused by the owner"),
    "outside_window": gettext_lazy("Outside the owner's hours"),
    "exigent_only": gettext_lazy("Emergencies only"),
    # why a live view ended
    "viewer_left": gettext_lazy("Viewer left"),
    "time_limit": gettext_lazy("Time limit reached"),
    "consent": gettext_lazy("Consent no longer allows it"),
    "owner_ended": gettext_lazy("Ended by the owner"),
    "account": gettext_lazy("Account deactivated"),
    "role": gettext_lazy("No longer a camera role"),
    "purpose": gettext_lazy("Purpose expired"),
    "session": gettext_lazy("Signed out"),
    "mfa": gettext_lazy("Two-factor authentication lost"),
    "policy": gettext_lazy("No longer allowed by policy"),
    "relay": gettext_lazy("Video relay unavailable"),
    "error": gettext_lazy("Server error"),
    "lost": gettext_lazy("Server process lost"),
}


def reason_words(code: str) -> str:
    """A reason code in words, in the active language (the code itself if it has none)."""
    words = _WORDS.get(code)
    return str(words) if words is not None else code


def reason_label(code: str) -> str:
    """For the board, who also reads the codes in docs/audit-events.md and in exports: the words
    and the code, "Level too low (level_too_low)"."""
    words = _WORDS.get(code)
    return f"{words} ({code})" if words is not None else code
