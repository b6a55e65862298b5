"""Department console: staff pages over the access gate. Every read of camera data here is
a gate call (cameras/access.py); these views only validate input and render."""

import csv
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from cameras import access
from cameras.models import Purpose
from tenants.models import DepartmentPolicy

from .forms import AreaForm, PurposeForm

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
        public_id = self.request.session.get(SESSION_PURPOSE)  # type: ignore[attr-defined]
        return access.purpose_lookup(actor=self.actor, public_id=public_id) if public_id else None


def _policy(request: HttpRequest) -> DepartmentPolicy:
    return DepartmentPolicy.objects.get(department=request.tenant)  # type: ignore[attr-defined]


class PurposeView(StaffConsoleMixin, View):
    template = "console/purpose.html"

    def _form(self, request: HttpRequest, data: Any = None) -> PurposeForm:
        policy = _policy(request)
        return PurposeForm(data, categories=policy.purpose_categories, prohibited=policy.prohibited_purposes)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": self._form(request), "current": self.purpose()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                purpose = access.purpose_declare(actor=self.actor, **form.cleaned_data)
            except access.PurposeRefused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                request.session[SESSION_PURPOSE] = str(purpose.public_id)
                messages.success(request, _("Purpose recorded for case %(case)s.") % {"case": purpose.case_number})
                return redirect("console-map")
        return render(request, self.template, {"form": form, "current": self.purpose()}, status=400)


class MapView(StaffConsoleMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        purpose = self.purpose()
        if purpose is None:
            messages.info(request, _("State the purpose of your search first."))
            return redirect("console-purpose")
        boundary = request.tenant.boundary  # type: ignore[attr-defined]
        return render(
            request,
            "console/map.html",
            {
                "purpose": purpose,
                "tile_url": settings.PORCHLIGHT_TILE_URL,
                "boundary": json.loads(boundary.geojson) if boundary else None,
                "area_form": AreaForm(),
            },
        )


class MapDataView(StaffConsoleMixin, View):
    """Approximate positions for the viewport: one query and one event per call."""

    def get(self, request: HttpRequest) -> JsonResponse:
        try:
            west, south, east, north = (float(v) for v in request.GET.get("bbox", "").split(","))
        except ValueError:
            return JsonResponse({"detail": _("bbox must be west,south,east,north in degrees.")}, status=400)
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            return JsonResponse({"detail": _("bbox must be west,south,east,north in degrees.")}, status=400)
        decision, rows = access.camera_map(actor=self.actor, purpose=self.purpose(), bbox=(west, south, east, north))
        if not decision.allowed:
            return JsonResponse({"detail": decision.message, "reason": decision.reason}, status=403)
        return JsonResponse({"cameras": [[pid, lon, lat, level] for pid, lon, lat, level in rows]})


def _level_words() -> dict[str, str]:
    return {
        "registered": _("Registered only"),
        "on_request": _("Footage on request"),
        "live_exigent": _("Live in emergencies"),
        "live": _("Live"),
    }


class SearchView(StaffConsoleMixin, View):
    """htmx: the canvass list for an area (nearest first), with a GeoJSON copy for the map."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AreaForm(request.GET)
        if not form.is_valid():
            return render(
                request, "console/_results.html", {"errors": form.errors.get("__all__") or form.errors}, status=400
            )
        result = access.camera_search(
            actor=self.actor, purpose=self.purpose(), area=form.cleaned_data["area"], mode=form.cleaned_data["mode"]
        )
        if not result.decision.allowed:
            return render(request, "console/_results.html", {"errors": [result.decision.message]}, status=403)
        features = [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(h.camera.lon, 4), round(h.camera.lat, 4)],
                },
                "properties": {"id": str(h.camera.public_id), "level": h.level},
            }
            for h in result.hits
        ]
        return render(
            request,
            "console/_results.html",
            {
                "result": result,
                "levels": _level_words(),
                "features": {"type": "FeatureCollection", "features": features},
                "query": request.GET.urlencode(),
            },
        )


class ExportView(StaffConsoleMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = AreaForm(request.GET)
        if not form.is_valid():
            return HttpResponse(_("Invalid area."), status=400)
        result = access.camera_search(
            actor=self.actor,
            purpose=self.purpose(),
            area=form.cleaned_data["area"],
            mode=form.cleaned_data["mode"],
            action="export",
        )
        if not result.decision.allowed:
            raise PermissionDenied(result.decision.message)
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="canvass.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["camera_id", "distance_m", "type", "views", "consent", "footage_request", "live_view", "contact"]
        )
        words = _level_words()
        for hit in result.hits:
            row = hit.camera
            contact = f"{row.contact_name} <{row.contact_email}> {row.contact_address}" if hit.shares_contact else ""
            writer.writerow(
                [
                    hit.camera.public_id,
                    round(hit.distance_m),
                    hit.camera.type_label,
                    " ".join(hit.camera.views),
                    words.get(hit.level, hit.level),
                    "yes" if hit.can_request_footage else "no",
                    "yes" if hit.can_live_view else "no",
                    contact,
                ]
            )
        return response


class CameraDetailView(StaffConsoleMixin, View):
    def get(self, request: HttpRequest, camera_id: str) -> HttpResponse:
        decision, camera = access.camera_lookup(actor=self.actor, purpose=self.purpose(), public_id=camera_id)
        if camera is None:
            if decision.reason == "not_found":
                raise Http404
            raise PermissionDenied(decision.message)
        return render(
            request,
            "console/camera_detail.html",
            {"camera": camera, "level_words": _level_words(), "decision": decision, "purpose": self.purpose()},
        )


class OwnerContactView(StaffConsoleMixin, View):
    def post(self, request: HttpRequest, camera_id: str) -> HttpResponse:
        decision, camera = access.camera_lookup(
            actor=self.actor, purpose=self.purpose(), public_id=camera_id, action="owner_contact_view"
        )
        if camera is None:
            if decision.reason == "not_found":
                raise Http404
            return HttpResponse(f'<p class="warn">{decision.message}</p>', status=403)
        owner, site = camera.site.owner, camera.site
        return render(request, "console/_contact.html", {"owner": owner, "site": site})


class ApprovalsView(StaffConsoleMixin, View):
    """Supervisors approve other officers' exigent purposes (a second person, logged)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "console/approvals.html", {"pending": access.purposes_awaiting_approval(actor=self.actor)}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            access.purpose_approve(actor=self.actor, purpose_public_id=request.POST.get("purpose"))
        except access.PurposeRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Approved."))
        return redirect("console-approvals")
