"""Complaints and public-records requests entered by the oversight board (audit.board_records).

Read by the log's readers (BoardReaderMixin: others get 404, logged); entered and changed by
the board (role ``oversight``) only. Each entry and change is a ``board_record`` event; a
reading of the list or of a record is an ``audit_read``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accounts.models import Role
from core.errors import DomainError, NotFound
from core.forms import form_errors_add

from ..board_records import BoardRecordIn, board_record_change, board_record_create, board_record_get, board_records
from ..forms import BoardRecordFilterForm, BoardRecordForm
from ..models import Action, BoardRecordKind, BoardRecordStatus
from ..reasons import Refusal
from .readers import BoardReaderMixin, filter_refusal_record, reader_actor, reading_record, write_refusal_record

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest

MAX_LISTED = 500


def _record_in(form: BoardRecordForm, *, kind: str) -> BoardRecordIn:
    data = form.cleaned_data
    return BoardRecordIn(
        kind=kind,
        received_on=data.get("received_on"),
        category=data.get("category") or "",
        summary=data.get("summary") or "",
        status=data.get("status") or BoardRecordStatus.RECEIVED,
        outcome=data.get("outcome") or "",
        disposed_on=data.get("disposed_on"),
    )


def _input_refusal_record(request: HttpRequest, form: BoardRecordForm, *, details: dict[str, Any]) -> None:
    """An entry or change refused for its input: nothing is saved, and the attempt is logged as
    the write refused (``invalid_input``, the fields in error named, not their values)."""
    write_refusal_record(
        request,
        action=Action.BOARD_RECORD,
        details={**details, "errors": sorted(form.errors)},
        reason=Refusal.INVALID_INPUT,
    )


def _is_board(request: HttpRequest) -> bool:
    return request.user.role == Role.OVERSIGHT  # type: ignore[union-attr]


class BoardRecordsView(BoardReaderMixin, View):
    template = "audit/board_records.html"

    def _render(
        self, request: HttpRequest, form: BoardRecordForm | None, status: int = 200, *, log_reading: bool = True
    ) -> HttpResponse:
        listed = BoardRecordFilterForm(request.GET)
        records = None
        if listed.is_valid():
            kind = listed.cleaned_data.get("kind") or ""
            records = list(board_records(kind=kind)[:MAX_LISTED])
            if log_reading:
                reading_record(
                    request,
                    action=Action.AUDIT_READ,
                    allowed=True,
                    quantity=len(records),
                    details={"view": "board_records", "filter": {"kind": kind}},
                )
        else:
            kind = ""
            if log_reading:
                filter_refusal_record(request, view="board_records", errors=listed.errors)
            status = 400
        return render(
            request,
            self.template,
            {"records": records, "form": form, "kind": kind, "kinds": BoardRecordKind.choices, "listed": listed},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, BoardRecordForm() if _is_board(request) else None)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _is_board(request):
            write_refusal_record(request, action=Action.BOARD_RECORD, details={"view": "board_records"})
            raise Http404
        form = BoardRecordForm(request.POST)
        if form.is_valid():
            try:
                record = board_record_create(
                    record=_record_in(form, kind=form.cleaned_data["kind"]),
                    actor=reader_actor(cast("AuthenticatedHttpRequest", request)),
                    today=timezone.localdate(),
                )
            except DomainError as error:
                form_errors_add(form, error)
            else:
                return redirect(reverse("audit-board-record", args=[record.pk]))
        _input_refusal_record(request, form, details={"view": "board_records"})
        return self._render(request, form, status=400, log_reading=False)


class BoardRecordView(BoardReaderMixin, View):
    template = "audit/board_record.html"

    def _render(
        self,
        request: HttpRequest,
        pk: int,
        form: BoardRecordForm | None,
        status: int = 200,
        *,
        log_reading: bool = True,
    ) -> HttpResponse:
        try:
            record = board_record_get(record_id=pk)
        except NotFound:
            reading_record(
                request,
                action=Action.AUDIT_READ,
                allowed=False,
                quantity=0,
                reason=Refusal.NOT_FOUND,
                details={"view": "board_record", "record": pk},
            )
            raise Http404 from None
        versions = list(record.history.select_related("history_user").order_by("-history_date", "-history_id"))
        if log_reading:
            reading_record(
                request,
                action=Action.AUDIT_READ,
                allowed=True,
                quantity=1,
                details={"view": "board_record", "record": record.pk},
            )
        if form is None and _is_board(request):
            form = BoardRecordForm(
                change=True,
                kind=record.kind,
                initial={
                    "received_on": record.received_on,
                    "category": record.category,
                    "summary": record.summary,
                    "status": record.status,
                    "outcome": record.outcome,
                    "disposed_on": record.disposed_on,
                },
            )
        context: dict[str, Any] = {"record": record, "versions": versions, "form": form}
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, pk, None)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        refused = {"view": "board_record", "record": pk}
        if not _is_board(request):
            write_refusal_record(request, action=Action.BOARD_RECORD, details=refused)
            raise Http404
        try:
            kind = board_record_get(record_id=pk).kind
        except NotFound:
            write_refusal_record(request, action=Action.BOARD_RECORD, details=refused, reason=Refusal.NOT_FOUND)
            raise Http404 from None
        form = BoardRecordForm(request.POST, change=True, kind=kind)
        if form.is_valid():
            try:
                board_record_change(
                    record_id=pk,
                    record=_record_in(form, kind=""),
                    note=form.cleaned_data["note"],
                    actor=reader_actor(cast("AuthenticatedHttpRequest", request)),
                    today=timezone.localdate(),
                )
            except NotFound:
                write_refusal_record(request, action=Action.BOARD_RECORD, details=refused, reason=Refusal.NOT_FOUND)
                raise Http404 from None
            except DomainError as error:
                form_errors_add(form, error)
            else:
                return redirect(reverse("audit-board-record", args=[pk]))
        _input_refusal_record(request, form, details=refused)
        return self._render(request, pk, form, status=400, log_reading=False)
