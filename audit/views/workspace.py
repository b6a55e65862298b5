"""The oversight board's workspace: search the log on every field, export a selection with a
signed manifest, and read what administrators changed.

Read-only, for the roles that read the log (the board, supervisors, the department's
administrators) in a session that passed MFA. Anyone else is told the page does not exist
(404), and the attempt is logged as a refused audit_read. Every reading is logged as
audit_read, every export as log_export, each with the filter it used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View
from django_tenants.utils import tenant_context

from accounts.selectors import session_passed_mfa

from ..admin_changes import admin_change_kinds, admin_changes
from ..forms import AdminChangesForm, LogSearchForm
from ..log_export import Tally as ExportTally
from ..log_export import export_bytes, manifest_document
from ..log_search import LogFilter, Sort, events_count_capped, events_iter, events_page, events_search, log_values
from ..models import Action, Outcome
from ..reasons import Refusal
from ..selectors import chain_head, events_get
from ..services import EventFacts, access_event_record
from .log import AUDIT_READER_ROLES, reader_actor

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.http.response import HttpResponseBase

    from accounts.authenticated import AuthenticatedHttpRequest

PAGE_SIZE = 50
# An export holds one chunk in memory, whatever its size; the cap keeps one request from
# holding a worker for hours. A year of a large department is well under it.
EXPORT_MAX_EVENTS = 2_000_000
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def reading_record(
    request: HttpRequest, *, action: str, allowed: bool, quantity: int | None, details: dict[str, Any]
) -> None:
    with transaction.atomic():
        access_event_record(
            actor=reader_actor(cast("AuthenticatedHttpRequest", request)),
            facts=EventFacts(
                action=action,
                outcome=Outcome.ALLOWED if allowed else Outcome.DENIED,
                reason="ok" if allowed else Refusal.ROLE_NOT_PERMITTED,
                quantity=quantity,
                quantity_unit="rows" if quantity is not None else "",
                details=details,
            ),
        )


class BoardReaderMixin(LoginRequiredMixin):
    """The log's readers, MFA'd; to anyone else the page does not exist, and they are logged.

    (Staff without MFA never reach this: accounts' middleware sends them to set it up first.)
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.user.role not in AUDIT_READER_ROLES or not session_passed_mfa(request.session):
            reading_record(
                request, action=Action.AUDIT_READ, allowed=False, quantity=0, details={"path": request.path[:200]}
            )
            raise Http404
        response = super().dispatch(request, *args, **kwargs)
        # What the log says (case numbers, officers) is kept by no cache, the browser's included.
        add_never_cache_headers(response)
        return response

    def search_form(self, request: HttpRequest) -> LogSearchForm:
        return LogSearchForm(
            request.GET,
            time_zone=request.tenant.time_zone,  # type: ignore[attr-defined]
            today=timezone.localdate(),
            reasons=log_values(column="reason"),
            categories=log_values(column="purpose_category"),
        )


def search_context(request: HttpRequest, form: LogSearchForm) -> dict[str, Any]:
    boundary = request.tenant.boundary  # type: ignore[attr-defined]
    return {
        "form": form,
        "tile_url": settings.PORCHLIGHT_TILE_URL,
        "boundary_geojson": boundary.geojson if boundary else "",
    }


def filter_anchored(log_filter: LogFilter) -> LogFilter:
    """The filter held to the chain's head: as it is now when no ``upto`` was given, and never
    beyond it (a number past the head would let later events into a reading's pages)."""
    head = chain_head().count
    return replace(log_filter, upto=head if log_filter.upto is None else min(log_filter.upto, head))


def _query(form: LogSearchForm, **changes: Any) -> str:
    """The form's query string with ``changes`` (a value of None drops the field)."""
    params = {name: value for name, value in form.data.items() if value not in ("", None) and name != "after"}
    params.update(changes)
    return urlencode({name: value for name, value in params.items() if value is not None})


class LogSearchView(BoardReaderMixin, View):
    template = "audit/board_search.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self.search_form(request)
        context = search_context(request, form)
        if not form.is_valid():
            return render(request, self.template, context, status=400)
        log_filter = filter_anchored(form.log_filter())
        sort, after = form.sort_order(), form.cleaned_data.get("after")
        page = events_page(log_filter=log_filter, sort=sort, after=after, size=PAGE_SIZE)
        count, more = events_count_capped(log_filter=log_filter)
        reading_record(
            request,
            action=Action.AUDIT_READ,
            allowed=True,
            quantity=len(page.events),
            details={"view": "board_search", "filter": log_filter.as_details(), "sort": sort.value, "after": after},
        )
        anchored = _query(form, upto=log_filter.upto)
        context.update(
            {
                "page": page,
                "count": count,
                "more": more,
                "upto": log_filter.upto,
                "first_page": f"?{anchored}",
                "next_page": f"?{anchored}&after={page.next_after}" if page.next_after is not None else "",
                "exports": [
                    (fmt, f"{reverse('audit-board-export', args=[fmt])}?{anchored}") for fmt in ("csv", "json")
                ],
                "manifests": [
                    (fmt, f"{reverse('audit-board-export-manifest', args=[fmt])}?{anchored}") for fmt in ("csv", "json")
                ],
            }
        )
        return render(request, self.template, context)


def _schema_chunks(tenant: Any, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Chunks read in the department's schema: a streamed response is read after the view
    returned, when the connection may have been pointed elsewhere."""
    with tenant_context(tenant):
        yield from chunks


class _ExportBase(BoardReaderMixin, View):
    part = "file"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponseBase:
        if fmt not in CONTENT_TYPES:
            raise Http404
        form = self.search_form(request)
        if not form.is_valid():
            return render(request, LogSearchView.template, search_context(request, form), status=400)
        log_filter, sort = form.log_filter(), form.sort_order()
        if log_filter.upto is None:
            # Anchor the export (and its manifest's link) to the head as it is now.
            return redirect(f"{request.path}?{_query(form, upto=chain_head().count)}")
        log_filter = filter_anchored(log_filter)
        count = events_search(log_filter=log_filter)[: EXPORT_MAX_EVENTS + 1].count()
        if count > EXPORT_MAX_EVENTS:
            form.add_error(
                None,
                _(
                    "The selection holds more than %(max)d events: narrow it (a shorter period, an action) "
                    "and export again."
                )
                % {"max": EXPORT_MAX_EVENTS},
            )
            return render(request, LogSearchView.template, search_context(request, form), status=400)
        reading_record(
            request,
            action=Action.LOG_EXPORT,
            allowed=True,
            quantity=count,
            details={"format": fmt, "part": self.part, "filter": log_filter.as_details(), "sort": sort.value},
        )
        tenant = request.tenant  # type: ignore[attr-defined]
        file_name = f"access-log-{tenant.schema_name}-upto-{log_filter.upto}.{fmt}"
        return self.respond(request, fmt=fmt, file_name=file_name, log_filter=log_filter, sort=sort)

    def chunks(
        self, request: HttpRequest, *, fmt: str, log_filter: LogFilter, sort: Sort, tally: ExportTally
    ) -> Iterator[bytes]:
        zone = ZoneInfo(request.tenant.time_zone)  # type: ignore[attr-defined]
        return export_bytes(events=events_iter(log_filter=log_filter, sort=sort), fmt=fmt, zone=zone, tally=tally)

    def respond(
        self, request: HttpRequest, *, fmt: str, file_name: str, log_filter: LogFilter, sort: Sort
    ) -> HttpResponseBase:
        raise NotImplementedError


class LogExportView(_ExportBase):
    """The selection as a CSV or JSON file, streamed a chunk of events at a time."""

    def respond(
        self, request: HttpRequest, *, fmt: str, file_name: str, log_filter: LogFilter, sort: Sort
    ) -> HttpResponseBase:
        chunks = self.chunks(request, fmt=fmt, log_filter=log_filter, sort=sort, tally=ExportTally())
        response = StreamingHttpResponse(_schema_chunks(request.tenant, chunks), content_type=CONTENT_TYPES[fmt])  # type: ignore[attr-defined]
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return response


class LogExportManifestView(_ExportBase):
    """The signed manifest of the same file: written again into a hash (same filter, same
    ``upto``, same bytes), then signed with the department's key."""

    part = "manifest"

    def respond(
        self, request: HttpRequest, *, fmt: str, file_name: str, log_filter: LogFilter, sort: Sort
    ) -> HttpResponseBase:
        tally = ExportTally()
        for _chunk in self.chunks(request, fmt=fmt, log_filter=log_filter, sort=sort, tally=tally):
            pass
        assert log_filter.upto is not None  # anchored by get()
        head = events_get(seqs=[log_filter.upto])
        tenant = request.tenant  # type: ignore[attr-defined]
        document = manifest_document(
            tally=tally,
            fmt=fmt,
            file_name=file_name,
            department=tenant.name,
            log_filter=log_filter.as_details(),
            sort=sort.value,
            head_seq=log_filter.upto,
            head_hash=head[0].hash if head else "",
            generated_at=timezone.now().astimezone(dt.UTC).isoformat(),
            generated_by=reader_actor(cast("AuthenticatedHttpRequest", request)).label,
        )
        response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{file_name}.manifest.json"'
        return response


class AdminChangesView(BoardReaderMixin, View):
    """Policy edits, staff invitations, role changes, deactivations (and what other apps plug
    in), each with who and when, newest first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AdminChangesForm(request.GET, time_zone=request.tenant.time_zone, today=timezone.localdate())  # type: ignore[attr-defined]
        if not form.is_valid():
            return render(request, "audit/board_admin_changes.html", {"form": form, "changes": None}, status=400)
        start, end = form.time_range()
        kind = form.cleaned_data.get("kind") or ""
        changes = admin_changes(start=start, end=end, kind=kind)
        reading_record(
            request,
            action=Action.AUDIT_READ,
            allowed=True,
            quantity=len(changes),
            details={
                "view": "admin_changes",
                "filter": {
                    "start": start.isoformat() if start else "",
                    "end": end.isoformat() if end else "",
                    "kind": kind,
                },
            },
        )
        labels = dict(admin_change_kinds())
        return render(
            request,
            "audit/board_admin_changes.html",
            {"form": form, "changes": [(change, labels.get(change.kind, change.kind)) for change in changes]},
        )
