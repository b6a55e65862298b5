"""allauth.mfa views adapted for Porchlight's first sign-in of a staff member (routed in
config.urls_tenant ahead of allauth's own URLs, at the same addresses and names).

A staff member reaches nothing but the authenticator's set-up until their session has passed a
second factor (accounts.middleware). allauth then signed them out to sign in again with the code
they had just entered: the password asked a further time. The set-up itself proves the
authenticator (the code of the secret on screen), right after the first factor (the password,
signed in or chosen from the invitation): it is recorded as the session's second factor, and
the recovery codes page leads on to the member's first page."""

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django.http import HttpResponse

from .adapter import AccountAdapter
from .selectors import session_passed_mfa

__all__ = ["RecoveryCodesView", "TotpActivateView"]


class TotpActivateView(ActivateTOTPView):
    """allauth's activation of an authenticator, which also counts as this session's second
    factor (the code was checked against the secret by allauth's form)."""

    def form_valid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_valid(form)
        record_authentication(self.request, self.request.user, method="mfa", type="totp", activated=True)
        return response


class RecoveryCodesView(ViewRecoveryCodesView):
    """allauth's recovery codes, with the way on to the user's own first page once the session
    has passed its second factor (the page a sign-in would have led to)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        if session_passed_mfa(self.request.session):
            context["continue_url"] = AccountAdapter(self.request).get_login_redirect_url(self.request)
        return context
