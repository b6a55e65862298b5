"""Logging the board-page attempts that happen before any board view runs."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django_tenants.utils import get_public_schema_name

from accounts.models import AUDIT_READER_ROLES
from accounts.selectors import session_passed_mfa

from .models import Action
from .reasons import Refusal
from .views.readers import BoardReaderMixin, reading_record


def _is_board_view(request: HttpRequest) -> bool:
    """Whether the path names a page of the board's workspace (a view that logs its readings)."""
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return False
    view_class = getattr(match.func, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, BoardReaderMixin)


class BoardRefusalLogMiddleware:
    """A staff session that has not passed MFA is turned away from every page by
    accounts.middleware.StaffMFARequiredMiddleware (sent to set it up, or to sign in again),
    before a board view could log the refusal. Placed just before it, this logs such an
    attempt on a board page as a refused audit_read, as the board's pages log any other
    refused reader: ``mfa_required`` for the roles that read the log, ``role_not_permitted``
    for any other staff role (who would be refused even with MFA). The redirect is unchanged."""

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
            and _is_board_view(request)
        ):
            reading_record(
                request,
                action=Action.AUDIT_READ,
                allowed=False,
                quantity=0,
                reason=Refusal.MFA_REQUIRED if user.role in AUDIT_READER_ROLES else Refusal.ROLE_NOT_PERMITTED,
                details={"path": request.path[:200]},
            )
        return self.get_response(request)
