"""Department administration pages (dept_admin only) and the user's API tokens page."""

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.i18n import set_language

from core.forms import form_errors_add
from tenants.selectors import policy_current
from tenants.services import policy_update

from .forms import (
    ROLE_CHOICES,
    ApiTokenIssueForm,
    ApiTokenRevokeForm,
    LanguageForm,
    PolicyForm,
    RoleChangeForm,
    StaffInviteForm,
)
from .language import department_language, language_cookie_set, language_supported, user_language
from .models import Role, User
from .selectors import session_passed_mfa, staff_get, staff_list
from .services import (
    AccountError,
    api_token_issue,
    api_token_revoke,
    user_compliance_duty_set,
    user_deactivate,
    user_invite,
    user_language_set,
    user_reactivate,
    user_role_change,
)

if TYPE_CHECKING:
    from django import forms


class DeptAdminRequiredMixin(LoginRequiredMixin):
    """Department admins whose session passed MFA; everyone else gets 403."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if user.is_authenticated and (user.role != Role.DEPT_ADMIN or not session_passed_mfa(request.session)):
            raise PermissionDenied(_("Only department administrators can manage the department."))
        return super().dispatch(request, *args, **kwargs)


def _staff_or_404(user_id: int) -> User:
    try:
        return staff_get(user_id=user_id)
    except User.DoesNotExist as exc:
        raise Http404 from exc


class StaffListView(DeptAdminRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "accounts/staff_list.html",
            {
                "staff": staff_list(),
                "invite_form": StaffInviteForm(initial={"language": department_language() or settings.LANGUAGE_CODE}),
                "role_choices": ROLE_CHOICES,
            },
        )


class StaffInviteView(DeptAdminRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = StaffInviteForm(request.POST)
        if form.is_valid():
            try:
                user = user_invite(actor=request.user, department=request.tenant, **form.cleaned_data)  # type: ignore[attr-defined,arg-type]
            except AccountError as exc:
                form.add_error("email", str(exc))
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
                return redirect("staff-list")
        context = {
            "staff": staff_list(),
            "invite_form": form,
            "role_choices": ROLE_CHOICES,
        }
        return render(request, "accounts/staff_list.html", context, status=400)


class StaffRoleChangeView(DeptAdminRequiredMixin, View):
    def post(self, request: HttpRequest, user_id: int) -> HttpResponse:
        target = _staff_or_404(user_id)
        form = RoleChangeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a valid role."))
            return redirect("staff-list")
        try:
            user_role_change(actor=request.user, user=target, role=form.cleaned_data["role"])  # type: ignore[arg-type]
        except AccountError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Role of %(email)s changed.") % {"email": target.email})
        return redirect("staff-list")


class StaffComplianceDutyView(DeptAdminRequiredMixin, View):
    """Give a supervisor the compliance duty, or take it away (``on=1`` / ``on=0``)."""

    def post(self, request: HttpRequest, user_id: int) -> HttpResponse:
        target = _staff_or_404(user_id)
        on = request.POST.get("on") == "1"
        try:
            user_compliance_duty_set(actor=request.user, user=target, on=on)  # type: ignore[arg-type]
        except AccountError as exc:
            messages.error(request, str(exc))
        else:
            text = (
                _("%(email)s now has the compliance duty.") if on else _("%(email)s no longer has the compliance duty.")
            )
            messages.success(request, text % {"email": target.email})
        return redirect("staff-list")


class StaffDeactivateView(DeptAdminRequiredMixin, View):
    """Deactivating signs the person out everywhere and ends their live views: the "Deactivate"
    link leads to a page that asks first, and only that page's button (``confirm=yes``) acts.
    Reactivating needs no confirmation: it takes nothing away."""

    template = "accounts/staff_deactivate_confirm.html"

    def get(self, request: HttpRequest, user_id: int) -> HttpResponse:
        return render(request, self.template, {"target": _staff_or_404(user_id)})

    def post(self, request: HttpRequest, user_id: int) -> HttpResponse:
        target = _staff_or_404(user_id)
        reactivate = request.POST.get("active") == "1"
        if not reactivate and request.POST.get("confirm") != "yes":
            return render(request, self.template, {"target": target})
        try:
            if reactivate:
                user_reactivate(actor=request.user, user=target)  # type: ignore[arg-type]
                messages.success(request, _("%(email)s can sign in again.") % {"email": target.email})
            else:
                user_deactivate(actor=request.user, user=target)  # type: ignore[arg-type]
                messages.success(
                    request, _("%(email)s is deactivated and signed out everywhere.") % {"email": target.email}
                )
        except AccountError as exc:
            messages.error(request, str(exc))
        return redirect("staff-list")


class StaffHistoryView(DeptAdminRequiredMixin, View):
    def get(self, request: HttpRequest, user_id: int) -> HttpResponse:
        target = _staff_or_404(user_id)
        history = target.history.select_related("history_user").order_by("-history_date")[:100]
        return render(request, "accounts/staff_history.html", {"target": target, "history": history})


class PolicyEditView(DeptAdminRequiredMixin, View):
    def _render(self, request: HttpRequest, form: PolicyForm, status: int = 200) -> HttpResponse:
        policy = form.instance
        history = policy.history.order_by("-history_date")[:50]
        return render(request, "accounts/policy_edit.html", {"form": form, "history": history}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, PolicyForm(instance=policy_current()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PolicyForm(request.POST, instance=policy_current())
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            policy_update(department=request.tenant, actor=cast("User", request.user), **form.changes())  # type: ignore[attr-defined]
        except ValidationError as exc:  # what the model refuses and the form did not foresee: still a form error
            # A list field of the policy (purpose_categories) is typed as text on the form (…_text).
            as_text = {name.removesuffix("_text"): name for name in form.fields if name.endswith("_text")}
            form_errors_add(form, exc, renames=as_text)
            return self._render(request, form, status=400)
        messages.success(request, _("Department policy saved."))
        return redirect("policy-edit")


class ProfileSettingsView(LoginRequiredMixin, View):
    """The user's own settings: the language of their e-mails and, after sign-in, of the pages."""

    def _render(self, request: HttpRequest, form: LanguageForm, status: int = 200) -> HttpResponse:
        return render(request, "accounts/profile_settings.html", {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, LanguageForm(initial={"language": user_language(request.user)}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LanguageForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            user = user_language_set(user=request.user, language=form.cleaned_data["language"])  # type: ignore[arg-type]
        except AccountError as exc:
            form.add_error("language", str(exc))
            return self._render(request, form, status=400)
        with translation.override(user.language):
            messages.success(request, _("Your settings are saved."))
        response = redirect("profile-settings")
        # The pages follow at once (LocaleMiddleware reads this cookie), as after the next sign-in.
        language_cookie_set(response, user.language)
        return response


def _form_errors(form: "forms.BaseForm") -> list[str]:
    """Each error as "Label: message", for pages that show them as messages."""
    return [f"{form.fields[name].label}: {error}" for name, errors in form.errors.items() for error in errors]


class ApiTokensView(LoginRequiredMixin, View):
    """The user's own API tokens. Roles outside API_TOKEN_ROLES (residents) are refused (403),
    except that one who still holds a token (issued before, or by the operator's command)
    sees it here and can revoke it, and nothing more."""

    template = "accounts/api_tokens.html"

    def _render(self, request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
        tokens = request.user.api_tokens.filter(revoked_at__isnull=True)  # type: ignore[union-attr]
        may_issue = request.user.may_hold_api_tokens  # type: ignore[union-attr]
        if not may_issue and not tokens.exists():
            raise PermissionDenied
        return render(request, self.template, {"tokens": tokens, "may_issue": may_issue, **context}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if "revoke" in request.POST:
            return self._revoke(request)
        if not request.user.may_hold_api_tokens:  # type: ignore[union-attr]
            raise PermissionDenied
        form = ApiTokenIssueForm(request.POST)
        if not form.is_valid():
            for message in _form_errors(form):
                messages.error(request, message)
            return self._render(request, status=400, form=form)
        try:
            issued = api_token_issue(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        except AccountError as exc:
            messages.error(request, str(exc))
            return redirect("api-tokens")
        return self._render(request, new_token=issued.raw)

    def _revoke(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenRevokeForm(request.POST)
        if not form.is_valid():
            for message in _form_errors(form):
                messages.error(request, message)
            return self._render(request, status=400)
        if not api_token_revoke(user=request.user, token_id=form.cleaned_data["revoke"]):  # type: ignore[arg-type]
            # Missing, another user's or already revoked look the same.
            messages.error(request, _("No such token."))
            return self._render(request, status=404)
        messages.success(request, _("Token revoked."))
        return redirect("api-tokens")


class TotpSecretRenewView(LoginRequiredMixin, View):
    """Discard the pending TOTP secret so the activation page offers a new one.

    The activation page keeps offering the same secret (accounts.mfa_forms); this is the one
    deliberate way to change it, e.g. when the QR code may have been seen by someone else.
    A POST, so that no page load or link prefetch can renew it by accident. Nothing to renew
    once an authenticator is active: the secret then lives in it, not in the session."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from allauth.mfa.totp.internal.auth import clear_totp_secret

        clear_totp_secret(request)
        messages.info(request, _("A new secret was made: scan the new QR code, then enter the code it shows."))
        return redirect("mfa_activate_totp")


def language_menu_set(request: HttpRequest) -> HttpResponse:
    """The language menu of every page: Django's own switch (the cookie, the redirect back),
    and for a signed-in user the choice stored on their account too, so that what is written
    to them later without a request of theirs (a notice, a reminder, their e-mails: a worker
    renders them in ``User.language``) is in the language they picked, not the one they
    signed up in. A language Porchlight does not speak changes nothing, as in Django's."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language_supported(language) == language
        and getattr(request.user, "language", None) != language
    ):
        user_language_set(user=request.user, language=language)
    return response
