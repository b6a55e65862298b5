"""The one base class every API view inherits.

It fixes authentication, permission and tenant scoping. A subclass may *narrow*
access (``allowed_roles``) but cannot replace the authentication or permission
classes: defining them raises at import time, so widening cannot happen quietly.
"""

from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_tenants.utils import get_public_schema_name
from rest_framework import permissions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .api_auth import ApiTokenAuthentication
from .models import Role
from .selectors import session_passed_mfa

_LOCKED_ATTRIBUTES = ("authentication_classes", "permission_classes", "get_authenticators", "get_permissions")


class TenantRolePermission(permissions.BasePermission):
    """Authenticated, on a department host, in one of the view's roles, MFA for staff sessions."""

    message = "You do not have access to this resource."

    def has_permission(self, request: Request, view: Any) -> bool:
        tenant = getattr(request._request, "tenant", None)
        if tenant is None or tenant.schema_name == get_public_schema_name():
            return False
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.role not in view.allowed_roles:
            return False
        # A staff session (not a token) must have passed MFA at login.
        if user.is_staff_role and request.auth is None and not session_passed_mfa(request._request):
            self.message = "Two-factor authentication is required for staff accounts."
            return False
        return True


class BaseApi(APIView):
    authentication_classes = (ApiTokenAuthentication, SessionAuthentication)
    permission_classes = (permissions.IsAuthenticated, TenantRolePermission)
    #: Roles that may call this view. Subclasses narrow it; the default is every role.
    allowed_roles: ClassVar[frozenset[str]] = frozenset(Role.values)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _LOCKED_ATTRIBUTES:
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} may not override {name}: BaseApi owns API security.")
        if not cls.allowed_roles <= frozenset(Role.values):
            raise TypeError(f"{cls.__name__}.allowed_roles names unknown roles.")


def _field_errors(exc: DjangoValidationError) -> dict[str, Any]:
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
        for field, messages in exc.message_dict.items()
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF errors as JSON; 'missing' and 'not yours' are the same 404."""
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        # Missing, not yours, or deleted between the lookup and the service's locked re-read.
        exc = NotFound("Not found.")
    elif isinstance(exc, DjangoValidationError):
        # Domain services raise Django's ValidationError keyed by field: a 400 with those keys,
        # plus whatever the error adds for the caller (e.g. the department that covers a point).
        exc = ValidationError({**_field_errors(exc), **getattr(exc, "extra_detail", {})})
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_404_NOT_FOUND:
        response.data = {"detail": "Not found."}
    return response
