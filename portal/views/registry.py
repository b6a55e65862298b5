"""Resident and business pages. Interfaces only: forms in, services and selectors out."""

import datetime as dt
import json
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from audit.selectors import chain_head_published, events_for_owner
from cameras import selectors, services, suspensions
from cameras.consent import MAX_WINDOWS, ConsentLevel
from cameras.exceptions import OutsideJurisdiction
from cameras.mixins import OwnerRequiredMixin
from cameras.models import Camera, CameraStatus, Site
from compliance.selectors import (
    ordinance_kinds_in_force,
    ordinances_any,
    ordinances_in_force,
    site_compliance,
    sites_compliance,
)
from core.forms import form_errors_add
from core.http import status_of, text_refusal
from places.geocoders import GeocoderUnavailable, address_suggest, point_from_param
from tenants.selectors import policy_current

from ..forms import (
    SCHEDULE_PRESETS,
    CameraForm,
    ConsentForm,
    SchedulePresetForm,
    SiteForm,
    WindowFormSet,
    windows_payload,
)

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest

LIVE_LEVELS = (ConsentLevel.LIVE, ConsentLevel.LIVE_EXIGENT)


class PortalHomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["policy"] = policy_current()
        context["ordinances"] = ordinances_in_force(on=timezone.localdate())
        context["levels"] = list(selectors.LEVEL_SENTENCES.items())
        # Published so that nobody, not even the operator, can rewrite the log unnoticed: as of the
        # latest signed checkpoint, not live (audit.selectors.chain_head_published).
        context["chain_head"] = chain_head_published()
        return context


def _map_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    boundary = request.tenant.boundary  # type: ignore[attr-defined]
    return {
        "tile_url": settings.PORCHLIGHT_TILE_URL,
        "boundary": json.loads(boundary.geojson) if boundary else None,
        **extra,
    }


def _sites_geojson(sites: list[Site]) -> dict[str, Any]:
    features = []
    for site in sites:
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(site.location.geojson),
                "properties": {"kind": "site", "label": str(site)},
            }
        )
        for camera in site.cameras.all():
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(camera.fov.geojson),
                    "properties": {
                        "kind": "fov",
                        "label": camera.label,
                        "level": "off"
                        if camera.consent.revoked_at or camera.status == CameraStatus.PAUSED
                        else camera.consent.level,
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


class MyCamerasView(OwnerRequiredMixin, View):
    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        sites = list(selectors.sites_of_owner(owner=request.user))
        policy = policy_current()
        rows = []
        compliance = sites_compliance(
            sites=sites,
            policy=policy,
            schema=request.tenant.schema_name,
            now=timezone.now(),
        )
        for site in sites:
            cameras = [
                (
                    camera,
                    selectors.consent_sentence(
                        level=camera.consent.level,
                        revoked=camera.consent.revoked_at is not None,
                        paused=camera.status == CameraStatus.PAUSED,
                    ),
                    selectors.schedule_summary(
                        level=camera.consent.level,
                        windows=camera.consent.windows,
                        revoked=camera.consent.revoked_at is not None,
                        paused=camera.status == CameraStatus.PAUSED,
                    ),
                )
                for camera in site.cameras.all()
            ]
            ordinance = compliance[site.pk]
            # Said where a camera's sentence speaks of live view that the department never uses here.
            live_barred = selectors.site_live_view_barred(site=site, policy=policy) and any(
                camera.consent.level in LIVE_LEVELS and camera.consent.revoked_at is None
                for camera, _sentence, _schedule in cameras
            )
            rows.append((site, cameras, ordinance, live_barred))
        now = timezone.now()
        emergencies = events_for_owner(owner_id=int(request.user.pk or 0)).filter(
            action="live_end",
            consent_level="live_exigent",
            # not after now: a time edited to 'infinity' is no recent emergency (the access log shows it)
            occurred_at__range=(now - dt.timedelta(days=30), now),
        )[:5]
        return render(
            request,
            "portal/my_cameras.html",
            _map_context(
                request,
                rows=rows,
                obligations=any(c.covered for c in compliance.values()),
                features=_sites_geojson(sites),
                emergencies=list(emergencies),
                suspensions=suspensions.suspensions_open(owner=request.user),
            ),
        )


def _site_form(request: HttpRequest, *args: Any, **kwargs: Any) -> SiteForm:
    today = timezone.now().date()
    return SiteForm(
        *args,
        owner_role=request.user.role,  # type: ignore[union-attr]
        ordinance=ordinances_any(on=today),
        ordinance_kinds=ordinance_kinds_in_force(on=today),
        **kwargs,
    )


def _apply_errors(form: Any, error: ValidationError) -> None:
    # A service's point ("location") is the form's latitude and longitude: said on the first.
    form_errors_add(form, error, renames={"location": "latitude"})


def _site_save(form: SiteForm, save: Any) -> tuple[Site | None, dict[str, Any] | None]:
    """Run a site service with the form's coordinates; its errors land on the form's fields.

    Returns the saved site (or None) and, when the point lies in another department, that
    department's name and portal link.
    """
    if not form.is_valid():
        return None, None
    try:
        return save({"lon": form.cleaned_data["longitude"], "lat": form.cleaned_data["latitude"]}), None
    except OutsideJurisdiction as exc:
        _apply_errors(form, exc)
        return None, ({"name": exc.other_name, "url": exc.other_url} if exc.other_name else None)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None, None


class SiteCreateView(OwnerRequiredMixin, View):
    template = "portal/site_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, _map_context(request, form=_site_form(request)))

    def post(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        form = _site_form(request, request.POST)
        site, other = _site_save(
            form,
            lambda coordinates: services.site_create(
                owner=request.user,
                department=request.tenant,
                **coordinates,
                **form.site_fields(),
            ),
        )
        if site is not None:
            messages.success(request, _("Your property is registered. Now add its cameras."))
            return redirect("portal-camera-create", site_id=site.public_id)
        return render(request, self.template, _map_context(request, form=form, other_department=other), status=400)


class SiteUpdateView(OwnerRequiredMixin, View):
    template = "portal/site_form.html"

    def get(self, request: HttpRequest, site_id: str) -> HttpResponse:
        site = self.site_or_404(site_id)
        return render(request, self.template, _map_context(request, form=_site_form(request, instance=site), site=site))

    def post(self, request: "AuthenticatedHttpRequest", site_id: str) -> HttpResponse:
        site = self.site_or_404(site_id)
        form = _site_form(request, request.POST, instance=Site.objects.get(pk=site.pk))
        saved, other = _site_save(
            form,
            lambda coordinates: services.site_update(
                owner=request.user,
                site=site,
                department=request.tenant,
                **coordinates,
                **form.site_fields(),
            ),
        )
        if saved is not None:
            messages.success(request, _("Property saved."))
            return redirect("portal-my-cameras")
        return render(
            request, self.template, _map_context(request, form=form, site=site, other_department=other), status=400
        )


class SiteDeleteView(OwnerRequiredMixin, View):
    def get(self, request: HttpRequest, site_id: str) -> HttpResponse:
        return render(request, "portal/confirm_delete.html", {"object": self.site_or_404(site_id), "kind": "site"})

    def post(self, request: "AuthenticatedHttpRequest", site_id: str) -> HttpResponse:
        services.site_delete(owner=request.user, site=self.site_or_404(site_id))
        messages.success(request, _("The property and its cameras are deleted, with your personal details."))
        return redirect("portal-my-cameras")


class CameraCreateView(OwnerRequiredMixin, View):
    template = "portal/camera_form.html"

    def get(self, request: HttpRequest, site_id: str) -> HttpResponse:
        site = self.site_or_404(site_id)
        return render(request, self.template, _map_context(request, form=CameraForm(), site=site))

    def post(self, request: "AuthenticatedHttpRequest", site_id: str) -> HttpResponse:
        site = self.site_or_404(site_id)
        form = CameraForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                camera = services.camera_register(owner=request.user, site=site, **form.camera_fields())
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Camera added. Choose what police may do with it."))
                return redirect("portal-consent-edit", camera_id=camera.public_id)
        return render(request, self.template, _map_context(request, form=form, site=site), status=400)


class CameraUpdateView(OwnerRequiredMixin, View):
    template = "portal/camera_form.html"

    def get(self, request: HttpRequest, camera_id: str) -> HttpResponse:
        camera = self.camera_or_404(camera_id)
        return render(
            request,
            self.template,
            _map_context(request, form=CameraForm(instance=camera), site=camera.site, camera=camera),
        )

    def post(self, request: "AuthenticatedHttpRequest", camera_id: str) -> HttpResponse:
        camera = self.camera_or_404(camera_id)
        form = CameraForm(request.POST, request.FILES, instance=Camera.objects.get(pk=camera.pk))
        if form.is_valid():
            try:
                services.camera_update(owner=request.user, camera=camera, **form.camera_fields())
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Camera saved."))
                return redirect("portal-my-cameras")
        return render(
            request, self.template, _map_context(request, form=form, site=camera.site, camera=camera), status=400
        )


class CameraDeleteView(OwnerRequiredMixin, View):
    def get(self, request: HttpRequest, camera_id: str) -> HttpResponse:
        return render(
            request, "portal/confirm_delete.html", {"object": self.camera_or_404(camera_id), "kind": "camera"}
        )

    def post(self, request: "AuthenticatedHttpRequest", camera_id: str) -> HttpResponse:
        services.camera_delete(owner=request.user, camera=self.camera_or_404(camera_id))
        messages.success(request, _("The camera is deleted."))
        return redirect("portal-my-cameras")


class CameraStatusView(OwnerRequiredMixin, View):
    def post(self, request: "AuthenticatedHttpRequest", camera_id: str) -> HttpResponse:
        camera = self.camera_or_404(camera_id)
        # Only the two buttons' values: anything else must not resume a paused camera.
        status = request.POST.get("status", "")
        if status not in (CameraStatus.PAUSED, CameraStatus.ACTIVE):
            return text_refusal(
                _("Unknown status: send status “paused” to pause the camera or “active” to resume it."), 400
            )
        services.camera_status_set(owner=request.user, camera=camera, status=status)
        messages.success(request, _("Camera paused.") if status == CameraStatus.PAUSED else _("Camera resumed."))
        return redirect("portal-my-cameras")


class ConsentEditView(OwnerRequiredMixin, View):
    template = "portal/consent_form.html"

    def _context(
        self,
        request: HttpRequest,
        camera: Camera,
        form: ConsentForm,
        windows: Any,
        window_errors: list[str] | None = None,
        preset_form: SchedulePresetForm | None = None,
    ) -> dict[str, Any]:
        policy = policy_current()
        # The preview shows the level chosen, once it is a valid one; never a value the form refused.
        if form.is_bound:
            level = getattr(form, "cleaned_data", {}).get("level") or camera.consent.level
        else:
            level = form["level"].value() or camera.consent.level
        ordinance = site_compliance(
            site=camera.site,
            policy=policy,
            schema=request.tenant.schema_name,  # type: ignore[attr-defined]
            now=timezone.now(),
        )
        return {
            "camera": camera,
            "form": form,
            "windows": windows,
            "window_errors": window_errors or [],
            "policy": policy,
            "preview": selectors.consent_sentence(level=level),
            "ordinance": ordinance,
            "revoked": camera.consent.revoked_at is not None,
            "live_barred": selectors.site_live_view_barred(site=camera.site, policy=policy),
            "preset_form": preset_form or SchedulePresetForm(prefix="preset"),
            "presets": SCHEDULE_PRESETS,
            "max_windows": MAX_WINDOWS,
        }

    def get(self, request: HttpRequest, camera_id: str) -> HttpResponse:
        camera = self.camera_or_404(camera_id)
        grant = camera.consent
        tz = request.tenant.time_zone  # type: ignore[attr-defined]
        initial = {
            "level": grant.level,
            "expires_on": grant.expires_at.astimezone(ZoneInfo(tz)).date() if grant.expires_at else None,
            "max_live_minutes": grant.max_live_minutes,
            "notify_on_access": grant.notify_on_access,
        }
        windows = WindowFormSet(prefix="w", initial=grant.windows)
        return render(
            request, self.template, self._context(request, camera, ConsentForm(initial=initial, time_zone=tz), windows)
        )

    def post(self, request: "AuthenticatedHttpRequest", camera_id: str) -> HttpResponse:
        camera = self.camera_or_404(camera_id)
        tz = request.tenant.time_zone
        if "revoke" in request.POST:
            services.consent_revoke(owner=request.user, camera=camera)
            messages.success(request, _("Consent withdrawn. Police now only know the camera exists."))
            return redirect("portal-my-cameras")
        if "add_window" in request.POST or "apply_preset" in request.POST:
            return self._redisplay(request, camera)
        form = ConsentForm(request.POST, time_zone=tz)
        windows = WindowFormSet(request.POST, prefix="w")
        policy = policy_current()
        window_errors: list[str] = []
        if form.is_valid() and windows.is_valid() and policy is not None:
            try:
                services.consent_set(
                    owner=request.user,
                    camera=camera,
                    policy=policy,
                    level=form.cleaned_data["level"],
                    windows=windows_payload(windows),
                    expires_at=form.expires_at(),
                    max_live_minutes=form.cleaned_data["max_live_minutes"],
                    notify_on_access=form.cleaned_data["notify_on_access"],
                )
            except ValidationError as exc:
                # The schedule's problems are said above its rows, not on the form.
                errors = exc.message_dict
                window_errors += errors.pop("windows", [])
                form_errors_add(form, ValidationError(errors), renames={"expires_at": "expires_on"})
            else:
                camera.refresh_from_db()
                status = site_compliance(
                    site=camera.site,
                    policy=policy,
                    schema=request.tenant.schema_name,
                    now=timezone.now(),
                )
                if status.covered and not status.compliant:
                    messages.warning(request, status.message)
                messages.success(
                    request,
                    _("Consent saved: %(sentence)s")
                    % {"sentence": selectors.consent_sentence(level=form.cleaned_data["level"])},
                )
                return redirect("portal-my-cameras")
        return render(request, self.template, self._context(request, camera, form, windows, window_errors), status=400)

    def _redisplay(self, request: HttpRequest, camera: Camera) -> HttpResponse:
        """The form again, unsaved, with one more schedule row ("Add a row") or with the rows
        replaced by a ready-made schedule ("Use this schedule"). Without JavaScript these
        buttons post here; static/js/schedule.js does the same in the page."""
        tz = request.tenant.time_zone  # type: ignore[attr-defined]
        form = ConsentForm(request.POST, time_zone=tz)
        form.is_valid()  # so that the preview shows the level chosen, as after a refused save
        preset_form = SchedulePresetForm(request.POST if "apply_preset" in request.POST else None, prefix="preset")
        if "apply_preset" in request.POST:
            if not preset_form.is_valid():
                windows = WindowFormSet(request.POST, prefix="w")
                context = self._context(request, camera, form, windows, preset_form=preset_form)
                return render(request, self.template, context, status=400)
            windows = WindowFormSet(prefix="w", initial=preset_form.windows())
        else:
            data = request.POST.copy()
            try:
                total = int(data.get("w-TOTAL_FORMS", ""))
            except ValueError:
                total = 0
            data["w-TOTAL_FORMS"] = str(max(0, min(total + 1, MAX_WINDOWS)))
            windows = WindowFormSet(data, prefix="w")
        return render(request, self.template, self._context(request, camera, form, windows, preset_form=preset_form))


class ConsentPreviewView(OwnerRequiredMixin, View):
    """htmx: the plain-words sentence for the level being chosen."""

    def get(self, request: HttpRequest) -> HttpResponse:
        level = request.GET.get("level", "registered")
        if level not in selectors.LEVEL_SENTENCES:
            level = "registered"
        return HttpResponse(selectors.consent_sentence(level=level))


def _bulk_confirm(
    request: "AuthenticatedHttpRequest",
    what: str,
    *,
    status: int = 200,
    duration_error: str = "",
    duration: str = "until_resumed",
) -> HttpResponse:
    """The page that asks before a pause, revocation or resume of every camera acts: the
    buttons on "My cameras" only lead here (a plain link, so it works without JavaScript)."""
    owner = request.user
    cameras = selectors.cameras_of_owner(owner=owner)
    context = {
        "what": what,
        "active": cameras.filter(status=CameraStatus.ACTIVE).count(),
        "in_force": cameras.filter(consent__revoked_at__isnull=True).count(),
        "open": suspensions.suspensions_open(owner=owner),
        "durations": [
            ("until_resumed", _("Until I resume them")),
            ("24h", _("For 24 hours")),
            ("7d", _("For 7 days")),
        ],
        "duration": duration,
        "duration_error": duration_error,
    }
    return render(request, "portal/bulk_confirm.html", context, status=status)


def _confirmed(request: HttpRequest) -> bool:
    # Only the confirmation page's button sends this: a bare POST (an old page, a stray form) acts on nothing.
    return request.POST.get("confirm") == "yes"


class PauseAllView(OwnerRequiredMixin, View):
    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        return _bulk_confirm(request, "pause")

    def post(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        choice = request.POST.get("duration", "until_resumed")
        if choice not in suspensions.PAUSE_DURATIONS:
            return _bulk_confirm(request, "pause", status=400, duration_error=_("Choose how long to pause."))
        if not _confirmed(request):
            return _bulk_confirm(request, "pause", duration=choice)
        duration = suspensions.PAUSE_DURATIONS[choice]
        count = suspensions.cameras_pause_all(owner=request.user, duration=duration)
        if duration is None:
            messages.success(
                request,
                ngettext(
                    "Paused %(count)d camera. Police only know it exists.",
                    "Paused %(count)d cameras. Police only know they exist.",
                    count,
                )
                % {"count": count},
            )
        else:
            until = timezone.localtime(timezone.now() + duration)
            messages.success(
                request,
                ngettext(
                    "Paused %(count)d camera until %(until)s. Police only know it exists; it resumes by itself.",
                    "Paused %(count)d cameras until %(until)s. Police only know they exist; they resume by themselves.",
                    count,
                )
                % {"count": count, "until": until.strftime("%Y-%m-%d %H:%M")},
            )
        return redirect("portal-my-cameras")


class RevokeAllView(OwnerRequiredMixin, View):
    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        return _bulk_confirm(request, "revoke")

    def post(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        if not _confirmed(request):
            return _bulk_confirm(request, "revoke")
        count = suspensions.consents_revoke_all(owner=request.user)
        messages.success(
            request,
            ngettext("Consent withdrawn for %(count)d camera.", "Consent withdrawn for %(count)d cameras.", count)
            % {"count": count},
        )
        return redirect("portal-my-cameras")


class ResumeAllView(OwnerRequiredMixin, View):
    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        return _bulk_confirm(request, "resume")

    def post(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        if not _confirmed(request):
            return _bulk_confirm(request, "resume")
        result = suspensions.suspensions_resume_all(owner=request.user)
        messages.success(
            request,
            ngettext("%(count)d camera is back as it was.", "%(count)d cameras are back as they were.", result.restored)
            % {"count": result.restored},
        )
        if result.kept:
            messages.info(
                request,
                ngettext(
                    "%(count)d camera you changed since is left as you changed it.",
                    "%(count)d cameras you changed since are left as you changed them.",
                    result.kept,
                )
                % {"count": result.kept},
            )
        return redirect("portal-my-cameras")


class AddressSuggestView(OwnerRequiredMixin, View):
    """Suggestions for the property form's address field (GET ?q=...): picking one places the
    pin. Signed-in owners only, and only this department's addresses."""

    def get(self, request: HttpRequest) -> JsonResponse:
        query = request.GET.get("q", "")[:200]
        try:
            matches = address_suggest(query=query, near=point_from_param(request.GET.get("near", "")))
        except GeocoderUnavailable as exc:
            return JsonResponse({"detail": exc.message, "results": []}, status=status_of(exc))
        return JsonResponse({"results": [match.as_json() for match in matches]})
