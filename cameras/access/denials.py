"""The words an officer reads for each refusal of the gate (never the raw reason code).

The catalogue is also the list of reason codes docs/audit-events.md must explain
(tests/audit/test_documentation.py).
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from audit.models import Action
from audit.reasons import Refusal

from ..consent import Reason

# Refusals that stating a purpose (again) cures: pages then link to the purpose page.
RESTATE_PURPOSE = frozenset(
    {Refusal.PURPOSE_REQUIRED, Refusal.PURPOSE_EXPIRED, Refusal.PURPOSE_NOT_YOURS, Refusal.PROHIBITED_PURPOSE}
)

# A live view has words of its own for some refusals (_LIVE_MESSAGES); the gate's checks use it too.
_LIVE_ACTIONS = frozenset({Action.LIVE_START, Action.LIVE_EXTEND})


_MESSAGES: dict[str, Promise] = {
    Refusal.ROLE_NOT_PERMITTED: gettext_lazy("Your role does not allow this."),
    Refusal.ACCOUNT_INACTIVE: gettext_lazy("This account is deactivated."),
    Refusal.MFA_REQUIRED: gettext_lazy("Two-factor authentication is required for this."),
    Refusal.PURPOSE_REQUIRED: gettext_lazy("State a purpose (case number, category and reason) first."),
    Refusal.PURPOSE_NOT_YOURS: gettext_lazy("That purpose was stated by someone else."),
    Refusal.PURPOSE_EXPIRED: gettext_lazy("That purpose has expired; state it again."),
    Refusal.PROHIBITED_PURPOSE: gettext_lazy("This purpose is prohibited by department policy."),
    Refusal.UNKNOWN_PURPOSE_CATEGORY: gettext_lazy("That purpose category is not in the department's list."),
    Refusal.NOT_FOUND: gettext_lazy("No such camera."),
    Refusal.OWNER_NOT_SHARING: gettext_lazy("The owner does not share contact details with police."),
    Refusal.DEPARTMENT_CAMERA: gettext_lazy(
        "This is one of the department's own cameras: it has no owner to ask or message. Ask for"
        " its recordings through the department's evidence process."
    ),
    Refusal.RESIDENTIAL_LIVE_VIEW_DISALLOWED: gettext_lazy(
        "Department policy does not allow live view of home cameras."
    ),
    Refusal.APPROVAL_REQUIRED: gettext_lazy("A supervisor must approve this exigent purpose first."),
    Refusal.TOO_MANY_LIVE_VIEWS: gettext_lazy("At most nine live views at once."),
    Refusal.TOO_MANY_MESSAGES: gettext_lazy("You have sent too many messages in the last hour; try again later."),
    Refusal.LIVE_VIEW_ENDED: gettext_lazy("This live view has already ended."),
    Refusal.SELF_APPROVAL: gettext_lazy("A second person must approve: you cannot approve your own purpose."),
    Refusal.NOT_EXIGENT: gettext_lazy("This category is not exigent under department policy."),
    Refusal.ALREADY_APPROVED: gettext_lazy("This purpose has already been approved."),
    Refusal.ALREADY_DENIED: gettext_lazy("This purpose has already been denied."),
    Refusal.APPROVAL_DENIED: gettext_lazy("A supervisor denied this exigent purpose: state a new purpose."),
    Refusal.DENIAL_REASON_MISSING: gettext_lazy("Give the reason for the denial: the officer is told it."),
    Refusal.NOT_ON_CASE: gettext_lazy(
        "This footage was requested for another case: state a purpose with that case number to see it."
    ),
    # The owner's consent (cameras.consent.Reason), as the officer is told it.
    Reason.NO_GRANT: gettext_lazy("The owner has not given consent for this camera."),
    Reason.LEVEL_TOO_LOW: gettext_lazy("The owner's consent does not allow this for this camera."),
    Reason.REVOKED: gettext_lazy("The owner has withdrawn consent for this camera."),
    Reason.EXPIRED: gettext_lazy("The owner's consent for this camera has expired."),
    Reason.PAUSED: gettext_lazy("The owner has paused this camera."),
    Reason.OUTSIDE_WINDOW: gettext_lazy("The owner does not allow live view of this camera at this hour."),
    Reason.EXIGENT_ONLY: gettext_lazy("The owner allows live view of this camera only in an emergency."),
}
# Where a live view needs its own words for a reason every action shares.
_LIVE_MESSAGES: dict[str, Promise] = {
    Reason.LEVEL_TOO_LOW: gettext_lazy("The owner does not allow live view of this camera."),
}
_NOT_ALLOWED = gettext_lazy("This is not allowed.")


def denial_message(reason: str, action: str = "") -> str:
    """The sentence an officer is shown for a refusal, in the active language; never the raw
    reason code (a reason without words of its own gets a general sentence)."""
    message = _LIVE_MESSAGES.get(reason) if action in _LIVE_ACTIONS else None
    return str(message or _MESSAGES.get(reason, _NOT_ALLOWED))
