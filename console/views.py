"""Department console: staff pages over the access gate. Every read of camera data here is
a gate call (cameras/access/); these views only validate input and render."""

import csv
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from cameras import access
from cameras.addresses import address_for_police
from cameras.consent import ConsentAction, ConsentLevel, Reason, consent_permits
from cameras.forms import AreaForm
from cameras.mixins import SESSION_PURPOSE, StaffConsoleMixin
from cameras.models import Purpose
from cameras.selectors import grant_state
from cameras.words import view_labels
from core import ratelimit
from core.forms import form_errors_add
from core.http import status_of, text_refusal
from core.spreadsheets import csv_safe_cell
from incidents.models import IntegrationKind
from incidents.selectors import incidents_open
from live import selectors as live_selectors
from places.geocoders import GeocoderUnavailable, address_suggest, point_from_param
from tenants.selectors import policy_current

from .forms import DenyForm, PurposeForm
from .incident_feed import incident_message

# The map's incident panel lists at most this many open incidents, newest first.
OPEN_INCIDENTS_SHOWN = 100

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest


def _in_force(purpose: Purpose | None) -> Purpose | None:
    return purpose if purpose is not None and purpose.expires_at > timezone.now() else None


class PurposeView(StaffConsoleMixin, View):
    template = "console/purpose.html"

    def _form(self, request: HttpRequest, data: Any = None) -> PurposeForm:
        policy = policy_current()
        return PurposeForm(data, categories=policy.purpose_categories, prohibited=policy.prohibited_purposes)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": self._form(request), "current": _in_force(self.purpose())})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                purpose = access.purpose_declare(
                    actor=self.actor, approvals_link=reverse("console-approvals"), **form.cleaned_data
                )
            except access.PurposeRefused as exc:
                form_errors_add(form, exc)
            else:
                request.session[SESSION_PURPOSE] = str(purpose.public_id)
                messages.success(request, _("Purpose recorded for case %(case)s.") % {"case": purpose.case_number})
                if access.purpose_awaits_approval(purpose=purpose):
                    messages.info(
                        request,
                        _(
                            "This emergency purpose waits for a supervisor's approval before any live view of "
                            "emergency-only cameras; the supervisors have been told."
                        ),
                    )
                return redirect("console-map")
        return render(request, self.template, {"form": form, "current": _in_force(self.purpose())}, status=400)


class MapView(StaffConsoleMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        purpose = self.purpose()
        if purpose is None:
            return self.to_state_purpose()
        if _in_force(purpose) is None:
            messages.warning(
                request, _("Your purpose for case %(case)s expired; state it again.") % {"case": purpose.case_number}
            )
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
                # The open incidents as the live feed sends them (console.consumers): the
                # panel starts from these and the feed adds, updates and removes.
                "open_incidents": [incident_message(i) for i in incidents_open()[:OPEN_INCIDENTS_SHOWN]],
                "source_labels": {str(k): str(v) for k, v in IntegrationKind.choices},
            },
        )


class MapDataView(StaffConsoleMixin, View):
    """Approximate positions for the viewport: one query and one event per call. The event is
    on the officer's name: only the console map's POST (with the CSRF token in X-CSRFToken)
    makes one, so no link or prefetch of another site logs a map view."""

    def post(self, request: HttpRequest) -> JsonResponse:
        try:
            west, south, east, north = (float(v) for v in request.POST.get("bbox", "").split(","))
        except ValueError:
            return JsonResponse({"detail": _("bbox must be west,south,east,north in degrees.")}, status=400)
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            return JsonResponse({"detail": _("bbox must be west,south,east,north in degrees.")}, status=400)
        decision, rows = access.camera_map(actor=self.actor, purpose=self.purpose(), bbox=(west, south, east, north))
        if not decision.allowed:
            return JsonResponse(
                {"detail": decision.message, "reason": decision.reason}, status=status_of(decision.refusal())
            )
        return JsonResponse({"cameras": [[pid, lon, lat, level] for pid, lon, lat, level in rows]})


# Refusals that stating a purpose (again) cures: the results then link to the purpose page.
def _level_words() -> dict[str, str]:
    return {
        "registered": _("Registered only"),
        "on_request": _("Footage on request"),
        "live_exigent": _("Live in emergencies"),
        "live": _("Live"),
    }


# Rows of the canvass list on one screen page.
RESULTS_PAGE_SIZE = 25


class SearchView(StaffConsoleMixin, View):
    """htmx: the canvass list for an area (nearest first), with a GeoJSON copy for the map.

    A search is logged on the officer's name and purpose and tells the owners who asked to be
    told: only a POST from the console's map form makes one (CSRF-checked, as for the canvass
    export), so no link, redirect or prefetch makes an officer's browser search.

    The list is paged on screen (RESULTS_PAGE_SIZE rows a page) in the browser: the one search
    event lists every camera this response hands over, and turning a page hands over nothing
    new, so it is not another search (re-asking the gate per page would log, and tell owners
    of, one search several times; keeping results server-side would serve camera data
    outside the gate)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        # The same count as the API's searches (docs/rate-limits.md); over it, the sentence
        # where the results go (config.middleware.rate_limited_page).
        ratelimit.limit_check_request(request, limit=ratelimit.Limit.SEARCH, user=request.user.pk)
        form = AreaForm(request.POST)
        if not form.is_valid():
            return render(request, "console/_results.html", {"errors": form.error_sentences()}, status=400)
        result = access.camera_search(
            actor=self.actor, purpose=self.purpose(), area=form.cleaned_data["area"], mode=form.cleaned_data["mode"]
        )
        if not result.decision.allowed:
            return render(
                request,
                "console/_results.html",
                {
                    "errors": [result.decision.message],
                    "restate_purpose": result.decision.reason in access.RESTATE_PURPOSE,
                },
                status=status_of(result.decision.refusal()),
            )
        features = [
            {
                "type": "Feature",
                # Approximate position (~100 m), as on the map and in the API: not the door.
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(h.camera.lon, 3), round(h.camera.lat, 3)],
                },
                "properties": {"id": str(h.camera.public_id), "level": h.level},
            }
            for h in result.hits
        ]
        live = _live_ready(request, result.hits)
        pages = max(1, -(-len(result.hits) // RESULTS_PAGE_SIZE))
        return render(
            request,
            "console/_results.html",
            {
                "result": result,
                "rows": [
                    (index // RESULTS_PAGE_SIZE, hit, hit.camera.public_id in live)
                    for index, hit in enumerate(result.hits)
                ],
                "page_size": RESULTS_PAGE_SIZE,
                "pages": pages,
                "first_page_end": min(RESULTS_PAGE_SIZE, len(result.hits)),
                "levels": _level_words(),
                "features": {"type": "FeatureCollection", "features": features},
                "live_available": bool(live),
                # The area again, for the form that exports it or asks its owners for footage
                # (both POSTs: see ExportView and FootageRequestCreateView).
                "area_fields": form.area_fields(),
            },
        )


def _live_ready(request: HttpRequest, hits: list[access.CameraHit]) -> set[Any]:
    """Public ids of the hits the gate would let the officer watch now and whose bridge is
    connected: a camera without a picture to show is not offered for live view."""
    online = live_selectors.cameras_with_bridge_online(
        schema=request.tenant.schema_name,  # type: ignore[attr-defined]
        camera_public_ids=[h.camera.public_id for h in hits],
    )
    return {h.camera.public_id for h in hits if h.can_live_view and h.camera.public_id in online}


class ExportView(StaffConsoleMixin, View):
    """The canvass list of an area as CSV. An export is logged and tells the owners who asked
    to be told: only a POST from the console's results makes one (CSRF-checked, as for the
    evidence export), so no link, redirect or prefetch makes an officer's browser export."""

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AreaForm(request.POST)
        if not form.is_valid():
            return text_refusal("\n".join(form.error_sentences()), 400)
        result = access.camera_search(
            actor=self.actor,
            purpose=self.purpose(),
            area=form.cleaned_data["area"],
            mode=form.cleaned_data["mode"],
            action="export",
        )
        if not result.decision.allowed:
            raise result.decision.refusal()
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="canvass.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "camera_id",
                "distance_m",
                "address",
                "type",
                "views",
                "consent",
                "footage_request",
                "live_view",
                "contact",
            ]
        )
        words = _level_words()
        yes, no, offline = _("yes"), _("no"), _("no bridge online")
        live = _live_ready(request, result.hits)
        for hit in result.hits:
            row = hit.camera
            contact = f"{row.contact_name} <{row.contact_email}> {row.contact_address}" if hit.shares_contact else ""
            writer.writerow(
                [
                    csv_safe_cell(value)
                    for value in (
                        row.public_id,
                        round(hit.distance_m),
                        row.street,
                        row.type_label,
                        view_labels(row.views),
                        words.get(hit.level, hit.level),
                        yes if hit.can_request_footage else no,
                        yes if hit.camera.public_id in live else offline if hit.can_live_view else no,
                        contact,
                    )
                ]
            )
        return response


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); the
# owner writes the contact fields, so every text cell is defused with a leading quote.


# Why the detail page offers no live view, by the gate's reason (cameras.consent.Reason or
# cameras.access's own).
_LIVE_REFUSALS = {
    Reason.NO_GRANT: gettext_lazy("Live view: the owner has not given consent for this camera."),
    Reason.LEVEL_TOO_LOW: gettext_lazy("Live view: not allowed by the owner's consent."),
    Reason.REVOKED: gettext_lazy("Live view: not allowed, the owner revoked consent."),
    Reason.EXPIRED: gettext_lazy("Live view: not allowed, the owner's consent has expired."),
    Reason.PAUSED: gettext_lazy("Live view: not allowed, the owner paused this camera."),
    Reason.OUTSIDE_WINDOW: gettext_lazy("Live view: not now, outside the owner's schedule."),
    Reason.EXIGENT_ONLY: gettext_lazy("Live view: the owner allows it only for an exigent purpose."),
    access.Refusal.RESIDENTIAL_LIVE_VIEW_DISALLOWED: gettext_lazy(
        "Live view: department policy does not allow live view of home cameras."
    ),
    access.Refusal.APPROVAL_REQUIRED: gettext_lazy("Live view: a supervisor must approve this exigent purpose first."),
    "bridge_offline": gettext_lazy(
        "Live view: not now, no bridge (the owner's computer that relays the camera) is connected for it."
    ),
}
# Why the detail page offers no message to the owner (cameras.consent.Reason).
_MESSAGE_REFUSALS = {
    Reason.REVOKED: gettext_lazy("Messages: not allowed, the owner revoked consent."),
    Reason.EXPIRED: gettext_lazy("Messages: not allowed, the owner's consent has expired."),
    Reason.PAUSED: gettext_lazy("Messages: not allowed, the owner paused this camera."),
}
# Consent that no longer applies leaves police what `registered` gives (as in search results).
_INACTIVE_NOTES = {
    Reason.REVOKED: gettext_lazy("revoked"),
    Reason.EXPIRED: gettext_lazy("expired"),
    Reason.PAUSED: gettext_lazy("paused"),
}


class CameraDetailView(StaffConsoleMixin, View):
    def get(self, request: "AuthenticatedHttpRequest", camera_id: str) -> HttpResponse:
        purpose = self.purpose()
        decision, camera = access.camera_lookup(actor=self.actor, purpose=purpose, public_id=camera_id)
        if camera is None:
            raise decision.refusal()
        assert purpose is not None  # the gate allowed the lookup
        # The consent in force now, as the gate judges it (no event: nothing is accessed).
        state = grant_state(camera=camera, time_zone=request.tenant.time_zone)
        footage = consent_permits(state, ConsentAction.REQUEST_FOOTAGE, timezone.now())
        inactive = _INACTIVE_NOTES.get(footage.reason)
        level = ConsentLevel.REGISTERED if state is None or inactive else state.level
        live_refusal = access.live_allowed_now(camera=camera, purpose=purpose, user=request.user)
        message = consent_permits(state, ConsentAction.MESSAGE, timezone.now())
        if live_refusal is None and not live_selectors.cameras_with_bridge_online(
            schema=request.tenant.schema_name,
            camera_public_ids=[camera.public_id],
        ):
            live_refusal = "bridge_offline"
        return render(
            request,
            "console/camera_detail.html",
            {
                "camera": camera,
                "consent_words": _level_words().get(level, level),
                # A mobile source's site is where it is kept, not where it is: its last position is.
                "address": ""
                if camera.mobile
                else address_for_police(camera.site.address, share_contact=camera.site.share_contact),
                "consent_note": inactive,
                "live_refusal": None
                if live_refusal is None
                else _LIVE_REFUSALS.get(
                    live_refusal, _("Live view: not allowed (%(reason)s).") % {"reason": live_refusal}
                ),
                "message_refusal": None
                if message.allowed
                else _MESSAGE_REFUSALS.get(message.reason, _("Messages: not allowed by the owner's consent.")),
                "decision": decision,
                "purpose": purpose,
            },
        )


class OwnerContactView(StaffConsoleMixin, View):
    def post(self, request: HttpRequest, camera_id: str) -> HttpResponse:
        decision, camera = access.camera_lookup(
            actor=self.actor, purpose=self.purpose(), public_id=camera_id, action="owner_contact_view"
        )
        if camera is None:
            if decision.reason == access.Refusal.NOT_FOUND:
                raise decision.refusal()
            # htmx puts the answer in place of the button: a sentence, not a page.
            return HttpResponse(
                format_html('<p class="warn">{}</p>', decision.message), status=status_of(decision.refusal())
            )
        owner, site = camera.site.owner, camera.site
        return render(request, "console/_contact.html", {"owner": owner, "site": site})


class ApprovalsView(StaffConsoleMixin, View):
    """Supervisors approve or deny other officers' exigent purposes (a second person, logged;
    the officer is told). The page is where it is decided: e-mails link here, and only a POST
    decides, so a mail scanner following the link changes nothing."""

    def _page(self, request: HttpRequest, *, denying: str = "", error: str = "", status: int = 200) -> HttpResponse:
        pending = access.purposes_awaiting_approval(actor=self.actor)
        context = {"pending": pending, "denying": denying, "deny_error": error}
        return render(request, "console/approvals.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        officer_link = reverse("console-purpose")
        if request.POST.get("decision") == "deny":
            form = DenyForm(request.POST)
            if not form.is_valid():
                error = " ".join(str(e) for e in form.errors.get("reason", [])) or _("Choose a purpose to deny.")
                return self._page(request, denying=request.POST.get("purpose", ""), error=error, status=400)
            try:
                access.purpose_deny(
                    actor=self.actor,
                    purpose_public_id=form.cleaned_data["purpose"],
                    reason=form.cleaned_data["reason"],
                    officer_link=officer_link,
                )
            except access.PurposeRefused as exc:
                if exc.field == "reason":
                    return self._page(request, denying=form.cleaned_data["purpose"], error=str(exc), status=400)
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Denied. The officer is told your reason."))
            return redirect("console-approvals")
        try:
            access.purpose_approve(
                actor=self.actor, purpose_public_id=request.POST.get("purpose"), officer_link=officer_link
            )
        except access.PurposeRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Approved."))
        return redirect("console-approvals")


class AddressSuggestView(StaffConsoleMixin, View):
    """Suggestions for the console's address box (GET ?q=...&near=lat,lon): addresses,
    intersections, or the coordinates typed.

    Not a gate action and not logged: it reads the department's address list, which holds no
    camera, consent or owner data, and an event per keystroke would bury the accesses the log
    exists for. The camera search at the picked place is the gate action (area and purpose).
    It is still staff-only behind MFA, like every console page, so the console's behaviour
    (and any outside geocoder's quota) is not open to the public."""

    def get(self, request: HttpRequest) -> JsonResponse:
        query = request.GET.get("q", "")[:200]
        try:
            matches = address_suggest(query=query, near=point_from_param(request.GET.get("near", "")))
        except GeocoderUnavailable as exc:
            return JsonResponse({"detail": exc.message, "results": []}, status=status_of(exc))
        return JsonResponse({"results": [match.as_json() for match in matches]})
