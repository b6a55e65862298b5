"""The gate's core: who acts (Actor), what it decided (Decision), the checks every action
shares (over the department policy's rules, read afresh for every decision by
tenants.selectors.policy_rules_current), and the one audit event per decision.

authorize() decides one action on one camera; the other modules of this package (purposes,
search, live views, evidence) build on the same checks and the same record.
"""

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AUDIT_READER_ROLES, Role
from accounts.selectors import actor_label, session_passed_mfa, user_has_mfa
from audit.models import Action, Outcome
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record, session_key_hash
from core.errors import AccessRefused, DomainError, NotFound
from core.sql import CompiledQuery
from tenants.selectors import PolicyRules, department_current, policy_rules_current

from ..consent import ConsentAction, ConsentLevel, Reason, consent_permits
from ..digest import access_notices_record
from ..models import Camera, ConsentGrant, Purpose
from ..notices import owners_to_notify
from ..selectors import RESIDENTIAL_KINDS, grant_state
from .denials import _LIVE_ACTIONS, Refusal, denial_message


def incident_target(incident_public_id: Any) -> str:
    """The typed reference by which an event names the incident its purpose is for."""
    return f"incident:{incident_public_id}"


# Who may do what. Department admins administer and the oversight board reads the log;
# neither looks at cameras.
CAMERA_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})

_CONSENT_FOR_ACTION: dict[str, ConsentAction] = {
    Action.CAMERA_VIEW: ConsentAction.LOCATE,
    Action.OWNER_CONTACT_VIEW: ConsentAction.LOCATE,
    Action.MESSAGE_SEND: ConsentAction.MESSAGE,
    Action.FOOTAGE_REQUEST: ConsentAction.REQUEST_FOOTAGE,
    Action.LIVE_START: ConsentAction.LIVE_VIEW,
    Action.LIVE_EXTEND: ConsentAction.LIVE_VIEW,  # another period is judged as a new view would be
}


@dataclass(frozen=True)
class Actor:
    """The person acting, with what their session proves (from the request or the socket)."""

    # User | AnonymousUser in truth (snapshot() handles the anonymous one), but the services
    # behind the gate use it as the User it admitted: typing it so needs narrowing there first.
    user: Any
    mfa: bool
    session_hash: str = ""
    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, token_auth: bool = False, token_mfa: bool | None = None) -> "Actor":
        """``token_mfa``: what the token's authentication already found of the user's second
        factor in this request (ApiToken.user_has_mfa), so that it is not looked up twice."""
        user = request.user
        # A token can only be minted by a staff member with MFA; a session must have passed it.
        if token_auth:
            mfa = token_mfa if token_mfa is not None else user_has_mfa(user)
        else:
            mfa = session_passed_mfa(request.session)
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

    def refusal(self, message: str | None = None) -> DomainError:
        """This refused decision as the error every interface answers alike: a camera that is
        missing or another department's is NotFound (a guess learns nothing); any other
        refusal is AccessRefused with the officer's words (``message`` when the caller has
        better ones) and the reason as its code."""
        assert not self.allowed, "an allowed decision is not a refusal"
        if self.reason == Refusal.NOT_FOUND:
            return NotFound(self.message, code=self.reason)
        return AccessRefused(message or self.message, code=self.reason)


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
    if purpose is not None and purpose.incident_ref is not None:
        # Everything done for an incident names it: its timeline is these events.
        facts = dataclasses.replace(facts, targets=[*facts.targets, incident_target(purpose.incident_ref)])
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


def _staff_denial(actor: Actor, roles: frozenset[str], purpose: Purpose | None, policy: PolicyRules) -> str | None:
    user = actor.user
    if not getattr(user, "is_authenticated", False) or user.role not in roles:
        return Refusal.ROLE_NOT_PERMITTED
    if not user.is_active:
        return Refusal.ACCOUNT_INACTIVE
    if not actor.mfa:
        return Refusal.MFA_REQUIRED
    if purpose is None:
        return Refusal.PURPOSE_REQUIRED
    if purpose.officer_id != user.pk:
        return Refusal.PURPOSE_NOT_YOURS
    if purpose.expires_at <= timezone.now():
        return Refusal.PURPOSE_EXPIRED
    if purpose.category in policy.prohibited_purposes:
        return Refusal.PROHIBITED_PURPOSE
    if purpose.category not in policy.purpose_categories:
        return Refusal.UNKNOWN_PURPOSE_CATEGORY
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
    policy = policy_rules_current()
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
            reason=reason or Reason.OK,
            targets=targets,
            owner_refs=owners,
            consent_level=level,
            consent_history_id=history_id,
            quantity=quantity,
            quantity_unit=quantity_unit,
            details=details or {},
        )
        seq = _record(actor, facts, purpose, notify=notify)
    return Decision(reason is None, reason or Reason.OK, denial_message(reason, action) if reason else "", seq, level)


def _denial(
    actor: Actor, action: str, purpose: Purpose | None, camera: Camera | None, policy: PolicyRules
) -> str | None:
    """Why the gate refuses this action now (None: allowed); authorize() and the re-check of
    an open live view (live_view_denial) both ask it, so they cannot drift apart."""
    roles = AUDIT_READER_ROLES if action == Action.AUDIT_READ else CAMERA_ROLES
    reason = _staff_denial(actor, roles, purpose, policy)
    if reason is None and action in _CONSENT_FOR_ACTION:
        reason = _consent_denial(action, camera, purpose, policy)
    return reason


def _consent_denial(action: str, camera: Camera | None, purpose: Purpose | None, policy: PolicyRules) -> str | None:
    if camera is None:
        return Refusal.NOT_FOUND
    if action == Action.OWNER_CONTACT_VIEW and not camera.site.share_contact:
        return Refusal.OWNER_NOT_SHARING
    if action in (Action.FOOTAGE_REQUEST, Action.MESSAGE_SEND) and camera.site.department_owned:
        # No one would answer: the department's own recordings go through its evidence process.
        return Refusal.DEPARTMENT_CAMERA
    if action in _LIVE_ACTIONS and camera.site.kind in RESIDENTIAL_KINDS and not policy.residential_live_view_allowed:
        return Refusal.RESIDENTIAL_LIVE_VIEW_DISALLOWED
    department = department_current()
    state = grant_state(camera=camera, time_zone=department.time_zone)
    exigent = purpose is not None and purpose.category in policy.exigent_categories
    decision = consent_permits(state, _CONSENT_FOR_ACTION[action], timezone.now(), exigent=exigent)
    if not decision.allowed:
        return str(decision.reason)
    needs_approval = action in _LIVE_ACTIONS and state is not None and state.level == ConsentLevel.LIVE_EXIGENT
    if needs_approval and policy.exigent_requires_approval and (purpose is None or purpose.approved_by_id is None):
        return (
            Refusal.APPROVAL_DENIED
            if purpose is not None and purpose.denied_by_id is not None
            else Refusal.APPROVAL_REQUIRED
        )
    return None


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
    except ValidationError:  # a malformed id: no such camera
        camera = None
    decision = authorize(
        actor=actor, action=action, purpose=purpose, camera=camera, extra_denial=extra_denial, owner_told=owner_told
    )
    return decision, camera if decision.allowed else None


logger = logging.getLogger("porchlight.cameras")


def owner_denied(*, actor: Actor, what: str, public_id: Any) -> None:
    """Record that a resident or business asked for a property (``what`` "site") or camera
    ("camera") that is not theirs, or none: another owner's, another department's (its rows
    live in another schema, so it is none here) or a missing one. The page answers 404, as for
    a missing one; the attempt is a denied ``owner_denied`` event with reason ``not_found`` in
    the department's access log (trust checklist A3, E5: every denied authorization decision),
    and a line of the application log for the operators."""
    asked = str(public_id)[:64]
    _record(
        actor,
        EventFacts(Action.OWNER_DENIED, Outcome.DENIED, Refusal.NOT_FOUND, details={"what": what, "id": asked}),
        None,
        notify=False,
    )
    logger.warning(
        "owner refused: not their %s",
        what,
        extra={"event": "owner_denied", "what": what, "user_id": actor.user.pk, "asked": asked},
    )


def console_denied(*, actor: Actor, path: str) -> None:
    """Record a refused attempt to open a console page (wrong role, no MFA)."""
    _record(
        actor,
        EventFacts(Action.CONSOLE_DENIED, Outcome.DENIED, Refusal.ROLE_NOT_PERMITTED, details={"path": path[:200]}),
        None,
    )
