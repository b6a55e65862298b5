"""Reads on users."""

from typing import TYPE_CHECKING

from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.crypto import salted_hmac

from .models import STAFF_ROLES, ApiToken, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _second_factors() -> QuerySet[Authenticator]:
    """What counts as a user's second factor: a TOTP authenticator."""
    return Authenticator.objects.filter(type=Authenticator.Type.TOTP)


def user_has_mfa(user: "User | AnonymousUser") -> bool:
    return bool(getattr(user, "is_authenticated", False) and _second_factors().filter(user_id=user.pk).exists())


def api_token_live(*, digest: str) -> ApiToken | None:
    """The unrevoked token with this digest, with its user and whether that user has a second
    factor (``user_has_mfa``, as the function of that name decides), in one query: the API's
    authentication runs on every call. The token table is per schema: another department's
    token is simply unknown here."""
    token = (
        ApiToken.objects.select_related("user")
        .annotate(user_totp=Exists(_second_factors().filter(user_id=OuterRef("user_id"))))
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        token.user_has_mfa = bool(getattr(token, "user_totp"))  # noqa: B009 (an annotation)
    return token


def session_passed_mfa(session: SessionBase) -> bool:
    """Whether this session's login included a second factor (allauth records the methods).

    Takes the session, not the request: pages pass ``request.session`` and live views'
    sockets their scope's session, so both read the one rule.
    """
    methods = session.get("account_authentication_methods", [])
    return any(m.get("method") == "mfa" for m in methods)


def staff_list() -> QuerySet[User]:
    return User.objects.filter(role__in=STAFF_ROLES).order_by("-is_active", "email")


def staff_get(*, user_id: int) -> User:
    """A staff account of this department; missing and non-staff look the same (404)."""
    return User.objects.get(pk=user_id, role__in=STAFF_ROLES)


def user_pseudonym(*, user_id: int) -> str:
    """How records that outlive an owner's account name them: ``owner-<12 hex>``.

    Stable (the same user of the same department is always the same pseudonym, so the
    custody log and the access log agree) and keyed with the secret key, so that nobody
    can recompute it from a user id or an e-mail address. A staff member's records name
    them as they are (badge, name): police actions are accountable by person.
    """
    schema = getattr(connection, "schema_name", "public")
    digest = salted_hmac("porchlight.owner-pseudonym", f"{schema}:{user_id}", algorithm="sha256").hexdigest()
    return f"owner-{digest[:12]}"


def actor_label(user: User) -> str:
    """How the logs name a person who acts: staff by name or e-mail; anyone else (an
    owner who opened a console page) by pseudonym, so that the append-only log never
    holds an owner's e-mail address, which could then not be erased with their account."""
    if getattr(user, "role", None) in STAFF_ROLES:
        return str(user.full_name or user.email)
    return user_pseudonym(user_id=user.pk)
