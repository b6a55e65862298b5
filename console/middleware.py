"""Logging the staff refusals that happen before any console view runs."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django_tenants.utils import get_public_schema_name

from accounts.selectors import session_passed_mfa
from cameras import access


def _is_staff_view(request: HttpRequest) -> bool:
    """Whether the path names a console page, a compliance staff page or the staff API (views
    that log refusals)."""
    from cameras.mixins import StaffApi, StaffConsoleMixin

    from .compliance_actions import ComplianceStaffMixin

    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return False
    view_class = getattr(match.func, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, StaffConsoleMixin | StaffApi | ComplianceStaffMixin)


class StaffRefusalLogMiddleware:
    """A staff session that has not passed MFA is turned away from every page by
    accounts.middleware.StaffMFARequiredMiddleware (sent to set it up or to sign in again),
    before a console view could log the refusal. Placed just before it, this logs such an
    attempt on a console page or the staff API as console_denied, as the console logs any
    other refused caller."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        tenant = getattr(request, "tenant", None)
        if (
            user.is_authenticated
            and getattr(user, "is_staff_role", False)
            and tenant is not None
            and tenant.schema_name != get_public_schema_name()
            and not session_passed_mfa(request.session)
            and _is_staff_view(request)
        ):
            access.console_denied(actor=access.Actor.from_request(request), path=request.path)
        return self.get_response(request)
