"""The console's incidents: the list, an incident's page with its timeline, closing it, and the
dock of its cameras (a gate search under a purpose for the incident).

An incident's own facts (what dispatch or a sensor sent) are the department's, not camera
data; its cameras are, and only the dock's search (access.incident_cameras) shows them. The
timeline is the access log's events that name the incident (audit.selectors.events_naming).
Every answer is a staff page and is never cached (Cache-Control: no-store).
"""

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from audit.selectors import events_naming
from cameras import access
from cameras.mixins import SESSION_PURPOSE, StaffConsoleMixin
from cameras.models import Purpose
from core.forms import form_errors_add
from core.http import status_of
from incidents import selectors as incident_selectors
from incidents import services as incident_services
from incidents.models import Incident, IncidentStatus, IntegrationKind
from tenants.selectors import policy_current

from .forms import PurposeForm
from .views import _level_words, _live_ready

PAGE_SIZE = 25
TIMELINE_SIZE = 200


class NoStoreMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        add_never_cache_headers(response)
        return response


class IncidentStaffMixin(NoStoreMixin, StaffConsoleMixin):
    """Officers and supervisors (StaffConsoleMixin, refusals logged); no-store, refusals too."""

    def incident_or_404(self, incident_id: str) -> Incident:
        try:
            public_id = uuid.UUID(incident_id)
        except ValueError:
            raise Http404(_("No such incident in this department.")) from None
        incident = incident_selectors.incident_get(public_id=public_id)
        if incident is None:  # missing, malformed or another department's: one answer
            raise Http404(_("No such incident in this department."))
        return incident


class IncidentFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    type = forms.CharField(label=gettext_lazy("Type contains"), required=False, max_length=120)
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *IncidentStatus.choices]  # type: ignore[attr-defined]
        self.fields["source"].choices = [("", _("Any source")), *IntegrationKind.choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data

    def selection(self, time_zone: str) -> dict[str, Any]:
        data = self.cleaned_data
        tz = ZoneInfo(time_zone)
        start = end = None
        if data.get("start"):
            start = dt.datetime.combine(data["start"], dt.time.min, tzinfo=tz)
        if data.get("end"):  # the end date is the last day included
            end = dt.datetime.combine(data["end"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return {
            "status": data.get("status") or "",
            "source_kind": data.get("source") or "",
            "type_contains": (data.get("type") or "").strip(),
            "start": start,
            "end": end,
        }


class IncidentListView(IncidentStaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = IncidentFilterForm(request.GET)
        if not form.is_valid():
            return render(request, "console/incidents.html", {"form": form, "page": None}, status=400)
        incidents = incident_selectors.incidents_filter(**form.selection(request.tenant.time_zone))  # type: ignore[attr-defined]
        page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "console/incidents.html", {"form": form, "page": page, "query": query.urlencode()})


def _purpose_initial(incident: Incident) -> dict[str, str]:
    """What the officer's purpose for the incident starts from: its case number (or the
    sender's id), and its type as the reason; the category is the officer's choice."""
    return {
        "case_number": incident.case_number or incident.external_id,
        "text": incident.incident_type,
        "authority": "consent",
    }


def _purpose_form(data: Any = None, initial: dict[str, str] | None = None) -> PurposeForm:
    policy = policy_current()
    return PurposeForm(
        data, initial=initial, categories=policy.purpose_categories, prohibited=policy.prohibited_purposes
    )


class IncidentDetailView(IncidentStaffMixin, View):
    def get(self, request: HttpRequest, incident_id: str) -> HttpResponse:
        incident = self.incident_or_404(incident_id)
        events = list(events_naming(target=access.incident_target(incident.public_id))[:TIMELINE_SIZE])
        purpose = self.purpose()
        for_it = _purpose_for(purpose, incident)
        return render(
            request,
            "console/incident.html",
            {
                "incident": incident,
                "events": events,
                "purpose_for_it": for_it,
                "purpose_form": _purpose_form(initial=_purpose_initial(incident)),
                "history": incident.history.select_related("history_user").order_by("-history_date")[:20],
            },
        )


def _purpose_for(purpose: Purpose | None, incident: Incident) -> Purpose | None:
    """The session's purpose if it is in force and for this incident."""
    if purpose is None or purpose.expires_at <= timezone.now():
        return None
    return purpose if str(purpose.incident_ref) == str(incident.public_id) else None


class IncidentCloseView(IncidentStaffMixin, View):
    def post(self, request: HttpRequest, incident_id: str) -> HttpResponse:
        incident = self.incident_or_404(incident_id)
        incident_services.incident_close(incident=incident, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Incident closed."))
        return redirect("console-incident", incident_id=incident.public_id)


class IncidentPurposeView(IncidentStaffMixin, View):
    """The officer states the purpose for this incident (the console's purpose flow, with the
    incident named: every later event of the purpose names it), then sees its dock."""

    def post(self, request: HttpRequest, incident_id: str) -> HttpResponse:
        incident = self.incident_or_404(incident_id)
        form = _purpose_form(request.POST)
        if form.is_valid():
            try:
                purpose = access.purpose_declare(
                    actor=self.actor,
                    approvals_link=reverse("console-approvals"),
                    incident_ref=incident.public_id,
                    **form.cleaned_data,
                )
            except access.PurposeRefused as exc:
                form_errors_add(form, exc)
            else:
                request.session[SESSION_PURPOSE] = str(purpose.public_id)
                return _dock(request, self.actor, incident, purpose)
        return render(request, "console/_incident_dock.html", {"incident": incident, "purpose_form": form}, status=400)


class IncidentDockView(IncidentStaffMixin, View):
    """htmx: the incident's cameras (a POST: the search is logged and may tell owners, so no
    link or prefetch makes one). Without a purpose for this incident: the form to state it."""

    def post(self, request: HttpRequest, incident_id: str) -> HttpResponse:
        incident = self.incident_or_404(incident_id)
        purpose = _purpose_for(self.purpose(), incident)
        if purpose is None:
            form = _purpose_form(initial=_purpose_initial(incident))
            return render(request, "console/_incident_dock.html", {"incident": incident, "purpose_form": form})
        return _dock(request, self.actor, incident, purpose)


def _dock(request: HttpRequest, actor: access.Actor, incident: Incident, purpose: Purpose) -> HttpResponse:
    result = access.incident_cameras(actor=actor, purpose=purpose, point=incident.location)
    if not result.decision.allowed:
        return render(
            request,
            "console/_incident_dock.html",
            {"incident": incident, "errors": [result.decision.message]},
            status=status_of(result.decision.refusal()),
        )
    dock = access.policy_current_incident_dock()
    live = _live_ready(request, result.hits)
    tz = ZoneInfo(request.tenant.time_zone)  # type: ignore[attr-defined]
    window = dt.timedelta(minutes=dock.canvass_minutes)
    when = incident.occurred_at.astimezone(tz)
    return render(
        request,
        "console/_incident_dock.html",
        {
            "incident": incident,
            "purpose": purpose,
            "awaits_approval": access.purpose_awaits_approval(purpose=purpose),
            "result": result,
            "rows": [(hit, hit.camera.public_id in live) for hit in result.hits],
            "live_ids": [hit.camera.public_id for hit in result.hits if hit.camera.public_id in live][:9],
            "request_ids": [hit.camera.public_id for hit in result.hits if hit.can_request_footage],
            "levels": _level_words(),
            "dock": dock,
            "area": {
                "lat": f"{incident.location.y:.6f}",
                "lon": f"{incident.location.x:.6f}",
                "radius_m": f"{dock.radius_m:.0f}",
                "mode": "pin",
            },
            "window_start": (when - window).strftime("%Y-%m-%dT%H:%M"),
            # Footage cannot be asked for the future: a recent incident's window ends now.
            "window_end": min(when + window, timezone.now().astimezone(tz)).strftime("%Y-%m-%dT%H:%M"),
            "canvass_message": _("Footage from around %(time)s for incident %(case)s (%(type)s).")
            % {
                "time": when.strftime("%Y-%m-%d %H:%M"),
                "case": purpose.case_number,
                "type": incident.incident_type or incident.get_source_kind_display(),
            },
        },
    )
