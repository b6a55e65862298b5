"""allauth.mfa forms adapted for Porchlight (settings.MFA_FORMS).

Kept apart from accounts.forms: allauth imports that module for its sign-up form, and the
MFA forms import allauth back."""

from typing import Any

from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal import auth
from django import forms


class TotpActivateForm(ActivateTOTPForm):
    """Offers the same pending secret until it is activated or renewed on purpose.

    allauth 65.21 draws a new secret on every unbound form, that is on every GET of the
    activation page. A staff member without MFA is redirected there from every other address,
    so any request the browser makes while the page is open (its automatic /favicon.ico,
    another tab) replaced the secret behind the QR code on screen, and the code from the app
    was always refused. The secret now lives in the session until activation clears it
    (allauth's flows.activate_totp) or the user asks for a new one (accounts.views
    TotpSecretRenewView). It never leaves the server except on this page.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.user = kwargs.pop("user")
        # Not ActivateTOTPForm.__init__: that is where the secret is redrawn.
        forms.Form.__init__(self, *args, **kwargs)
        self.secret = auth.get_totp_secret(regenerate=False)
