"""Reads on users."""

from typing import TYPE_CHECKING

from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.db.models import QuerySet
from django.utils.crypto import salted_hmac

from .models import STAFF_ROLES, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def user_has_mfa(user: "User | AnonymousUser") -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    )


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
