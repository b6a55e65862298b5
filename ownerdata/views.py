"""My data: download everything Porchlight holds about me; delete my account.

Interfaces only. Everything is read for, and done to, the signed-in owner: no id comes
from the client. Downloads are GETs without side effects and are never cached.
"""

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.models import STAFF_ROLES
from accounts.services import AccountError
from cameras.mixins import OwnerRequiredMixin

from .export import export_csv_zip, export_json, owner_export_collect
from .forms import AccountDeleteForm
from .selectors import SECTIONS, account_deletion_preview
from .services import owner_account_delete

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest
    from tenants.models import Department

_DOWNLOADS = {
    "json": ("application/json", export_json),
    "zip": ("application/zip", export_csv_zip),
}


@method_decorator(never_cache, name="dispatch")
class MyDataView(OwnerRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "ownerdata/my_data.html", {"sections": list(SECTIONS)})


@method_decorator(never_cache, name="dispatch")
class MyDataDownloadView(OwnerRequiredMixin, View):
    """Everything about the signed-in owner, as JSON or as a zip of CSV files."""

    def get(self, request: "AuthenticatedHttpRequest", fmt: str) -> HttpResponse:
        if fmt not in _DOWNLOADS:
            raise Http404
        content_type, render_export = _DOWNLOADS[fmt]
        tenant: Department = request.tenant
        export = owner_export_collect(owner=request.user, department_name=tenant.name, time_zone=tenant.time_zone)
        response = HttpResponse(render_export(export), content_type=content_type)
        name = f"porchlight-my-data-{tenant.schema_name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        add_never_cache_headers(response)
        return response


@method_decorator(never_cache, name="dispatch")
class AccountDeleteView(LoginRequiredMixin, View):
    """What deleting the account would do, in numbers and case numbers; then, with the
    password (and the second factor, if set up), the deletion, and the owner is signed out."""

    template = "ownerdata/account_delete.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if user.is_authenticated and user.role in STAFF_ROLES:
            return render(request, "ownerdata/account_delete_staff.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request: "AuthenticatedHttpRequest", form: AccountDeleteForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "preview": account_deletion_preview(owner=request.user)}
        return render(request, self.template, context, status=status)

    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        return self._page(request, AccountDeleteForm(user=request.user))

    def post(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        form = AccountDeleteForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            owner_account_delete(user=request.user)
        except AccountError as exc:  # became staff meanwhile
            form.add_error(None, str(exc))
            return self._page(request, form, status=400)
        logout(request)
        messages.success(request, _("Your account is deleted. Thank you for having taken part."))
        return redirect("portal-home")
