"""The oversight board's dashboard: the log's figures for a year or a month, as charts (SVG,
no JavaScript) each with a table of the same numbers.

Read from the rollups (audit.figures), never the log, so it answers as fast at a million
events as at ten. Who may read it is who may read the log (audit readers with MFA); anyone
else gets the same 404 as for a page that does not exist, and every attempt, allowed or
not, is an event (audit_read), as on the log's own page.
"""

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View

from core.http import status_of
from tenants.models import PURPOSE_LABELS

from .. import charts
from ..figures import (
    EVIDENCE,
    Figures,
    Period,
    PeriodError,
    figure_provide,
    figures_of,
    grouper,
    label,
    period_parse,
)
from ..models import Action, Outcome
from ..reasons import reason_label
from .readers import AUDIT_READER_ROLES, BoardReaderMixin, reader_actor

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest
from ..rollups import department_time_zone, rollup_scan_area_free, rollups_time_zone
from ..services import EventFacts, access_event_record

__all__ = ["AUDIT_READER_ROLES", "OversightDashboardView", "action_words", "bucket_labels", "purpose_words"]

# Who reads the log (as audit.views.OversightLogView).


def action_words(code: str) -> str:
    return _("Footage exported as evidence") if code == EVIDENCE else label(Action, code)


def purpose_words(code: str) -> str:
    return str(PURPOSE_LABELS[code]) if code in PURPOSE_LABELS else (code if code != "-" else _("none stated"))


def bucket_labels(period: Period) -> list[str]:
    if period.month:
        return [str(day.day) for day in period.buckets()]
    return [str(MONTHS_3[month.month]).capitalize() for month in period.buckets()]


def period_words(period: Period) -> str:
    if period.month:
        return date_format(period.start, "F Y")
    return str(period.year)


def dashboard_context(figures: Figures) -> dict[str, Any]:
    """Charts and tables of the figures (shared with nothing else: the public page has its own)."""
    period = figures.period
    labels = bucket_labels(period)
    grouped = grouper()
    by_action = {action_words(code): values for code, values in figures.by_bucket_action.items()}
    categories = [(purpose_words(code), n) for code, n in figures.searches_by_category.items()]
    reasons = [(reason_label(code), n) for code, n in figures.denials_by_reason.items()]
    areas = [(name or _("No police area"), n) for name, n in figures.by_area.items()]
    weekdays = [str(WEEKDAYS[n]) for n in range(7)]
    hours_title = _("Police accesses by hour of day and day of week")
    return {
        "labels": labels,
        "by_action_rows": [
            (name, [grouped(v) for v in values], grouped(sum(values))) for name, values in by_action.items()
        ],
        "by_action_chart": charts.bars_stacked(
            _("Events by month and action") if period.month is None else _("Events by day and action"),
            labels,
            by_action,
        ),
        "categories": [(name, grouped(n)) for name, n in categories],
        "categories_chart": charts.bars_horizontal(_("Searches by purpose category"), categories),
        "live_chart": charts.bars_stacked(
            _("Live minutes by month") if period.month is None else _("Live minutes by day"),
            labels,
            {_("Live minutes"): figures.live_minutes_by_bucket},
        ),
        "live_rows": [(name, grouped(v)) for name, v in zip(labels, figures.live_minutes_by_bucket, strict=True)],
        "reasons": [(name, grouped(n)) for name, n in reasons],
        "reasons_chart": charts.bars_horizontal(_("Refusals by reason"), reasons),
        "areas": [(name, grouped(n)) for name, n in areas],
        "areas_chart": charts.bars_horizontal(_("Events with a place by police area"), areas),
        "hours_chart": charts.heatmap(hours_title, weekdays, figures.hour_weekday),
        "hours_rows": [
            (name, [grouped(v) for v in values]) for name, values in zip(weekdays, figures.hour_weekday, strict=True)
        ],
        "hours": list(range(24)),
    }


class OversightDashboardView(BoardReaderMixin, View):
    template_name = "audit/dashboard.html"

    def _record(self, request: HttpRequest, *, outcome: str, reason: str, details: dict[str, Any]) -> None:
        with transaction.atomic():
            access_event_record(
                actor=reader_actor(cast("AuthenticatedHttpRequest", request)),
                facts=EventFacts(
                    action=Action.AUDIT_READ, outcome=outcome, reason=reason, details={"page": "dashboard", **details}
                ),
            )

    def get(self, request: HttpRequest) -> HttpResponse:
        year, month = request.GET.get("year", "")[:20], request.GET.get("month", "")[:20]
        unknown = sorted(set(request.GET) - {"year", "month"})
        today = timezone.localdate()
        try:
            if unknown:
                raise PeriodError(
                    _("Unknown filter: %(names)s. The dashboard is filtered by year and month.")
                    % {"names": ", ".join(name[:40] for name in unknown[:5])}
                )
            period = period_parse(year=year, month=month, today=today)
        except PeriodError as exc:
            self._record(request, outcome=Outcome.DENIED, reason=exc.code, details={"year": year, "month": month})
            refused = {"error": exc.message, "years": _years(today), "year": year, "month": month, "months": _months()}
            return render(request, self.template_name, refused, status=status_of(exc))
        figures = figures_of(period)
        footage = figure_provide("footage_answers", start=period.start, end=period.end)
        self._record(
            request,
            outcome=Outcome.ALLOWED,
            reason="ok",
            details={"year": period.year, "month": period.month or ""},
        )
        context: dict[str, Any] = {
            "figures": figures,
            "footage": footage,
            "period_words": period_words(period),
            "years": _years(today),
            "year": str(period.year),
            "month": str(period.month or ""),
            "months": _months(),
            "areas_lag": rollup_scan_area_free(),
            "counted_in": counted_in if (counted_in := rollups_time_zone()) != department_time_zone() else "",
            **dashboard_context(figures),
        }
        return render(request, self.template_name, context)


def _years(today: dt.date) -> list[int]:
    return list(range(today.year, today.year - 6, -1))


def _months() -> list[tuple[int, str]]:
    return [(n, date_format(dt.date(2000, n, 1), "F")) for n in range(1, 13)]
