"""Police access to footage an owner chose to send: role, MFA and purpose, no live consent check."""

from typing import Any

from django.db import transaction

from audit.models import Outcome
from audit.services import EventFacts
from tenants.selectors import policy_rules_current

from ..consent import Reason
from ..models import Purpose
from .denials import _MESSAGES
from .gate import CAMERA_ROLES, Actor, Decision, _record, _staff_denial


def evidence_authorize(
    *,
    actor: Actor,
    action: str,
    purpose: Purpose | None,
    targets: list[str],
    owner_refs: list[int],
    quantity: int | None = None,
    quantity_unit: str = "",
    details: dict[str, Any] | None = None,
    extra_denial: str | None = None,
) -> Decision:
    """Police access to footage an owner chose to send (view, download, export, holds).

    The owner's consent was given by sending it, so no live consent check applies; role,
    MFA and purpose do, and every decision is one event. ``quantity`` is what an allowed
    access delivers: a refused one delivered nothing and records none.
    """
    policy = policy_rules_current()
    with transaction.atomic():
        reason = _staff_denial(actor, CAMERA_ROLES, purpose, policy) or extra_denial
        facts = EventFacts(
            action=action,
            outcome=Outcome.ALLOWED if reason is None else Outcome.DENIED,
            reason=reason or Reason.OK,
            targets=targets,
            owner_refs=owner_refs,
            quantity=quantity if reason is None else None,
            quantity_unit=quantity_unit if reason is None else "",
            details=details or {},
        )
        seq = _record(actor, facts, purpose)
    return Decision(reason is None, reason or Reason.OK, str(_MESSAGES.get(reason or "", "")), seq)
