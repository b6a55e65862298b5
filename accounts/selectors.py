"""Reads on users."""

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import STAFF_ROLES, User


def user_has_mfa(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    )


def session_passed_mfa(request: HttpRequest) -> bool:
    """Whether this session's login included a second factor (allauth records the methods)."""
    methods = request.session.get("account_authentication_methods", [])
    return any(m.get("method") == "mfa" for m in methods)


def staff_list() -> QuerySet[User]:
    return User.objects.filter(role__in=STAFF_ROLES).order_by("-is_active", "email")


def staff_get(*, user_id: int) -> User:
    """A staff account of this department; missing and non-staff look the same (404)."""
    return User.objects.get(pk=user_id, role__in=STAFF_ROLES)
