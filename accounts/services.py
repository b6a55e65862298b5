"""Writes on users and API tokens. Each runs in one transaction and keeps history."""

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Refused
from tenants.outbox import enqueue_on_commit

from .events import user_changed
from .language import language_supported
from .models import STAFF_ROLES, ApiToken, Erasure, Role, User

if TYPE_CHECKING:
    from tenants.models import Department

logger = logging.getLogger("porchlight.accounts")


class AccountProblem(StrEnum):
    """Why a change to an account is refused (the code of its AccountError)."""

    EMAIL_INVALID = "email_invalid"
    EMAIL_TOO_LONG = "email_too_long"
    EMAIL_TAKEN = "email_taken"
    ROLE_UNKNOWN = "role_unknown"
    ROLE_NOT_INVITED = "role_not_invited"
    ROLE_SWAP = "role_swap"
    OWN_ROLE = "own_role"
    OWN_ACCOUNT = "own_account"
    LANGUAGE_UNKNOWN = "language_unknown"
    ACCOUNT_INACTIVE = "account_inactive"
    MFA_REQUIRED = "mfa_required"
    STAFF_NOT_DELETABLE = "staff_not_deletable"
    DUTY_NOT_SUPERVISOR = "duty_not_supervisor"
    BOARD_BY_OPERATOR = "board_by_operator"


class AccountError(Refused):
    """A change to an account was refused; the message says why (shown to the admin)."""

    def __init__(self, message: str, *, code: AccountProblem, field: str | None = None) -> None:
        super().__init__(message, code=code, field=field)


def _board_by_operator_check(actor: User | None, *roles: str) -> None:
    """The oversight board oversees the department, so the department does not choose, change
    or remove its members: only the platform's operator does (``actor`` None: a management
    command, e.g. ``manage.py invite_board_member``). A department administrator inviting a
    board member, making someone one, changing one's role or deactivating one is refused."""
    if actor is not None and Role.OVERSIGHT in roles:
        raise AccountError(
            _(
                "Oversight board members are added, changed and removed by the platform's operator, "
                "not by the department they oversee."
            ),
            code=AccountProblem.BOARD_BY_OPERATOR,
            field="role",
        )


def _with_actor(user: User, actor: User | None) -> User:
    user._history_user = actor  # type: ignore[attr-defined]
    return user


def user_invite(
    *,
    actor: User | None,
    email: str,
    role: str,
    full_name: str = "",
    badge_number: str = "",
    language: str = "",
    department: "Department | None" = None,
) -> User:
    """Create a staff account with no password and e-mail a set-password link, in ``language``
    (the inviter's choice; blank: the department's language).

    The e-mail address counts as verified: only its owner can use the link.
    """
    email = User.objects.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError as exc:
        raise AccountError(_("Enter a valid e-mail address."), code=AccountProblem.EMAIL_INVALID) from exc
    if role not in Role.values:
        raise AccountError(_("Unknown role."), code=AccountProblem.ROLE_UNKNOWN)
    if role not in STAFF_ROLES:
        raise AccountError(
            _("Residents and businesses sign up themselves; only staff are invited."),
            code=AccountProblem.ROLE_NOT_INVITED,
        )
    _board_by_operator_check(actor, role)
    if language and language_supported(language) != language:
        raise AccountError(_("Choose one of the languages offered."), code=AccountProblem.LANGUAGE_UNKNOWN)
    if len(email) > User._meta.get_field("email").max_length:  # type: ignore[operator]
        raise AccountError(_("That e-mail address is too long."), code=AccountProblem.EMAIL_TOO_LONG)
    taken = _("An account with this e-mail address already exists.")
    if (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()  # another user's second address
    ):
        raise AccountError(taken, code=AccountProblem.EMAIL_TAKEN)
    try:
        return _user_invite(
            actor=actor, email=email, role=role, full_name=full_name, badge_number=badge_number, language=language
        )
    except IntegrityError as exc:  # two admins inviting the same address at once
        raise AccountError(taken, code=AccountProblem.EMAIL_TAKEN) from exc


def _user_invite(
    *, actor: User | None, email: str, role: str, full_name: str, badge_number: str, language: str
) -> User:
    with transaction.atomic():
        user = User(
            email=email,
            role=role,
            full_name=full_name.strip(),
            badge_number=badge_number.strip(),
            language=language,
            invited_by_id=actor.pk if actor else None,
        )
        user.set_unusable_password()
        _with_actor(user, actor).save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        from .tasks import user_invitation_send as user_invitation_send_task

        enqueue_on_commit(user_invitation_send_task, user_id=user.pk, actor_id=actor.pk if actor else None)
    logger.info("staff invited", extra={"user_id": user.pk, "role": role, "actor_id": getattr(actor, "pk", None)})
    return user


def user_language_set(*, user: User, language: str) -> User:
    """The language a user chose for their e-mails and pages (history names them as the actor)."""
    if language_supported(language) != language:
        raise AccountError(_("Choose one of the languages offered."), code=AccountProblem.LANGUAGE_UNKNOWN)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.language = language
        _with_actor(user, user).save(update_fields=["language"])
    return user


def user_role_change(*, actor: User, user: User, role: str) -> User:
    if role not in Role.values:
        raise AccountError(_("Unknown role."), code=AccountProblem.ROLE_UNKNOWN)
    if user.pk == actor.pk:
        raise AccountError(
            _("You cannot change your own role; ask another administrator."), code=AccountProblem.OWN_ROLE
        )
    if (user.role in STAFF_ROLES) != (role in STAFF_ROLES):
        raise AccountError(
            _("Staff roles and resident/business roles cannot be swapped."), code=AccountProblem.ROLE_SWAP
        )
    _board_by_operator_check(actor, role, user.role)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.role = role
        fields = ["role"]
        if role != Role.SUPERVISOR and user.compliance_duty:
            # Only supervisors hold the duty: it ends with the role, in the same history row,
            # rather than coming back unseen if the user is made supervisor again.
            user.compliance_duty = False
            fields.append("compliance_duty")
        _with_actor(user, actor).save(update_fields=fields)
        user_changed(user_id=user.pk)  # an open live view re-checks the role at once
    logger.info("role changed", extra={"user_id": user.pk, "role": role, "actor_id": actor.pk})
    return user


def user_compliance_duty_set(*, actor: User, user: User, on: bool) -> User:
    """Give a supervisor the compliance duty (the ordinance compliance dashboard) or take it
    away. Only supervisors hold it: administrators read the dashboard anyway, and no other role
    may, so giving it to anyone else is refused."""
    if on and user.role != Role.SUPERVISOR:
        raise AccountError(
            _("Only supervisors can be given the compliance duty."),
            code=AccountProblem.DUTY_NOT_SUPERVISOR,
            field="role",
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.compliance_duty = on
        _with_actor(user, actor).save(update_fields=["compliance_duty"])
    logger.info("compliance duty changed", extra={"user_id": user.pk, "on": on, "actor_id": actor.pk})
    return user


def user_sessions_end(*, user: User) -> int:
    """End every session of a user at once (all devices)."""
    ended = 0
    for user_session in UserSession.objects.filter(user=user):
        user_session.end()
        ended += 1
    # Sessions made before usersessions tracked them: find them by their content.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate an account and end all its sessions in the same transaction."""
    if user.pk == actor.pk:
        raise AccountError(_("You cannot deactivate your own account."), code=AccountProblem.OWN_ACCOUNT)
    _board_by_operator_check(actor, user.role)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.is_active = False
        _with_actor(user, actor).save(update_fields=["is_active"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        ended = user_sessions_end(user=user)
        user_changed(user_id=user.pk)  # open live views of this officer end at once
    logger.info("account deactivated", extra={"user_id": user.pk, "actor_id": actor.pk, "sessions_ended": ended})
    return user


def user_reactivate(*, actor: User, user: User) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.role == Role.DEPARTMENT:
            # The department's own account never signs in (department_account_ensure).
            raise AccountError(_("This account cannot be activated."), code=AccountProblem.ACCOUNT_INACTIVE)
        user.is_active = True
        _with_actor(user, actor).save(update_fields=["is_active"])
    return user


# The department account's address is under the reserved .invalid domain (RFC 2606): no mail
# server delivers to it, and the random part keeps anyone from signing up with it first.
DEPARTMENT_ACCOUNT_DOMAIN = "department.porchlight.invalid"


def department_account_ensure(*, department: "Department") -> User:
    """The department's own account, the owner of its cameras: created on first use, the same
    one afterwards (idempotent). Concurrent first calls meet at the one-per-department
    constraint, and get_or_create reads the winner's row.

    It cannot sign in by any path: inactive (Django's backend, allauth, API tokens and sessions
    all refuse an inactive user), no usable password, an undeliverable address, and a role that
    is neither staff nor owner (the console, the portal and the owner API refuse it)."""
    user, created = User.objects.get_or_create(
        role=Role.DEPARTMENT,
        defaults={
            "email": f"{secrets.token_hex(8)}@{DEPARTMENT_ACCOUNT_DOMAIN}",
            "full_name": department.name[:150],
            "is_active": False,
            "password": make_password(None),
        },
    )
    if created:
        logger.info("department account created", extra={"user_id": user.pk})
    return user


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once, never stored


def api_token_issue(*, user: User, name: str) -> IssuedToken:
    """Mint an API token. Staff must have MFA set up first."""
    from .selectors import user_has_mfa

    if not user.is_active or user.role == Role.DEPARTMENT:
        raise AccountError(_("This account is deactivated."), code=AccountProblem.ACCOUNT_INACTIVE)
    if user.is_staff_role and not user_has_mfa(user):
        raise AccountError(
            _("Set up two-factor authentication before creating an API token."), code=AccountProblem.MFA_REQUIRED
        )
    raw = "pl_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API token", prefix=raw[:10], digest=token_digest(raw)
    )
    logger.info("api token issued", extra={"user_id": user.pk, "token_id": token.pk})
    return IssuedToken(token=token, raw=raw)


#: ``last_used_at`` says when a token was last used to within this: a token used all day is
#: written once a minute, not on every request (each write is a commit on the hot path).
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)


def api_token_used(*, token: ApiToken) -> None:
    """Record when a token was last used (a plain UPDATE: not an audited change), at most once
    per TOKEN_USE_RESOLUTION: nothing is written while the time read with the token is recent,
    and the UPDATE is conditional, so of several requests that read the same old time (other
    server processes) only one writes."""
    now = timezone.now()
    cutoff = now - TOKEN_USE_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > cutoff:
        return
    ApiToken.objects.filter(pk=token.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff)).update(
        last_used_at=now
    )


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's own live tokens; False if there is none with that id
    (missing, another user's or already revoked: the caller cannot tell which)."""
    revoked = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        logger.info("api token revoked", extra={"user_id": user.pk, "token_id": token_id})
    return bool(revoked)


def owner_account_erase(*, user: User) -> str:
    """The last step of deleting an owner's account (ownerdata.services.owner_account_delete,
    which first detaches what stays and deletes what goes): end every session, delete the
    user with their e-mail addresses, two-factor authenticators and API tokens, and erase
    their personal data from the user's history, which keeps only that an account existed
    and when it was deleted, under the pseudonym. Returns the pseudonym.

    In the caller's transaction. Staff accounts are refused: a department administrator
    deactivates them (their actions must stay attributable).
    """
    from .selectors import user_pseudonym

    if user.role in STAFF_ROLES:
        raise AccountError(
            _("Staff accounts cannot be deleted here: a department administrator deactivates them."),
            code=AccountProblem.STAFF_NOT_DELETABLE,
        )
    pseudonym = user_pseudonym(user_id=user.pk)
    user_id = user.pk
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        _admin_log_erase(user=user, pseudonym=pseudonym)
        user_sessions_end(user=user)
        user_changed(user_id=user_id)  # the owner's own open connections close
        user._change_reason = "the owner deleted their account"  # type: ignore[attr-defined]  # simple-history's hook
        _with_actor(user, None).delete()
        # The history rows carry the e-mail address and name of every version of the user; the
        # database lets them be blanked only with the erasure on record (erasure_record).
        erasure_record(subjects=[f"user:{user_id}"])
        User.history.filter(id=user_id).update(
            email=f"{pseudonym}@deleted.invalid", full_name="", badge_number="", invitation_sent_at=None
        )
    logger.info("owner account deleted", extra={"pseudonym": pseudonym})
    return pseudonym


def erasure_record(*, subjects: Iterable[str]) -> None:
    """Record that the personal data of ``subjects`` ("user:<id>", "site:<id>", "camera:<id>")
    are being erased from the change history, in the caller's transaction, before the erasure.

    The database refuses, at commit, a change of those history columns by the serving processes
    unless its subject is recorded here and no longer exists (tenants.history_guards): an
    erasure is always on record, and the history of someone still there cannot be blanked."""
    Erasure.objects.bulk_create([Erasure(subject=subject) for subject in subjects])


def _admin_log_erase(*, user: User, pseudonym: str) -> None:
    """The Django admin's log names what an operator edited by its text (a user by name or
    e-mail, an e-mail address by itself): those entries name the pseudonym instead."""
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)) | Q(
        content_type=ContentType.objects.get_for_model(EmailAddress),
        object_id__in=[str(pk) for pk in EmailAddress.objects.filter(user=user).values_list("pk", flat=True)],
    )
    LogEntry.objects.filter(about).update(object_repr=pseudonym, change_message="")
