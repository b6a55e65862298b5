"""The annual surveillance report in the board's workspace (audit.annual_report): an HTML page
with a year and checkpoint chooser, and the same report as PDF and CSV.

Readers as the workspace's (BoardReaderMixin: others get 404, logged). Each generation is an
event: the page an ``audit_read``, a file a ``log_export``, with the year and checkpoint. A year
or checkpoint that names no report is refused with a sentence saying why (and logged refused).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.http import text_refusal
from tenants.selectors import policy_current

from ..annual_report import Report, ReportError, annual_report, report_checkpoint, report_year
from ..figures import EARLIEST_YEAR, grouper
from ..models import Action, Outcome, SignedCheckpoint
from ..reasons import Refusal
from ..report_render import report_csv, report_pdf, report_title
from ..rollups import department_time_zone
from ..services import EventFacts, access_event_record
from .log import reader_actor
from .readers import filter_refusal_record
from .workspace import BoardReaderMixin, reading_record

if TYPE_CHECKING:
    import datetime as dt

    from django.http.response import HttpResponseBase

    from accounts.authenticated import AuthenticatedHttpRequest

DEFAULT_THRESHOLD = 5
FILES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
CHECKPOINTS_OFFERED = 30


def _report(request: HttpRequest) -> Report:
    unknown = sorted(set(request.GET) - {"year", "checkpoint"})
    if unknown:
        raise ReportError(
            _("Unknown parameter: %(names)s. The report is chosen by year and checkpoint.")
            % {"names": ", ".join(name[:40] for name in unknown[:5])}
        )
    year = report_year(request.GET.get("year", "")[:20], today=timezone.localdate())
    checkpoint = report_checkpoint(request.GET.get("checkpoint", "")[:20])
    policy = policy_current()
    return annual_report(
        year=year,
        checkpoint=checkpoint,
        department=request.tenant.name,  # type: ignore[attr-defined]
        zone=department_time_zone(),
        threshold=policy.public_cell_threshold if policy is not None else DEFAULT_THRESHOLD,
    )


def _refused(request: HttpRequest, error: ReportError, *, action: str) -> None:
    with transaction.atomic():
        access_event_record(
            actor=reader_actor(cast("AuthenticatedHttpRequest", request)),
            facts=EventFacts(
                action=action,
                outcome=Outcome.DENIED,
                reason=error.code if error.code in tuple(Refusal) else Refusal.INVALID_FILTER,
                details={
                    "view": "annual_report",
                    "year": request.GET.get("year", "")[:20],
                    "checkpoint": request.GET.get("checkpoint", "")[:20],
                    "problem": error.message[:200],
                },
            ),
        )


def _generated(request: HttpRequest, report: Report, *, action: str, fmt: str) -> None:
    reading_record(
        request,
        action=action,
        allowed=True,
        quantity=None,
        details={
            "view": "annual_report",
            "format": fmt,
            "year": report.year,
            "checkpoint": report.checkpoint_id,
            "upto": report.tree_size,
        },
    )


def _first_year(request: HttpRequest, today: dt.date) -> int:
    """The first year the department can have a report for: the year it was created, before
    which its log holds nothing (the list started at 2000). Read from the tenant the request
    already carries, no query. A year typed into the address before it is still answered
    (report_year names what it accepts)."""
    created: dt.datetime | None = getattr(getattr(request, "tenant", None), "created_at", None)
    year = timezone.localdate(created).year if created is not None else today.year
    return max(EARLIEST_YEAR, min(year, today.year))


class AnnualReportView(BoardReaderMixin, View):
    template = "audit/annual_report.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        context = {
            "years": list(range(today.year, _first_year(request, today) - 1, -1)),
            "checkpoints": list(SignedCheckpoint.objects.order_by("-pk")[:CHECKPOINTS_OFFERED]),
            "year": request.GET.get("year", "")[:20],
            "checkpoint": request.GET.get("checkpoint", "")[:20],
        }
        try:
            report = _report(request)
        except ReportError as error:
            _refused(request, error, action=Action.AUDIT_READ)
            return render(request, self.template, {**context, "error": error.message}, status=400)
        _generated(request, report, action=Action.AUDIT_READ, fmt="html")
        grouped = grouper()
        query = f"?year={report.year}&checkpoint={report.checkpoint_id}"
        context.update(
            {
                "report": report,
                "title": report_title(report),
                "year": str(report.year),
                "checkpoint": str(report.checkpoint_id),
                "sections": [
                    (
                        section,
                        [
                            (table, [[row[0], *(grouped(v) for v in row[1:])] for row in table.rows])
                            for table in section.tables
                        ],
                    )
                    for section in report.sections
                ],
                "files": [(fmt.upper(), reverse("audit-board-report-file", args=[fmt]) + query) for fmt in FILES],
            }
        )
        return render(request, self.template, context)


class AnnualReportFileView(BoardReaderMixin, View):
    def get(self, request: HttpRequest, fmt: str) -> HttpResponseBase:
        if fmt not in FILES:
            # No such file (404), named, and the attempt logged as any refused filter is.
            filter_refusal_record(request, view="annual_report", errors={"format": fmt})
            return text_refusal(
                _("Unknown report format “%(format)s”: the report is a PDF or CSV file (pdf, csv).")
                % {"format": fmt[:20]},
                404,
            )
        try:
            report = _report(request)
        except ReportError as error:
            _refused(request, error, action=Action.LOG_EXPORT)
            return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
        _generated(request, report, action=Action.LOG_EXPORT, fmt=fmt)
        body = report_pdf(report) if fmt == "pdf" else report_csv(report)
        response = HttpResponse(body, content_type=FILES[fmt])
        name = f"annual-report-{request.tenant.schema_name}-{report.year}-checkpoint-{report.checkpoint_id}.{fmt}"  # type: ignore[attr-defined]
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
