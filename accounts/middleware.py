"""Session rules for staff: MFA before anything else, idle and absolute timeouts."""

import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.sessions import staff_session_expiry

from .selectors import session_passed_mfa, user_has_mfa

# Paths a staff member without MFA may still reach: the MFA set-up itself, logout,
# e-mail confirmation and password reset, static files and the favicon. A redirect of what
# the browser fetches by itself (the favicon) would land on the set-up page it is showing.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/favicon.ico", "/healthz", "/i18n/")
_ACTIVITY_WRITE_INTERVAL = 30  # seconds; avoids a session write on every request


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "is_staff_role", False):
            now = time.time()
            last = request.session.get("last_activity_at", now)
            request.session.setdefault("auth_started_at", now)
            expiry = staff_session_expiry(request.session, now=now)
            if expiry is not None:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Your session has ended. Sign in again."), "code": "not_authenticated"}, status=401
                    )
                messages.info(
                    request,
                    _("You were signed out after 30 minutes without activity.")
                    if expiry == "idle"
                    else _("You were signed out: staff sessions last at most 12 hours."),
                )
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if now - last >= _ACTIVITY_WRITE_INTERVAL or "last_activity_at" not in request.session:
                request.session["last_activity_at"] = now
        return self.get_response(request)


class StaffMFARequiredMiddleware:
    """Staff reach nothing but MFA set-up until their session has passed a second factor.

    Without an authenticator they are sent to set one up; with one, but in a session
    that began before it existed, they sign in again so the session itself is MFA'd.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "is_staff_role", False)
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
            and not session_passed_mfa(request.session)
        ):
            if user_has_mfa(user):
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Sign in again with your two-factor code."), "code": "not_authenticated"},
                        status=401,
                    )
                messages.info(request, _("Two-factor authentication is set up. Sign in again with your code."))
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Set up two-factor authentication before using Porchlight."), "code": "mfa_required"},
                    status=403,
                )
            messages.warning(request, _("Staff accounts must set up two-factor authentication before anything else."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)
