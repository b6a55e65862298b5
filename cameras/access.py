"""The access gate: the one way staff reach camera data.

Every police action on camera data calls a function of this module, which

1. checks the actor's role and MFA, the purpose they stated, the department policy and
   the owner's consent as it stands at that instant (cameras.consent.consent_permits);
2. writes exactly one audit.AccessEvent — allowed or denied, with the reason — in the same
   transaction as the action (if that write fails, the action fails: fail closed);
3. returns the decision and, when allowed, the data.

Views, API endpoints, consumers and tasks act only on an allowed decision.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from accounts.selectors import actor_label, session_passed_mfa, user_has_mfa
from audit.models import AccessEvent, Action, Outcome
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record, session_key_hash
from core.sql import CompiledQuery
from notifications import services as notices
from notifications.models import Kind
from tenants.models import PURPOSE_LABELS, DepartmentPolicy
from tenants.selectors import department_current

from . import geo
from .consent import ConsentAction, ConsentLevel, Reason, consent_permits, permitted_until
from .digest import access_notices_record
from .models import Camera, CameraStatus, ConsentGrant, Purpose
from .notices import owners_to_notify
from .selectors import RESIDENTIAL_KINDS, grant_state, grant_state_of
from .words import purpose_label

# Who may do what. Department admins administer and the oversight board reads the log;
# neither looks at cameras.
CAMERA_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})
AUDIT_READER_ROLES = frozenset({Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT})
PURPOSE_LIFETIME = dt.timedelta(hours=12)

_CONSENT_FOR_ACTION: dict[str, ConsentAction] = {
    Action.CAMERA_VIEW: ConsentAction.LOCATE,
    Action.OWNER_CONTACT_VIEW: ConsentAction.LOCATE,
    Action.MESSAGE_SEND: ConsentAction.MESSAGE,
    Action.FOOTAGE_REQUEST: ConsentAction.REQUEST_FOOTAGE,
    Action.LIVE_START: ConsentAction.LIVE_VIEW,
    Action.LIVE_EXTEND: ConsentAction.LIVE_VIEW,  # another period is judged as a new view would be
}
_LIVE_ACTIONS = frozenset({Action.LIVE_START, Action.LIVE_EXTEND})


@dataclass(frozen=True)
class Actor:
    """The person acting, with what their session proves (from the request or the socket)."""

    user: Any
    mfa: bool
    session_hash: str = ""
    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, token_auth: bool = False) -> "Actor":
        user = request.user
        # A token can only be minted by a staff member with MFA; a session must have passed it.
        mfa = user_has_mfa(user) if token_auth else session_passed_mfa(request)
        return cls(
            user=user,
            mfa=mfa,
            session_hash=session_key_hash(request.session.session_key) if hasattr(request, "session") else "",
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )

    def snapshot(self) -> ActorSnapshot:
        user = self.user
        authenticated = bool(getattr(user, "is_authenticated", False))
        return ActorSnapshot(
            user_id=user.pk if authenticated else None,
            label=actor_label(user) if authenticated else "",
            badge=getattr(user, "badge_number", "") if authenticated else "",
            role=getattr(user, "role", "") if authenticated else "anonymous",
            mfa=self.mfa,
            session_hash=self.session_hash,
            ip=self.ip,
            user_agent=self.user_agent,
        )


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    message: str
    event_seq: int
    consent_level: str = ""


class PurposeRefused(Exception):
    """The stated purpose cannot be accepted; the message says why. The refusal is logged."""

    def __init__(self, message: str, field: str = "category") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class GatePolicy:
    """What the gate reads of the department policy: afresh for every decision, so a change
    an administrator makes applies to the very next access."""

    purpose_categories: list[str]
    exigent_categories: list[str]
    prohibited_purposes: list[str]
    residential_live_view_allowed: bool
    exigent_requires_approval: bool


_POLICY_FIELDS = tuple(f.name for f in fields(GatePolicy))
_policy_query = CompiledQuery(
    lambda department_id: DepartmentPolicy.objects.filter(department_id=department_id).values_list(*_POLICY_FIELDS)
)


def _policy() -> GatePolicy:
    row = _policy_query.first(department_current().pk)
    if row is None:
        raise DepartmentPolicy.DoesNotExist("This department has no policy.")
    return GatePolicy(*row)


def _purpose_snapshot(purpose: Purpose | None, **fallback: str) -> PurposeSnapshot:
    if purpose is None:
        return PurposeSnapshot(**fallback)
    return PurposeSnapshot(
        case_number=purpose.case_number,
        category=purpose.category,
        text=purpose.text,
        authority=purpose.authority,
        warrant_number=purpose.warrant_number,
    )


def _record(
    actor: Actor,
    facts: EventFacts,
    purpose: Purpose | None,
    *,
    notify: bool | None = None,
    stated: dict[str, str] | None = None,
) -> int:
    """Write the event; ``notify`` says whether an owner asked for notices when the caller
    already knows (None: look it up); ``stated`` is a refused purpose's text (no Purpose)."""
    # Decided before the audit write: its per-department lock is held until the commit, and
    # every writer of the department waits for whatever runs after it.
    to_notify = owners_to_notify(facts) if notify is not False and facts.owner_refs else []
    snapshot = _purpose_snapshot(purpose, **(stated or {}))
    event = access_event_record(actor=actor.snapshot(), facts=facts, purpose=snapshot)
    if to_notify:
        # Owners who asked for it are e-mailed, one digest per owner and case (cameras.digest,
        # docs/notices-and-tasks.md): the notices and the tasks that send them are recorded in
        # this transaction, so a broker outage delays them and never loses them.
        access_notices_record(
            event_seq=event.seq,
            owner_ids=to_notify,
            case_number=snapshot.case_number,
            immediate=facts.action in _TOLD_AT_ONCE or snapshot.authority == "exigent",
        )
    return event.seq


# A live view is told at once (as is any access under exigent authority); other accesses
# wait for the department's digest window.
_TOLD_AT_ONCE = frozenset({Action.LIVE_START, Action.LIVE_EXTEND, Action.LIVE_END})


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


def _staff_denial(actor: Actor, roles: frozenset[str], purpose: Purpose | None, policy: GatePolicy) -> str | None:
    user = actor.user
    if not getattr(user, "is_authenticated", False) or user.role not in roles:
        return "role_not_permitted"
    if not user.is_active:
        return "account_inactive"
    if not actor.mfa:
        return "mfa_required"
    if purpose is None:
        return "purpose_required"
    if purpose.officer_id != user.pk:
        return "purpose_not_yours"
    if purpose.expires_at <= timezone.now():
        return "purpose_expired"
    if purpose.category in policy.prohibited_purposes:
        return "prohibited_purpose"
    if purpose.category not in policy.purpose_categories:
        return "unknown_purpose_category"
    return None


def purpose_declare(
    *,
    actor: Actor,
    case_number: str,
    category: str,
    text: str,
    authority: str = "consent",
    warrant_number: str = "",
    approvals_link: str = "",
) -> Purpose:
    """Record the purpose an officer states before searching; refusals are logged too.

    An exigent purpose that policy makes wait for a supervisor's approval is announced to
    every other supervisor of the department, in the same transaction; ``approvals_link`` is
    the page where they decide (the interface's, which the gate does not know)."""
    policy = _policy()
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
    if role_denial not in (None, "purpose_required"):
        problem = (role_denial or "", str(_MESSAGES[role_denial or ""]), "category")
    elif category in policy.prohibited_purposes:
        problem = (
            "prohibited_purpose",
            _("Porchlight refuses this purpose by department policy: %(c)s.") % {"c": purpose_label(category)},
            "category",
        )
    elif not case_number:
        problem = ("case_number_missing", _("Enter the case or incident number."), "case_number")
    elif category not in policy.purpose_categories:
        problem = ("unknown_purpose_category", _("Choose a category from the department's list."), "category")
    elif not text:
        problem = ("reason_missing", _("Say in a sentence why you need camera data."), "text")
    elif authority not in ("consent", "warrant", "exigent"):
        problem = ("unknown_authority", _("Choose the legal authority."), "authority")
    elif authority == "warrant" and not warrant_number:
        problem = ("warrant_number_missing", _("Enter the warrant number."), "warrant_number")
    elif authority == "exigent" and category not in policy.exigent_categories:
        problem = ("not_exigent", _("This category is not exigent under department policy."), "authority")
    if problem is not None:
        # The refusal is recorded (and committed with the request) before it is raised.
        with transaction.atomic():
            _record(actor, EventFacts(Action.PURPOSE_DECLARE, Outcome.DENIED, problem[0]), None, stated=stated)
        raise PurposeRefused(problem[1], field=problem[2])
    with transaction.atomic():
        purpose = Purpose.objects.create(
            officer=actor.user,
            case_number=case_number,
            category=category,
            text=text,
            authority=authority,
            warrant_number=warrant_number,
            expires_at=timezone.now() + PURPOSE_LIFETIME,
        )
        # Before the event: the log's per-department lock is held from its write to the commit.
        if category in policy.exigent_categories and policy.exigent_requires_approval:
            _supervisors_ask(purpose, approvals_link)
        _record(
            actor,
            EventFacts(Action.PURPOSE_DECLARE, Outcome.ALLOWED, "ok", targets=[f"purpose:{purpose.public_id}"]),
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


def _officer_tell(purpose: Purpose, *, supervisor: Any, approved: bool, officer_link: str) -> None:
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
    except Exception:  # a malformed UUID from the client is simply "no such purpose"
        return None


# camera_lookup reads the consent history id in force with the camera, in the same query
# (and snapshot) as the consent itself; a camera loaded elsewhere costs one more query.
HISTORY_ANNOTATION = "consent_history_in_force"


def _consent_history_id(camera: Camera, grant: ConsentGrant) -> int | None:
    if hasattr(camera, HISTORY_ANNOTATION):
        return getattr(camera, HISTORY_ANNOTATION)
    row = _history_query.first(grant.pk)
    return row[0] if row is not None else None


# The historical model, looked up once: ``ConsentGrant.history`` builds a new manager class
# on every access (simple-history's descriptor), ~0.8 ms of Python on each gate decision.
_HistoricalConsentGrant: Any = ConsentGrant.history.model


def _consent_history() -> QuerySet[Any]:
    return _HistoricalConsentGrant._default_manager.all()


_history_query = CompiledQuery(
    lambda grant_id: _consent_history().filter(id=grant_id).order_by("-history_id").values_list("history_id")[:1]
)


def _cameras_for_gate() -> QuerySet[Camera]:
    in_force = _consent_history().filter(id=OuterRef("consent__id")).order_by("-history_id").values("history_id")
    return Camera.objects.select_related("site", "site__owner", "consent").annotate(
        **{HISTORY_ANNOTATION: Subquery(in_force[:1])}
    )


def authorize(
    *,
    actor: Actor,
    action: str,
    purpose: Purpose | None,
    camera: Camera | None = None,
    quantity: int | None = None,
    quantity_unit: str = "",
    details: dict[str, Any] | None = None,
    extra_denial: str | None = None,
    owner_told: Callable[[Camera], bool] | None = None,
) -> Decision:
    """Decide one action on one camera (or none) and record it, in one transaction.

    ``extra_denial`` lets a caller add a refusal of its own (e.g. too many open live views)
    that is logged like any other, when nothing else refuses first. ``owner_told`` says
    whether an allowed action reaches the camera's owner by itself (a message e-mailed to
    them): an access notice would only repeat it. A refusal is always noticed as usual.
    """
    policy = _policy()
    with transaction.atomic():
        reason = _denial(actor, action, purpose, camera, policy)
        level, history_id = "", None
        targets: list[str] = []
        owners: list[int] = []
        notify = False
        if camera is not None:
            targets = [f"camera:{camera.public_id}"]
            owners = [camera.site.owner_id]
            grant = getattr(camera, "consent", None)
            if grant is not None:
                level, history_id = grant.level, _consent_history_id(camera, grant)
                notify = grant.notify_on_access
        allowed_so_far = reason is None and extra_denial is None
        if notify and allowed_so_far and camera is not None and owner_told is not None and owner_told(camera):
            notify = False
        if reason is None:
            reason = extra_denial
        facts = EventFacts(
            action=action,
            outcome=Outcome.ALLOWED if reason is None else Outcome.DENIED,
            reason=reason or "ok",
            targets=targets,
            owner_refs=owners,
            consent_level=level,
            consent_history_id=history_id,
            quantity=quantity,
            quantity_unit=quantity_unit,
            details=details or {},
        )
        seq = _record(actor, facts, purpose, notify=notify)
    return Decision(reason is None, reason or "ok", denial_message(reason, action) if reason else "", seq, level)


def _denial(
    actor: Actor, action: str, purpose: Purpose | None, camera: Camera | None, policy: GatePolicy
) -> str | None:
    """Why the gate refuses this action now (None: allowed); authorize() and the re-check of
    an open live view (live_view_denial) both ask it, so they cannot drift apart."""
    roles = AUDIT_READER_ROLES if action == Action.AUDIT_READ else CAMERA_ROLES
    reason = _staff_denial(actor, roles, purpose, policy)
    if reason is None and action in _CONSENT_FOR_ACTION:
        reason = _consent_denial(action, camera, purpose, policy)
    return reason


def _consent_denial(action: str, camera: Camera | None, purpose: Purpose | None, policy: GatePolicy) -> str | None:
    if camera is None:
        return "not_found"
    if action == Action.OWNER_CONTACT_VIEW and not camera.site.share_contact:
        return "owner_not_sharing"
    if action in _LIVE_ACTIONS and camera.site.kind in RESIDENTIAL_KINDS and not policy.residential_live_view_allowed:
        return "residential_live_view_disallowed"
    department = department_current()
    state = grant_state(camera=camera, time_zone=department.time_zone)
    exigent = purpose is not None and purpose.category in policy.exigent_categories
    decision = consent_permits(state, _CONSENT_FOR_ACTION[action], timezone.now(), exigent=exigent)
    if not decision.allowed:
        return str(decision.reason)
    needs_approval = action in _LIVE_ACTIONS and state is not None and state.level == ConsentLevel.LIVE_EXIGENT
    if needs_approval and policy.exigent_requires_approval and (purpose is None or purpose.approved_by_id is None):
        return "approval_denied" if purpose is not None and purpose.denied_by_id is not None else "approval_required"
    return None


def _decision_refusal(actor: Actor, purpose: Purpose | None, policy: GatePolicy) -> str | None:
    """Why this actor may not approve or deny this purpose now (None: they may)."""
    user = actor.user
    if getattr(user, "role", None) != Role.SUPERVISOR or not actor.mfa:
        return "role_not_permitted"
    if purpose is None:
        return "not_found"
    if purpose.officer_id == user.pk:
        return "self_approval"
    if purpose.category not in policy.exigent_categories:
        return "not_exigent"
    if purpose.expires_at <= timezone.now():
        return "purpose_expired"
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
    return "already_approved" if decided is not None else "already_denied"


def purpose_approve(*, actor: Actor, purpose_public_id: Any, officer_link: str = "") -> Purpose:
    """A supervisor approves another officer's exigent purpose (logged as a second person);
    the officer is told (``officer_link``: where they read it)."""
    policy = _policy()
    purpose = _purpose_to_decide(purpose_public_id)
    reason = _decision_refusal(actor, purpose, policy)
    with transaction.atomic():
        if reason is None and purpose is not None:
            reason = _undecided_claim(purpose, approved_by=actor.user, approved_at=timezone.now())
        facts = EventFacts(
            Action.EXIGENT_APPROVE,
            Outcome.ALLOWED if reason is None else Outcome.DENIED,
            reason or "ok",
            targets=[f"purpose:{purpose.public_id}"] if purpose else [],
            details={"officer_id": purpose.officer_id} if purpose else {},
        )
        if reason is None and purpose is not None:  # before the event, as purpose_declare does
            _officer_tell(purpose, supervisor=actor.user, approved=True, officer_link=officer_link)
        _record(actor, facts, purpose)
    if reason is not None:
        raise PurposeRefused(denial_message(reason))
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
    policy = _policy()
    purpose = _purpose_to_decide(purpose_public_id)
    stated = " ".join(reason.split())[:DENIAL_REASON_MAX]
    refusal = _decision_refusal(actor, purpose, policy) or (None if stated else "denial_reason_missing")
    with transaction.atomic():
        if refusal is None and purpose is not None:
            refusal = _undecided_claim(purpose, denied_by=actor.user, denied_at=timezone.now(), denial_reason=stated)
        facts = EventFacts(
            Action.EXIGENT_DENY,
            Outcome.ALLOWED if refusal is None else Outcome.DENIED,
            refusal or "ok",
            targets=[f"purpose:{purpose.public_id}"] if purpose else [],
            details={"officer_id": purpose.officer_id, "reason": stated} if purpose else {},
        )
        if refusal is None and purpose is not None:  # before the event, as purpose_declare does
            purpose.refresh_from_db()
            _officer_tell(purpose, supervisor=actor.user, approved=False, officer_link=officer_link)
        _record(actor, facts, purpose)
    if refusal is not None:
        raise PurposeRefused(
            denial_message(refusal), field="reason" if refusal == "denial_reason_missing" else "purpose"
        )
    assert purpose is not None
    return purpose


@dataclass(frozen=True)
class CameraHit:
    camera: geo.SearchRow
    distance_m: float
    level: str
    can_request_footage: bool
    can_live_view: bool
    shares_contact: bool


@dataclass(frozen=True)
class SearchResult:
    decision: Decision
    hits: list[CameraHit] = field(default_factory=list)
    total: int = 0
    total_capped: bool = False  # True: there are at least `total` cameras in the area


def _hit(row: geo.SearchRow, time_zone: str, exigent: bool, approved: bool, policy: GatePolicy) -> CameraHit:
    state = None
    if row.consent_level is not None:
        state = grant_state_of(
            level=row.consent_level,
            windows=row.consent_windows,
            expires_at=row.consent_expires_at,
            revoked_at=row.consent_revoked_at,
            paused=row.status == CameraStatus.PAUSED,
            time_zone=time_zone,
        )
    now = timezone.now()
    # As _consent_denial judges a live_start: an emergency-only camera also waits for a
    # supervisor's approval of the purpose where policy requires one.
    live = (
        consent_permits(state, ConsentAction.LIVE_VIEW, now, exigent=exigent).allowed
        and not (row.site_kind in RESIDENTIAL_KINDS and not policy.residential_live_view_allowed)
        and not (
            state is not None
            and state.level == ConsentLevel.LIVE_EXIGENT
            and policy.exigent_requires_approval
            and not approved
        )
    )
    footage = consent_permits(state, ConsentAction.REQUEST_FOOTAGE, now)
    # Revoked, expired or paused consent leaves police exactly what `registered` gives.
    inactive = state is None or footage.reason in (Reason.REVOKED, Reason.EXPIRED, Reason.PAUSED)
    return CameraHit(
        camera=row,
        distance_m=row.distance_m,
        level=ConsentLevel.REGISTERED if inactive or state is None else state.level,
        can_request_footage=footage.allowed,
        can_live_view=live,
        shares_contact=row.share_contact,
    )


def camera_search(
    *,
    actor: Actor,
    purpose: Purpose | None,
    area: geo.Area,
    mode: str,
    limit: int = geo.DEFAULT_LIMIT,
    action: str = Action.SEARCH,
) -> SearchResult:
    """Cameras in an area (pin inside, or field of view intersecting), nearest first.

    The search is one event: its area, mode, purpose, result count and the ids returned.
    An export of the canvass list is the same query recorded as action ``export``.
    """
    policy = _policy()
    details: dict[str, Any] = {"area": area.as_details(), "mode": mode, "limit": limit}
    with transaction.atomic():
        reason = _staff_denial(actor, CAMERA_ROLES, purpose, policy)
        if reason is not None:
            seq = _record(actor, EventFacts(action, Outcome.DENIED, reason, details=details), purpose)
            return SearchResult(Decision(False, reason, str(_MESSAGES[reason]), seq))
        cameras, total = geo.cameras_in_area(area=area, mode=mode, limit=limit)
        department = department_current()
        exigent = purpose is not None and purpose.category in policy.exigent_categories
        approved = purpose is not None and purpose.approved_by_id is not None
        hits = [_hit(c, department.time_zone, exigent, approved, policy) for c in cameras]
        facts = EventFacts(
            action=action,
            outcome=Outcome.ALLOWED,
            reason="ok",
            targets=[f"camera:{c.public_id}" for c in cameras],
            owner_refs=[c.owner_id for c in cameras],
            quantity=len(hits),
            quantity_unit="results",
            details={**details, "total": total, "total_capped": total >= geo.COUNT_CAP},
        )
        seq = _record(actor, facts, purpose, notify=any(c.consent_notify for c in cameras))
    return SearchResult(Decision(True, "ok", "", seq), hits, total, total >= geo.COUNT_CAP)


def camera_map(
    *, actor: Actor, purpose: Purpose | None, bbox: tuple[float, float, float, float]
) -> tuple[Decision, list[tuple[str, float, float, str]]]:
    """Approximate camera positions for a map viewport: one query, one event (no owner refs:
    a viewport is not an access to any one camera)."""
    policy = _policy()
    with transaction.atomic():
        reason = _staff_denial(actor, CAMERA_ROLES, purpose, policy)
        rows: list[tuple[str, float, float, str]] = []
        if reason is None:
            # Positions are rounded to ~100 m: registration tells police roughly where, not the door.
            rows = [
                (pid, round(x, 3), round(y, 3), level)
                for pid, x, y, level in geo.cameras_in_bbox(west=bbox[0], south=bbox[1], east=bbox[2], north=bbox[3])
            ]
        facts = EventFacts(
            Action.MAP_VIEW,
            Outcome.ALLOWED if reason is None else Outcome.DENIED,
            reason or "ok",
            quantity=len(rows),
            quantity_unit="results",
            details={"bbox": list(bbox)},
        )
        seq = _record(actor, facts, purpose)
    return Decision(reason is None, reason or "ok", str(_MESSAGES.get(reason or "", "")), seq), rows


def camera_lookup(
    *,
    actor: Actor,
    purpose: Purpose | None,
    public_id: Any,
    action: str = Action.CAMERA_VIEW,
    extra_denial: str | None = None,
    owner_told: Callable[[Camera], bool] | None = None,
) -> tuple[Decision, Camera | None]:
    """One camera by id for a staff action; a missing id (or another department's) is a
    logged denial with reason not_found (``owner_told``: see authorize)."""
    try:
        camera = _cameras_for_gate().filter(public_id=public_id).first()
    except Exception:  # malformed UUID
        camera = None
    decision = authorize(
        actor=actor, action=action, purpose=purpose, camera=camera, extra_denial=extra_denial, owner_told=owner_told
    )
    return decision, camera if decision.allowed else None


def console_denied(*, actor: Actor, path: str) -> None:
    """Record a refused attempt to open a console page (wrong role, no MFA)."""
    _record(
        actor,
        EventFacts(Action.CONSOLE_DENIED, Outcome.DENIED, "role_not_permitted", details={"path": path[:200]}),
        None,
    )


def live_end_record(
    *,
    actor: Actor,
    purpose: Purpose,
    camera: Camera | None,
    camera_ref: str,
    reason: str,
    seconds: int,
    bytes_sent: int,
    start_event_seq: int | None = None,
) -> int:
    """Record the end of a live view: how long, how much, and why it ended. A camera
    deleted during the view is gone: its owner and the consent in force are taken from
    the view's start event, so the owner still sees (and is told of) the end."""
    grant = getattr(camera, "consent", None) if camera is not None else None
    if camera is not None:
        owners = [camera.site.owner_id]
        level = getattr(grant, "level", "")
        history_id = _consent_history_id(camera, grant) if grant is not None else None
    else:
        start = None
        if start_event_seq is not None:
            start = (
                AccessEvent.objects.filter(seq=start_event_seq)
                .values_list("owner_refs", "consent_level", "consent_history_id")
                .first()
            )
        owners, level, history_id = (list(start[0]), start[1], start[2]) if start else ([], "", None)
    facts = EventFacts(
        action=Action.LIVE_END,
        outcome=Outcome.ALLOWED,
        reason=reason,
        targets=[camera_ref],
        owner_refs=owners,
        consent_level=level,
        consent_history_id=history_id,
        quantity=seconds,
        quantity_unit="seconds",
        details={"bytes": bytes_sent},
    )
    with transaction.atomic():
        return _record(actor, facts, purpose)


def live_allowed_until(*, camera: Camera, purpose: Purpose) -> dt.datetime | None:
    """When the owner's consent stops allowing this live view by itself (expiry, end of the
    schedule window), or None."""
    policy = _policy()
    state = grant_state(camera=camera, time_zone=department_current().time_zone)
    exigent = purpose.category in policy.exigent_categories
    return permitted_until(state, ConsentAction.LIVE_VIEW, timezone.now(), exigent=exigent)


def live_view_denial(*, actor: Actor, camera: Camera | None, purpose: Purpose) -> str | None:
    """Re-ask the gate, without logging, whether an open live view may go on: None while it
    may, else the reason it would refuse a live_start now.

    The same checks as the view's start (authorize): the actor's role, account and MFA as
    they stand now (the caller re-reads them from the session the view was opened with), the
    purpose and its expiry, the department policy and the owner's consent at this instant.
    The viewer consumer asks this every fraction of a second; only the end is logged.
    """
    return _denial(actor, Action.LIVE_START, purpose, camera, _policy())


def live_allowed_now(*, camera: Camera, purpose: Purpose, user: Any) -> str | None:
    """Re-check an open live view without logging: None while it may continue, else why not.

    Used every fraction of a second by the viewer consumer; the end itself is logged.
    """
    if not user.is_active:
        return "account_inactive"
    policy = _policy()
    return _consent_denial(Action.LIVE_START, camera, purpose, policy)


def purpose_awaits_approval(*, purpose: Purpose) -> bool:
    """Whether ``purpose`` waits for a supervisor's decision before emergency-only live views."""
    policy = _policy()
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
    policy = _policy()
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
    policy = _policy()
    with transaction.atomic():
        reason = _staff_denial(actor, CAMERA_ROLES, purpose, policy) or extra_denial
        facts = EventFacts(
            action=action,
            outcome=Outcome.ALLOWED if reason is None else Outcome.DENIED,
            reason=reason or "ok",
            targets=targets,
            owner_refs=owner_refs,
            quantity=quantity if reason is None else None,
            quantity_unit=quantity_unit if reason is None else "",
            details=details or {},
        )
        seq = _record(actor, facts, purpose)
    return Decision(reason is None, reason or "ok", str(_MESSAGES.get(reason or "", "")), seq)
