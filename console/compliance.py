"""The department's compliance dashboard (issue 16): department administrators, and supervisors
given the compliance duty on the staff page. Anyone else gets 404, as for a page that does not
exist; every answer is a staff page and is never cached (Cache-Control: no-store).

It reads the stored judgements (compliance.dashboard), recomputing first the few whose day
has come (compliance.records.records_refresh_stale). It shows no camera: only covered sites,
their status and what they miss, which is compliance work, not a police access to a camera, so
it is not a gate action and writes nothing to the access log."""

from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from cameras.models import BusinessCategory
from compliance import coverage_exits, dashboard
from compliance.licences.selectors import licences_not_registered_count
from compliance.records import records_refresh_stale
from compliance.rules import Requirement, Status
from compliance.selectors import requirement_label, status_label
from core.errors import Conflict, NotFound
from core.spreadsheets import csv_safe_cell
from places.areas import police_areas_list

from .compliance_actions import ComplianceStaffMixin

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Sites on one page of the list.
PAGE_SIZE = 50
#: Colours of the map's dots by status, best first (the legend under the map shows them with words).
STATUS_COLOURS = {
    Status.COMPLIANT: "#2f7d32",
    Status.EXEMPT: "#6b7785",
    Status.DUE_SOON: "#b35c00",
    Status.UNDER_APPEAL: "#5b3fa0",
    Status.NOT_COMPLIANT: "#a4262c",
}


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    ordinance = forms.ChoiceField(label=gettext_lazy("Ordinance"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Business category"), required=False)
    area = forms.TypedChoiceField(label=gettext_lazy("Police area"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=gettext_lazy("Address or business name"), required=False, max_length=200)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[Any, str]] = [("", _("All"))]
        fields: dict[str, Any] = self.fields
        fields["status"].choices = every + [(s.value, status_label(s)) for s in dashboard.COVERED_STATUSES]
        fields["ordinance"].choices = every + dashboard.ordinances_for_filter()
        fields["category"].choices = every + list(BusinessCategory.choices)
        fields["area"].choices = every + [(area.pk, area.name) for area in police_areas_list()]

    def filters(self) -> dashboard.DashboardFilters:
        data = self.cleaned_data
        return dashboard.DashboardFilters(
            status=data.get("status") or "",
            ordinance=data.get("ordinance") or "",
            category=data.get("category") or "",
            area=data.get("area"),
            q=(data.get("q") or "").strip(),
        )


def _filter_form(request: HttpRequest) -> tuple[FilterForm, dashboard.DashboardFilters]:
    form = FilterForm(request.GET)
    if not form.is_valid():
        return form, dashboard.DashboardFilters()
    return form, form.filters()


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class ComplianceDashboardView(ComplianceStaffMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        current = records_refresh_stale()
        form, filters = _filter_form(request)
        page = (form.cleaned_data.get("page") if form.is_valid() else None) or 1
        rows, total = dashboard.compliance_page(filters, page=page, per_page=PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        counts = dashboard.compliance_counts(filters)
        overdue_count, overdue = dashboard.attestations_overdue()
        notices_count, notices = dashboard.notices_open()
        exits_count, exits = coverage_exits.coverage_exits_open()
        late = dashboard.deliveries_late()
        boundary = request.tenant.boundary  # type: ignore[attr-defined]
        query = _query_without_page(request)
        statuses = {s.value: status_label(s) for s in Status}
        labels = {code: requirement_label(code) for code in {code for row in rows for code in row.unmet}}
        return render(
            request,
            "console/compliance.html",
            {
                "current": current,
                "form": form,
                "counts": [(status, status_label(status), n, STATUS_COLOURS[status]) for status, n in counts.items()],
                "covered": sum(counts.values()),
                # The map's key: each status's dot as compliance-map.js draws it (STATUS_COLOURS).
                "legend": [(status, status_label(status), colour) for status, colour in STATUS_COLOURS.items()],
                "category_missing": dashboard.category_missing_count(on=timezone.localdate()),
                "not_registered": licences_not_registered_count(on=timezone.localdate()),
                # Labels looked up once per code, not per row and cell (gettext is not free).
                "rows": [(row, statuses[row.status], ", ".join(labels[code] for code in row.unmet)) for row in rows],
                "status_labels": statuses,
                "total": total,
                "page": min(page, pages),
                "pages": pages,
                "query": query,
                "overdue_count": overdue_count,
                "overdue": overdue,
                "notices_count": notices_count,
                "notices": notices,
                "late": late,
                "exits_count": exits_count,
                "exits": exits,
                # The department's date (the middleware's zone), as the notices' cure dates are.
                "today": timezone.localdate(),
                "tile_url": settings.PORCHLIGHT_TILE_URL,
                "boundary": json.loads(boundary.geojson) if boundary else None,
                "colours": {s.value: c for s, c in STATUS_COLOURS.items()},
            },
        )


class ComplianceMapDataView(ComplianceStaffMixin, View):
    """The map's dots: [lon, lat, status] of every filtered covered site (one query)."""

    def get(self, request: HttpRequest) -> JsonResponse:
        _form, filters = _filter_form(request)
        return JsonResponse({"sites": dashboard.compliance_map_points(filters)})


class _Echo:
    """csv.writer's file: hands each row back instead of writing it."""

    def write(self, value: str) -> str:
        return value


class ComplianceExportView(ComplianceStaffMixin, View):
    """The filtered list as CSV, streamed a chunk of sites at a time (10,000 sites never sit in
    memory as one response)."""

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        _form, filters = _filter_form(request)
        labels = {s.value: status_label(s) for s in Status}
        # Each requirement in words, looked up once and now, in the request's language (the
        # rows are written later, as the response streams).
        requirement_labels = {str(code): str(requirement_label(code)) for code in Requirement}

        def lines() -> Iterator[str]:
            writer = csv.writer(_Echo())
            yield writer.writerow(
                [
                    "site_id",
                    "address",
                    "business_name",
                    "category",
                    "police_area",
                    "status",
                    "ordinances",
                    "unmet_codes",
                    "unmet",
                    "next_attestation_due",
                    "footage_delivered_late",
                    "computed_at",
                ]
            )
            for row in dashboard.compliance_rows(filters):
                yield writer.writerow(
                    [
                        csv_safe_cell(value)
                        for value in (
                            row.public_id,
                            row.address,
                            row.business_name,
                            row.category,
                            row.area,
                            labels[row.status],
                            "; ".join(row.ordinances),
                            " ".join(row.unmet),
                            "; ".join(requirement_labels.get(code, code) for code in row.unmet),
                            row.next_attestation_due.isoformat() if row.next_attestation_due else "",
                            row.late_deliveries,
                            row.computed_at.isoformat(timespec="seconds"),
                        )
                    ]
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="compliance.csv"'
        return response


class CoverageExitReviewView(ComplianceStaffMixin, View):
    """Mark a "left coverage after an owner edit" flag reviewed (compliance.coverage_exits): it
    leaves the dashboard's list; its history keeps who reviewed it. Another department's or no
    such flag: 404, logged as the mixin logs them."""

    def post(self, request: HttpRequest, exit_id: Any) -> HttpResponse:
        try:
            coverage_exits.coverage_exit_review(actor=self.actor, exit_public_id=exit_id)
        except NotFound as exc:
            raise Http404 from exc
        except Conflict as exc:
            messages.info(request, exc.message)
        else:
            messages.success(request, _("Marked reviewed."))
        return redirect(reverse("console-compliance") + "#coverage-exits")
