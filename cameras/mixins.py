"""The bases of the staff and owner pages and the staff API, shared by the interfaces of
several apps (console, portal, live, footage, messaging, ownerdata): they live below all of
them, beside the gate they use, so that no interface app imports another."""

from typing import Any, NoReturn

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from rest_framework.request import Request

from accounts.api_base import BaseApi
from accounts.models import OWNER_ROLES

from . import access, selectors
from .models import Camera, Purpose, Site

SESSION_PURPOSE = "console_purpose"


class StaffConsoleMixin(LoginRequiredMixin):
    """Officers and supervisors whose session passed MFA. Anyone else is refused, and the
    refusal is logged."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.actor = access.Actor.from_request(request)
        if request.user.role not in access.CAMERA_ROLES or not self.actor.mfa:
            access.console_denied(actor=self.actor, path=request.path)
            raise PermissionDenied(_("The console is for officers and supervisors."))
        return super().dispatch(request, *args, **kwargs)

    def purpose(self) -> Purpose | None:
        """The purpose stated in this session, even an expired one: the gate refuses (and
        logs) an expired purpose itself."""
        public_id = self.request.session.get(SESSION_PURPOSE)  # type: ignore[attr-defined]
        return access.purpose_lookup(actor=self.actor, public_id=public_id) if public_id else None

    def to_state_purpose(self) -> HttpResponse:
        """Where a page that needs a stated purpose sends an officer who has none."""
        messages.info(self.request, _("State the purpose of your search first."))  # type: ignore[attr-defined]
        return redirect("console-purpose")


class OwnerRequiredMixin(LoginRequiredMixin):
    """Residents and businesses only; every lookup below is scoped to request.user."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and request.user.role not in OWNER_ROLES:
            raise PermissionDenied(_("This page is for residents and businesses registering their cameras."))
        return super().dispatch(request, *args, **kwargs)

    def site_or_404(self, public_id: Any) -> Site:
        """The owner's own site; another owner's, another department's or none is 404 as for a
        missing one, and the attempt is logged (access.owner_denied)."""
        request = self.request  # type: ignore[attr-defined]
        try:
            return selectors.site_of_owner(owner=request.user, public_id=public_id)
        except Site.DoesNotExist as exc:
            access.owner_denied(actor=access.Actor.from_request(request), what="site", public_id=public_id)
            raise Http404 from exc

    def camera_or_404(self, public_id: Any) -> Camera:
        """The owner's own camera; as site_or_404 otherwise."""
        request = self.request  # type: ignore[attr-defined]
        try:
            return selectors.camera_of_owner(owner=request.user, public_id=public_id)
        except Camera.DoesNotExist as exc:
            access.owner_denied(actor=access.Actor.from_request(request), what="camera", public_id=public_id)
            raise Http404 from exc


def staff_actor(request: Request) -> access.Actor:
    return access.Actor.from_request(
        request._request, token_auth=request.auth is not None, token_mfa=getattr(request.auth, "user_has_mfa", None)
    )


class StaffApi(BaseApi):
    """The staff API: officers and supervisors. Anyone else is refused, and the refusal is
    logged (console_denied), as the console pages do."""

    allowed_roles = access.CAMERA_ROLES

    def permission_denied(self, request: Request, message: str | None = None, code: str | None = None) -> NoReturn:
        if request.user is not None and request.user.is_authenticated:
            access.console_denied(actor=staff_actor(request), path=request.path)
        super().permission_denied(request, message=message, code=code)
