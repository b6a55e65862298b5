"""The words an officer reads for each refusal of the gate (never the raw reason code).

The catalogue is also the list of reason codes docs/audit-events.md must explain
(tests/audit/test_documentation.py).
"""

from django.utils.translation import gettext_lazy

from audit.models import Action

# A live view has words of its own for some refusals (_LIVE_MESSAGES); the gate's checks use it too.
_LIVE_ACTIONS = frozenset({Action.LIVE_START, Action.LIVE_EXTEND})


_MESSAGES = {
    "role_not_permitted": gettext_lazy("Your role does not allow this."),
    "account_inactive": gettext_lazy("This account is deactivated."),
    "mfa_required": gettext_lazy("Two-factor authentication is required for this."),
    "purpose_required": gettext_lazy("State a purpose (case number, category and reason) first."),
    "purpose_not_yours": gettext_lazy("That purpose was stated by someone else."),
    "purpose_expired": gettext_lazy("That purpose has expired; state it again."),
    "prohibited_purpose": gettext_lazy("This purpose is prohibited by department policy."),
    "unknown_purpose_category": gettext_lazy("That purpose category is not in the department's list."),
    "not_found": gettext_lazy("No such camera."),
    "owner_not_sharing": gettext_lazy("The owner does not share contact details with police."),
    "residential_live_view_disallowed": gettext_lazy("Department policy does not allow live view of home cameras."),
    "approval_required": gettext_lazy("A supervisor must approve this exigent purpose first."),
    "too_many_live_views": gettext_lazy("At most nine live views at once."),
    "too_many_messages": gettext_lazy("You have sent too many messages in the last hour; try again later."),
    "live_view_ended": gettext_lazy("This live view has already ended."),
    "self_approval": gettext_lazy("A second person must approve: you cannot approve your own purpose."),
    "not_exigent": gettext_lazy("This category is not exigent under department policy."),
    "already_approved": gettext_lazy("This purpose has already been approved."),
    "already_denied": gettext_lazy("This purpose has already been denied."),
    "approval_denied": gettext_lazy("A supervisor denied this exigent purpose: state a new purpose."),
    "denial_reason_missing": gettext_lazy("Give the reason for the denial: the officer is told it."),
    "not_on_case": gettext_lazy(
        "This footage was requested for another case: state a purpose with that case number to see it."
    ),
    # The owner's consent (cameras.consent.Reason), as the officer is told it.
    "no_grant": gettext_lazy("The owner has not given consent for this camera."),
    "level_too_low": gettext_lazy("The owner's consent does not allow this for this camera."),
    "revoked": gettext_lazy("The owner has withdrawn consent for this camera."),
    "expired": gettext_lazy("The owner's consent for this camera has expired."),
    "paused": gettext_lazy("The owner has paused this camera."),
    "outside_window": gettext_lazy("The owner does not allow live view of this camera at this hour."),
    "exigent_only": gettext_lazy("The owner allows live view of this camera only in an emergency."),
}
# Where a live view needs its own words for a reason every action shares.
_LIVE_MESSAGES = {
    "level_too_low": gettext_lazy("The owner does not allow live view of this camera."),
}
_NOT_ALLOWED = gettext_lazy("This is not allowed.")


def denial_message(reason: str, action: str = "") -> str:
    """The sentence an officer is shown for a refusal, in the active language; never the raw
    reason code (a reason without words of its own gets a general sentence)."""
    message = _LIVE_MESSAGES.get(reason) if action in _LIVE_ACTIONS else None
    return str(message or _MESSAGES.get(reason, _NOT_ALLOWED))
