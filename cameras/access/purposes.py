"""The purpose an officer states before any access, and a supervisor's decision on an exigent one."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from audit.models import Action, Outcome
from audit.services import EventFacts
from core.errors import Invalid
from notifications import services as notices
from notifications.models import Kind
from tenants.models import PURPOSE_LABELS
from tenants.selectors import PolicyRules, policy_rules_current

from ..consent import Reason
from ..models import Purpose
from ..words import purpose_label
from .denials import _MESSAGES, Refusal, denial_message
from .gate import CAMERA_ROLES, Actor, _record, _staff_denial

PURPOSE_LIFETIME = dt.timedelta(hours=12)


class PurposeRefused(Invalid):
    """The stated purpose (or a supervisor's decision on one) cannot be accepted; the message
    says why, ``code`` is its Refusal and ``field`` the input it is about (what to change, as
    for a form: the API answers 400 naming the field). It is logged."""

    def __init__(self, message: str, *, code: str, field: str = "category") -> None:
        super().__init__(message, code=code, field=field)


def purpose_declare(
    *,
    actor: Actor,
    case_number: str,
    category: str,
    text: str,
    authority: str = "consent",
    warrant_number: str = "",
    approvals_link: str = "",
    incident_ref: Any = None,
) -> Purpose:
    """Record the purpose an officer states before searching; refusals are logged too.

    An exigent purpose that policy makes wait for a supervisor's approval is announced to
    every other supervisor of the department, in the same transaction; ``approvals_link`` is
    the page where they decide (the interface's, which the gate does not know).
    ``incident_ref`` is the incident the purpose is for (its public id, checked by the caller):
    every event of the purpose then names it."""
    policy = policy_rules_current()
    case_number, text, warrant_number = case_number.strip(), text.strip(), warrant_number.strip()
    stated = {
        "case_number": case_number,
        "category": category,
        "text": text,
        "authority": authority,
        "warrant_number": warrant_number,
    }
    problem: tuple[str, str, str] | None = None
    role_denial = _staff_denial(actor, CAMERA_ROLES, None, policy)
    if role_denial not in (None, Refusal.PURPOSE_REQUIRED):
        problem = (role_denial or "", str(_MESSAGES[role_denial or ""]), "category")
    elif category in policy.prohibited_purposes:
        problem = (
            Refusal.PROHIBITED_PURPOSE,
            _("Porchlight refuses this purpose by department policy: %(c)s.") % {"c": purpose_label(category)},
            "category",
        )
    elif not case_number:
        problem = (Refusal.CASE_NUMBER_MISSING, _("Enter the case or incident number."), "case_number")
    elif category not in policy.purpose_categories:
        problem = (Refusal.UNKNOWN_PURPOSE_CATEGORY, _("Choose a category from the department's list."), "category")
    elif not text:
        problem = (Refusal.REASON_MISSING, _("Say in a sentence why you need camera data."), "text")
    elif authority not in ("consent", "warrant", "exigent"):
        problem = (Refusal.UNKNOWN_AUTHORITY, _("Choose the legal authority."), "authority")
    elif authority == "warrant" and not warrant_number:
        problem = (Refusal.WARRANT_NUMBER_MISSING, _("Enter the warrant number."), "warrant_number")
    elif authority == "exigent" and category not in policy.exigent_categories:
        problem = (Refusal.NOT_EXIGENT, _("This category is not exigent under department policy."), "authority")
    if problem is not None:
        # The refusal is recorded (and committed with the request) before it is raised.
        with transaction.atomic():
            _record(actor, EventFacts(Action.PURPOSE_DECLARE, Outcome.DENIED, problem[0]), None, stated=stated)
        raise PurposeRefused(problem[1], code=problem[0], field=problem[2])
    with transaction.atomic():
        purpose = Purpose.objects.create(
            officer=actor.user,
            case_number=case_number,
            category=category,
            text=text,
            authority=authority,
            warrant_number=warrant_number,
            expires_at=timezone.now() + PURPOSE_LIFETIME,
            incident_ref=incident_ref,
        )
        # Before the event: the log's per-department lock is held from its write to the commit.
        if category in policy.exigent_categories and policy.exigent_requires_approval:
            _supervisors_ask(purpose, approvals_link)
        _record(
            actor,
            EventFacts(Action.PURPOSE_DECLARE, Outcome.ALLOWED, Reason.OK, targets=[f"purpose:{purpose.public_id}"]),
            purpose,
        )
    return purpose


def _supervisors_ask(purpose: Purpose, approvals_link: str) -> None:
    """Tell every supervisor but the one who stated it that an exigent purpose waits."""
    officer = purpose.officer
    notices.notification_send_to_role(
        role=Role.SUPERVISOR,
        exclude_user_id=officer.pk,
        kind=Kind.EXIGENT_AWAITING,
        subject=notices.text(
            gettext_lazy("Exigent purpose for case %(case)s awaits your approval"), case=purpose.case_number
        ),
        body=notices.text(
            gettext_lazy(
                "%(officer)s stated an exigent purpose for case %(case)s (%(category)s). Live views of "
                "emergency-only cameras wait for a supervisor to approve or deny it."
            ),
            officer=officer.display_label,
            case=purpose.case_number,
            # lazy: rendered in each supervisor's language, as the rest of the sentence
            category=PURPOSE_LABELS.get(purpose.category, purpose.category.replace("_", " ")),
        ),
        link=f"{approvals_link}#purpose-{purpose.public_id}" if approvals_link else "",
        once_key=_awaiting_key(purpose),
    )


def _awaiting_key(purpose: Purpose) -> str:
    return f"exigent-awaiting:{purpose.public_id}"


def _officer_tell(purpose: Purpose, *, supervisor: User, approved: bool, officer_link: str) -> None:
    """Tell the officer who stated the purpose what a supervisor decided (and why, if denied)."""
    if approved:
        subject = notices.text(
            gettext_lazy("Your exigent purpose for case %(case)s was approved"), case=purpose.case_number
        )
        body = notices.text(
            gettext_lazy("%(supervisor)s approved your exigent purpose for case %(case)s."),
            supervisor=supervisor.display_label,
            case=purpose.case_number,
        )
    else:
        subject = notices.text(
            gettext_lazy("Your exigent purpose for case %(case)s was denied"), case=purpose.case_number
        )
        body = notices.text(
            gettext_lazy("%(supervisor)s denied your exigent purpose for case %(case)s. Reason: %(reason)s"),
            supervisor=supervisor.display_label,
            case=purpose.case_number,
            reason=purpose.denial_reason,
        )
    notices.notification_send(
        recipient=purpose.officer,
        kind=Kind.EXIGENT_APPROVED if approved else Kind.EXIGENT_DENIED,
        subject=subject,
        body=body,
        link=officer_link,
    )


def purpose_lookup(*, actor: Actor, public_id: Any) -> Purpose | None:
    """The actor's own purpose by id (another officer's or a malformed id: None)."""
    try:
        return Purpose.objects.filter(public_id=public_id, officer_id=actor.user.pk).first()
    except ValidationError:  # a malformed id from the client is simply "no such purpose"
        return None


def _decision_refusal(actor: Actor, purpose: Purpose | None, policy: PolicyRules) -> str | None:
    """Why this actor may not approve or deny this purpose now (None: they may)."""
    user = actor.user
    if getattr(user, "role", None) != Role.SUPERVISOR or not actor.mfa:
        return Refusal.ROLE_NOT_PERMITTED
    if purpose is None:
        return Refusal.NOT_FOUND
    if purpose.officer_id == user.pk:
        return Refusal.SELF_APPROVAL
    if purpose.category not in policy.exigent_categories:
        return Refusal.NOT_EXIGENT
    if purpose.expires_at <= timezone.now():
        return Refusal.PURPOSE_EXPIRED
    return None


def _purpose_to_decide(purpose_public_id: Any) -> Purpose | None:
    try:
        return Purpose.objects.select_related("officer").filter(public_id=purpose_public_id).first()
    except ValidationError:  # a malformed id from the form is simply "no such purpose"
        return None


def _undecided_claim(purpose: Purpose, **decision: Any) -> str | None:
    """Record the decision on a purpose nobody decided yet (None), else say who was first:
    only the first decision stands, even with two supervisors at once."""
    if Purpose.objects.filter(pk=purpose.pk, approved_by__isnull=True, denied_by__isnull=True).update(**decision):
        # Decided: it no longer waits for the other supervisors who were asked.
        notices.notifications_settle(once_key=_awaiting_key(purpose))
        return None
    decided = Purpose.objects.values_list("approved_by_id", flat=True).get(pk=purpose.pk)
    return Refusal.ALREADY_APPROVED if decided is not None else Refusal.ALREADY_DENIED


def purpose_approve(*, actor: Actor, purpose_public_id: Any, officer_link: str = "") -> Purpose:
    """A supervisor approves another officer's exigent purpose (logged as a second person);
    the officer is told (``officer_link``: where they read it)."""
    policy = policy_rules_current()
    purpose = _purpose_to_decide(purpose_public_id)
    reason = _decision_refusal(actor, purpose, policy)
    with transaction.atomic():
        if reason is None and purpose is not None:
            reason = _undecided_claim(purpose, approved_by=actor.user, approved_at=timezone.now())
        facts = EventFacts(
            Action.EXIGENT_APPROVE,
            Outcome.ALLOWED if reason is None else Outcome.DENIED,
            reason or Reason.OK,
            targets=[f"purpose:{purpose.public_id}"] if purpose else [],
            details={"officer_id": purpose.officer_id} if purpose else {},
        )
        if reason is None and purpose is not None:  # before the event, as purpose_declare does
            _officer_tell(purpose, supervisor=actor.user, approved=True, officer_link=officer_link)
        _record(actor, facts, purpose)
    if reason is not None:
        raise PurposeRefused(denial_message(reason), code=reason)
    assert purpose is not None
    purpose.refresh_from_db()
    return purpose


DENIAL_REASON_MAX = 500


def purpose_deny(*, actor: Actor, purpose_public_id: Any, reason: str, officer_link: str = "") -> Purpose:
    """A supervisor denies another officer's exigent purpose, giving a reason: logged
    (``exigent_deny``, the reason in its details), and the officer is told the reason. A
    denied purpose is never approved; its live views of emergency-only cameras stay refused.

    The same supervisors may decide as may approve; a denial without a reason is refused
    (``PurposeRefused`` on the field ``reason``) and logged as refused."""
    policy = policy_rules_current()
    purpose = _purpose_to_decide(purpose_public_id)
    stated = " ".join(reason.split())[:DENIAL_REASON_MAX]
    refusal = _decision_refusal(actor, purpose, policy) or (None if stated else Refusal.DENIAL_REASON_MISSING)
    with transaction.atomic():
        if refusal is None and purpose is not None:
            refusal = _undecided_claim(purpose, denied_by=actor.user, denied_at=timezone.now(), denial_reason=stated)
        facts = EventFacts(
            Action.EXIGENT_DENY,
            Outcome.ALLOWED if refusal is None else Outcome.DENIED,
            refusal or Reason.OK,
            targets=[f"purpose:{purpose.public_id}"] if purpose else [],
            details={"officer_id": purpose.officer_id, "reason": stated} if purpose else {},
        )
        if refusal is None and purpose is not None:  # before the event, as purpose_declare does
            purpose.refresh_from_db()
            _officer_tell(purpose, supervisor=actor.user, approved=False, officer_link=officer_link)
        _record(actor, facts, purpose)
    if refusal is not None:
        raise PurposeRefused(
            denial_message(refusal),
            code=refusal,
            field="reason" if refusal == Refusal.DENIAL_REASON_MISSING else "purpose",
        )
    assert purpose is not None
    return purpose


def purpose_awaits_approval(*, purpose: Purpose) -> bool:
    """Whether ``purpose`` waits for a supervisor's decision before emergency-only live views."""
    policy = policy_rules_current()
    return (
        policy.exigent_requires_approval
        and purpose.category in policy.exigent_categories
        and purpose.approved_by_id is None
        and purpose.denied_by_id is None
    )


def purposes_awaiting_approval(*, actor: Actor) -> list[Purpose]:
    """Other officers' unexpired exigent purposes without approval (for supervisors)."""
    if getattr(actor.user, "role", None) != Role.SUPERVISOR:
        return []
    policy = policy_rules_current()
    if not policy.exigent_requires_approval:
        return []  # nothing waits: the department lets exigent purposes act without approval
    return list(
        Purpose.objects.filter(
            category__in=policy.exigent_categories,
            approved_by__isnull=True,
            denied_by__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .exclude(officer=actor.user)
        .select_related("officer")[:100]
    )
