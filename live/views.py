"""Pages: the console's live view and live wall, and the owner's bridges and live sessions."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from cameras import selectors as camera_selectors
from console.views import StaffConsoleMixin
from portal.views import OwnerRequiredMixin
from tenants.selectors import department_base_url

from . import selectors, services
from .models import Bridge


class LiveView(StaffConsoleMixin, View):
    """The page only; the camera data flows through /ws/live/, which asks the gate.

    The page opens its live views at once, and each one is logged, started at the bridge and
    told to the owner: only a POST from the console (CSRF-checked, as for the exports) shows
    it, so no link, redirect or prefetch makes an officer's browser watch a camera."""

    def post(self, request: HttpRequest) -> HttpResponse:
        purpose = self.purpose()
        if purpose is None:
            messages.info(request, _("State the purpose of your search first."))
            return redirect("console-purpose")
        ids = [c for c in request.POST.getlist("camera") if c][:9]
        if not ids:
            raise Http404
        return render(request, "live/live.html", {"cameras": ids, "purpose": purpose, "wall": len(ids) > 1})


class BridgesView(OwnerRequiredMixin, View):
    template = "live/bridges.html"

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        owner = request.user
        return {
            "bridges": selectors.bridges_of_owner(owner=owner),
            "sites": camera_selectors.sites_of_owner(owner=owner),
            "live_sessions": selectors.live_sessions_of_owner(owner=owner),
            "server_url": department_base_url(request.tenant).replace("http", "ws", 1),  # type: ignore[attr-defined]
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, self._context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        owner: Any = request.user
        if "revoke" in request.POST:
            try:
                bridge = Bridge.objects.get(public_id=request.POST["revoke"], site__owner=owner)
            except (Bridge.DoesNotExist, ValidationError) as exc:
                raise Http404 from exc
            services.bridge_revoke(owner=owner, bridge=bridge)
            messages.success(request, _("Bridge disconnected; its token no longer works."))
            return redirect("portal-bridges")
        if "end_session" in request.POST:
            try:
                services.live_session_owner_end(owner=owner, session_public_id=request.POST["end_session"])
            except Exception as exc:  # unknown, foreign or already ended: the same answer
                raise Http404 from exc
            messages.success(request, _("Live view ended."))
            return redirect("portal-bridges")
        try:
            site = camera_selectors.site_of_owner(owner=owner, public_id=request.POST.get("site"))
            cameras = list(site.cameras.filter(public_id__in=request.POST.getlist("cameras")))
            issued = services.bridge_create(owner=owner, site=site, name=request.POST.get("name", ""), cameras=cameras)
        except ValidationError as exc:
            return render(request, self.template, self._context(request, errors=exc.messages), status=400)
        except Exception as exc:  # another owner's or a malformed site id
            raise Http404 from exc
        return render(request, self.template, self._context(request, new_token=issued.token, new_bridge=issued.bridge))
