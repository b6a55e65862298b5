"""The department's integrity notices: stored clips whose bytes no longer match their hash."""

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from accounts.selectors import session_passed_mfa

from .. import selectors, services
from ..models import IntegrityNotice
from .common import redirect_back

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest


class IntegrityNoticeRoleMixin(LoginRequiredMixin):
    """Department admins and supervisors whose session passed MFA."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        if user.is_authenticated and (
            getattr(user, "role", None) not in selectors.INTEGRITY_NOTICE_ROLES
            or not session_passed_mfa(request.session)
        ):
            raise PermissionDenied(_("Only department administrators and supervisors can see integrity notices."))
        return super().dispatch(request, *args, **kwargs)


class IntegrityNoticeListView(IntegrityNoticeRoleMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "footage/integrity_notices.html", {"notices": selectors.integrity_notices_history()})


class IntegrityNoticeAcknowledgeView(IntegrityNoticeRoleMixin, View):
    def post(self, request: "AuthenticatedHttpRequest", notice_id: int) -> HttpResponse:
        try:
            notice = services.integrity_notice_acknowledge(
                user=request.user, notice_id=notice_id, note=request.POST.get("note", "")
            )
        except IntegrityNotice.DoesNotExist as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Integrity notice for %(name)s acknowledged; it stays in the history.")
                % {"name": notice.clip.original_name},
            )
        return redirect_back(request, "footage-integrity-notices")
