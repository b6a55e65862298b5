"""allauth adapters: who may sign up, which role they get, MFA naming per department."""

import time
from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.stagekit import clear_login
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.sites.requests import RequestSite
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django_tenants.utils import get_public_schema_name

from .language import in_language_of, language_cookie_set, language_supported
from .models import OWNER_ROLES, Role, User
from .selectors import session_passed_mfa, user_has_mfa

if TYPE_CHECKING:
    from django import forms

# Where each role lands after signing in, when the sign-in link carried no (safe) ?next=.
# allauth asks get_next_redirect_url first, which keeps ?next= only if is_safe_url says it
# stays on this host. A department administrator manages staff first of all: the staff list.
LANDING_PAGES: dict[str, str] = {
    Role.RESIDENT: "portal-my-cameras",
    Role.BUSINESS: "portal-my-cameras",
    Role.OFFICER: "console-map",
    Role.SUPERVISOR: "console-map",
    Role.OVERSIGHT: "oversight-log",
    Role.DEPT_ADMIN: "staff-list",
}


def first_factor_fresh_seconds() -> int:
    """How long a sign-in stands for the password asked again before the first authenticator:
    the staff idle timeout (30 minutes), not allauth's 5 minutes of REAUTHENTICATION_TIMEOUT,
    since installing an authenticator app and scanning its code takes longer than that."""
    return int(settings.PORCHLIGHT_STAFF_IDLE_TIMEOUT_SECONDS)


def _is_public(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is None or tenant.schema_name == get_public_schema_name()


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Residents and businesses sign up on their department's portal only;
        # staff are invited, platform operators are created by command.
        return not _is_public(request)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Each role's own page on its department's site; the platform's public site keeps
        LOGIN_REDIRECT_URL (its operators have no department pages)."""
        role = getattr(request.user, "role", "")
        if _is_public(request) or role not in LANDING_PAGES:
            return str(super().get_login_redirect_url(request))
        if getattr(request.user, "is_staff_role", False) and not session_passed_mfa(request.session):
            # Staff without two-factor yet are sent to set it up before anything else: going by
            # the console would only be turned away there, and logged as a refused access.
            return reverse("mfa_activate_totp")
        return reverse(LANDING_PAGES[role])

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """allauth asks for the password again before any change to a user's MFA (and before
        showing its recovery codes), however fresh the sign-in: it counts only its own
        "reauthenticate" step. A staff member's first authenticator is set up right after they
        signed in or chose their password from the invitation, and nothing but that set-up is
        open to them until it is done (accounts.middleware). That first factor, within
        ``first_factor_fresh_seconds``, stands for the password asked again, for the set-up and
        for the recovery codes it shows at its end (accounts.mfa_views records the set-up).
        Changing or removing an authenticator later still asks."""
        required = bool(super().is_reauthentication_required(app=app, **kwargs))
        request, user = self.request, getattr(self.request, "user", None)
        if not required or app != "allauth.mfa" or request is None or user is None or not user.is_authenticated:
            return required
        fresh_since = time.time() - first_factor_fresh_seconds()
        records = [r for r in get_authentication_records(request, user) if r.get("at", 0) >= fresh_since]
        first_factor = any(r.get("method") in ("password", "password_reset") for r in records)
        set_up_here = any(r.get("method") == "mfa" and r.get("activated") for r in records)
        return not (first_factor and (set_up_here or not user_has_mfa(user)))

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        """A new owner signed in by confirming their e-mail lands where every sign-in does."""
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            return self.get_login_redirect_url(request)
        return str(super().get_signup_redirect_url(request))

    def save_user(self, request: HttpRequest, user: User, form: "forms.Form", commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        role = form.cleaned_data.get("role") or Role.RESIDENT
        # Never trust the form for anything but the two self-service roles.
        user.role = role if role in OWNER_ROLES else Role.RESIDENT
        user.full_name = form.cleaned_data.get("full_name", "")
        # The language they signed up in (their browser's, or the one they picked on the page)
        # until they choose another one on their settings page.
        user.language = language_supported(translation.get_language())
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Without the sites framework allauth's mails greet from the host name ("Hello from
        # rialto.example.org!"); an owner knows their police department by its name.
        request = allauth_context.request
        tenant = getattr(request, "tenant", None)
        if request is not None and tenant is not None and not _is_public(request) and "current_site" not in context:
            site = RequestSite(request)
            site.name = tenant.name
            context = {**context, "current_site": site}
        # In the recipient's language, not the language of the page that caused the mail (an
        # administrator's, or a browser's that asked for a password reset in another language).
        recipient = context.get("user") or User.objects.filter(email__iexact=email).first()
        if recipient is not None and recipient.role == Role.DEPARTMENT:
            return  # the department's own account has no mailbox (department_account_ensure)
        if recipient is None:  # no account (allauth's "unknown account" mail): the page's language
            super().send_mail(template_prefix, email, context)
            return
        with in_language_of(recipient):
            super().send_mail(template_prefix, email, context)

    def pre_login(self, request: HttpRequest, user: User, **kwargs: Any) -> HttpResponse | None:
        # The department's own account owns its cameras and nothing else: it is inactive and has
        # no password, and this refuses it again should either ever change.
        if getattr(user, "role", "") == Role.DEPARTMENT:
            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    def post_login(self, request: HttpRequest, user: User, **kwargs: Any) -> HttpResponse:
        # After signing in, the pages speak the user's own language (LocaleMiddleware reads the
        # cookie; the language menu still changes it for the session's browser).
        response = super().post_login(request, user, **kwargs)
        language = language_supported(getattr(user, "language", ""))
        if language:
            language_cookie_set(response, language)
        return response


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        from django.db import connection

        tenant = getattr(connection, "tenant", None)
        name = getattr(tenant, "name", None)
        return f"Porchlight - {name}" if name else "Porchlight"
