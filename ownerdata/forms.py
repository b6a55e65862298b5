"""Confirming the deletion of one's own account: the password, and the second factor if set up."""

from typing import TYPE_CHECKING, Any

from allauth.account.adapter import get_adapter
from allauth.mfa.base.forms import BaseAuthenticateForm
from allauth.mfa.models import Authenticator
from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def __init__(self, *args: Any, user: "User", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not Authenticator.objects.filter(user_id=user.pk).exists():
            del self.fields["code"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        # allauth's own check, with its rate limit on failed attempts.
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError(_("That is not your password."), code="incorrect_password")
        return password

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        # allauth's own second-factor check (TOTP or a recovery code, rate-limited).
        check = BaseAuthenticateForm({"code": code}, user=self.user)
        if not check.is_valid():
            raise forms.ValidationError(check.errors["code"])
        return code
