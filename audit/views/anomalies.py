"""The oversight board's anomaly queue (docs/anomalies.md): the flags the rules found, filtered
by rule and review, each linking to its events in the board's search, and the review form.

The page reads the stored flags only (cameras.anomalies computes them from the log). Readers
as the workspace's (audit.views.readers.BoardReaderMixin: others get 404, logged); only the board
(role ``oversight``) adds notes, each logged as ``anomaly_review``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Role
from core.errors import DomainError, NotFound
from core.forms import form_errors_add
from tenants.selectors import policy_current

from ..anomalies import anomaly_flags, anomaly_review_add, flag_explain
from ..forms import AnomalyFilterForm, AnomalyReviewForm
from ..models import Action, AnomalyFlag, AnomalyRule
from ..reasons import Refusal
from .readers import BoardReaderMixin, filter_refusal_record, reader_actor, reading_record, write_refusal_record

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest
    from tenants.models import DepartmentPolicy

PAGE_SIZE = 50


def rules_described(policy: DepartmentPolicy) -> list[tuple[str, str, str]]:
    """(code, name, what it flags with the department's threshold) for every rule."""
    p = policy
    return [
        (
            AnomalyRule.OFF_HOURS,
            str(AnomalyRule.OFF_HOURS.label),
            _("A live view started before %(start)02d:00 or from %(end)02d:00 on (department time).")
            % {"start": p.anomaly_day_start_hour, "end": p.anomaly_day_end_hour},
        ),
        (
            AnomalyRule.REPEAT_CAMERA,
            str(AnomalyRule.REPEAT_CAMERA.label),
            _("An officer opens the same camera (its details or a live view) %(count)s times within %(days)s days.")
            % {"count": p.anomaly_repeat_opens, "days": p.anomaly_repeat_days},
        ),
        (
            AnomalyRule.WEEKLY_VOLUME,
            str(AnomalyRule.WEEKLY_VOLUME.label),
            _(
                "An officer's accesses in a finished week exceed %(factor)s times the median of their previous "
                "weeks (up to 12, at least 4 since their first access)."
            )
            % {"factor": p.anomaly_volume_factor},
        ),
        (
            AnomalyRule.VAGUE_PURPOSE,
            str(AnomalyRule.VAGUE_PURPOSE.label),
            _(
                "A search whose stated purpose has fewer than %(words)s words, or only words such as "
                "“investigation” or “follow up”; once per officer and purpose."
            )
            % {"words": p.anomaly_vague_min_words},
        ),
        (
            AnomalyRule.SENSITIVE_PLACE,
            str(AnomalyRule.SENSITIVE_PLACE.label),
            _("A search whose area comes within %(distance)s m of a place the department marks as sensitive.")
            % {"distance": p.anomaly_sensitive_distance_m},
        ),
        (
            AnomalyRule.DENIALS_THEN_SUCCESS,
            str(AnomalyRule.DENIALS_THEN_SUCCESS.label),
            _("An officer refused %(count)s times or more on one camera, then allowed, within %(minutes)s minutes.")
            % {"count": p.anomaly_denials, "minutes": p.anomaly_denials_minutes},
        ),
        (
            AnomalyRule.EXIGENT_NO_REPORT,
            str(AnomalyRule.EXIGENT_NO_REPORT.label),
            _(
                "An exigent purpose whose case number no footage request or ordinary purpose names within "
                "%(days)s days (Porchlight has no case reports: this stands for one)."
            )
            % {"days": p.anomaly_exigent_report_days},
        ),
    ]


def flag_search_url(flag: AnomalyFlag) -> str:
    """The board's search showing exactly the events that raised the flag (its ``seqs``), not
    the officer's days around them."""
    return f"{reverse('audit-board-search')}?{urlencode({'flag': flag.pk})}"


class AnomalyQueueView(BoardReaderMixin, View):
    template = "audit/board_anomalies.html"

    def _render(
        self,
        request: HttpRequest,
        *,
        form: AnomalyFilterForm,
        review_form: AnomalyReviewForm | None = None,
        review_flag: int | None = None,
        status: int = 200,
        log_reading: bool = True,
    ) -> HttpResponse:
        policy = policy_current()
        context: dict[str, Any] = {
            "form": form,
            "rules": rules_described(policy),
            "can_review": request.user.role == Role.OVERSIGHT,  # type: ignore[union-attr]
            "review_form": review_form,
            "review_flag": review_flag,
            "rows": None,
        }
        if form.is_valid():
            flags = anomaly_flags(rule=form.cleaned_data.get("rule") or "", reviewed=form.reviewed())
            page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
            labels = dict(AnomalyRule.choices)
            context["page"] = page
            context["rows"] = [
                (flag, labels.get(flag.rule, flag.rule), flag_explain(flag), flag_search_url(flag))
                for flag in page.object_list
            ]
            context["query"] = urlencode({k: v for k, v in form.cleaned_data.items() if v})
        if form.is_valid() and log_reading:
            reading_record(
                request,
                action=Action.AUDIT_READ,
                allowed=True,
                quantity=len(page.object_list),
                details={"view": "anomalies", "filter": {k: v for k, v in form.cleaned_data.items() if v}},
            )
        elif not form.is_valid() and log_reading:
            filter_refusal_record(request, view="anomalies", errors=form.errors)
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if pk is not None:
            return redirect(f"{reverse('audit-board-anomalies')}#flag-{pk}")
        form = AnomalyFilterForm(request.GET)
        return self._render(request, form=form, status=200 if form.is_valid() else 400)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        refused = {"view": "anomalies", "flag": pk} if pk is not None else {"view": "anomalies"}
        if request.user.role != Role.OVERSIGHT:  # type: ignore[union-attr]
            write_refusal_record(request, action=Action.ANOMALY_REVIEW, details=refused)
            raise Http404
        if pk is None:  # the queue itself takes no note: a note is posted to its flag
            write_refusal_record(request, action=Action.ANOMALY_REVIEW, details=refused, reason=Refusal.NOT_FOUND)
            raise Http404
        review_form = AnomalyReviewForm(request.POST)
        if review_form.is_valid():
            try:
                anomaly_review_add(
                    flag_id=pk,
                    note=review_form.cleaned_data["note"],
                    actor=reader_actor(cast("AuthenticatedHttpRequest", request)),
                )
            except NotFound:
                # Missing and another department's look the same.
                write_refusal_record(request, action=Action.ANOMALY_REVIEW, details=refused, reason=Refusal.NOT_FOUND)
                raise Http404 from None
            except DomainError as error:
                form_errors_add(review_form, error)
            else:
                messages.success(request, _("Your note on flag %(flag)s is saved.") % {"flag": pk})
                # Back to the queue as it was filtered (the form is posted with the filter's query).
                query = urlencode({k: request.GET[k] for k in ("rule", "status", "page") if request.GET.get(k)})
                return redirect(f"{reverse('audit-board-anomalies')}{'?' + query if query else ''}#flag-{pk}")
        # A write refused for its input (an empty or too long note): nothing is saved, and it is
        # logged as the write refused, with the fields in error, not as a reading of the queue.
        write_refusal_record(
            request,
            action=Action.ANOMALY_REVIEW,
            details={**refused, "errors": sorted(review_form.errors)},
            reason=Refusal.INVALID_INPUT,
        )
        return self._render(
            request,
            form=AnomalyFilterForm(request.GET),
            review_form=review_form,
            review_flag=pk,
            status=400,
            log_reading=False,
        )
