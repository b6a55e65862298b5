"""The oversight board's workspace: search the log on every field, export a selection with a
signed manifest, and read what administrators changed.

Read-only, for the board (role oversight, accounts.models.BOARD_ROLES) in a session that
passed MFA. Anyone else is told the page does not exist
(404), and the attempt is logged as a refused audit_read. Every reading is logged as
audit_read, every export as log_export, each with the filter it used.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django_tenants.utils import tenant_context

from core.http import text_refusal

from ..admin_changes import admin_change_kinds, admin_changes
from ..forms import AdminChangesForm, LogSearchForm
from ..log_export import Tally as ExportTally
from ..log_export import export_bytes, manifest_document
from ..log_search import LogFilter, Sort, events_count_capped, events_iter, events_page, events_search, log_values
from ..models import Action
from ..reasons import Refusal
from ..selectors import chain_head, events_get
from .readers import BoardReaderMixin, filter_refusal_record, reader_actor, reading_record

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.http.response import HttpResponseBase

    from accounts.authenticated import AuthenticatedHttpRequest

PAGE_SIZE = 50
# An export holds one chunk in memory, whatever its size; the cap keeps one request from
# holding a worker for hours. A year of a large department is well under it.
EXPORT_MAX_EVENTS = 2_000_000
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


# A search is posted, and kept in the session under a short random name: the addresses of its
# pages and exports carry that name (and a page's position and the order), never the filter, so
# no case number or purpose text reaches a browser's history, a proxy's or the server's logs
# (trust checklist G5). A session keeps its newest selections; an older name is refused.
SELECTIONS_KEY = "audit_board_selections"
SELECTIONS_KEPT = 30
# The fields that may not travel in an address, and what the address of a selection may hold.
SENSITIVE_FIELDS = ("case_number", "purpose_text")
SELECTION_PARAMS = {"s", "after", "sort"}


def selection_save(request: HttpRequest, data: dict[str, str]) -> str:
    selections: dict[str, Any] = request.session.get(SELECTIONS_KEY, {})
    name = secrets.token_urlsafe(12)
    selections[name] = {"schema": request.tenant.schema_name, "data": data}  # type: ignore[attr-defined]
    for old in list(selections)[:-SELECTIONS_KEPT]:
        del selections[old]
    request.session[SELECTIONS_KEY] = selections
    return name


def selection_load(request: HttpRequest, name: str) -> dict[str, str] | None:
    kept = request.session.get(SELECTIONS_KEY, {}).get(name[:40])
    if not kept or kept.get("schema") != request.tenant.schema_name:  # type: ignore[attr-defined]
        return None
    return dict(kept["data"])


def search_form(request: HttpRequest, data: Any) -> LogSearchForm:
    return LogSearchForm(
        data,
        time_zone=request.tenant.time_zone,  # type: ignore[attr-defined]
        today=timezone.localdate(),
        reasons=log_values(column="reason"),
        categories=log_values(column="purpose_category"),
    )


def _selection_form(request: HttpRequest) -> LogSearchForm:
    """The form of the selection the address names (``s``), its order and position from the
    address; a name this session does not keep, or a filter in the address, is an error."""
    name = request.GET.get("s", "")
    stored = selection_load(request, name) if name else None
    form = search_form(
        request, {**(stored or {}), **{k: request.GET[k] for k in ("after", "sort") if k in request.GET}}
    )
    form.is_valid()
    if stored is None:
        form.add_error(
            None,
            _(
                "This selection is not kept any more (a session keeps its last %(n)d searches, until you sign out): "
                "search again."
            )
            % {"n": SELECTIONS_KEPT},
        )
    extra = sorted(set(request.GET) - SELECTION_PARAMS)
    if extra:
        form.add_error(
            None,
            _("Unknown filter: %(names)s. Change the selection with the form and search again.")
            % {"names": ", ".join(n[:40] for n in extra[:5])},
        )
    return form


def _refused(request: HttpRequest, form: LogSearchForm, *, view: str) -> HttpResponse:
    """A filter that does not hold: the form says what is wrong, nothing is read, and the
    attempt is logged (a refused reading, its fields named, not their values)."""
    reading_record(
        request,
        action=Action.AUDIT_READ,
        allowed=False,
        quantity=0,
        reason=Refusal.INVALID_FILTER,
        details={"view": view, "errors": sorted(form.errors)},
    )
    return render(request, LogSearchView.template, search_context(request, form), status=400)


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


def _stored(form: LogSearchForm, upto: int) -> dict[str, str]:
    """The form's filter as it is kept: its fields' text (not the page's position), anchored."""
    data = {name: str(form.data.get(name, "")) for name in form.fields if name not in {"after", "upto"}}
    return {name: value for name, value in data.items() if value} | {"upto": str(upto)}


class LogSearchView(BoardReaderMixin, View):
    """The search: posted (the filter in the body), kept under a name, shown from the name.

    A filter in the address is still read (the anomaly queue links to a flag's events),
    except the fields that must not be in one (case number, purpose text)."""

    template = "audit/board_search.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = search_form(request, request.POST)
        if not form.is_valid():
            return _refused(request, form, view="board_search")
        name = selection_save(request, _stored(form, filter_anchored(form.log_filter()).upto or 0))
        # 303 See Other: the browser GETs the selection's page (reloading it does not post again).
        response = HttpResponseRedirect(f"{reverse('audit-board-search')}?{urlencode({'s': name})}")
        response.status_code = 303
        return response

    def get(self, request: HttpRequest) -> HttpResponse:
        if "s" in request.GET:
            form = _selection_form(request)
            if form.errors:
                return _refused(request, form, view="board_search")
            return self.show(request, form, request.GET["s"])
        form = search_form(request, request.GET)
        form.is_valid()
        for field in SENSITIVE_FIELDS:
            if request.GET.get(field):
                form.add_error(
                    field,
                    _(
                        "This is not sent in an address (addresses are kept in browser histories and "
                        "server logs): type it in the form and press Search."
                    ),
                )
        if form.errors:
            return _refused(request, form, view="board_search")
        log_filter = filter_anchored(form.log_filter())
        return self.show(request, form, selection_save(request, _stored(form, log_filter.upto or 0)))

    def show(self, request: HttpRequest, form: LogSearchForm, name: str) -> HttpResponse:
        context = search_context(request, form)
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
        here = {"s": name, "sort": sort.value}
        context.update(
            {
                "page": page,
                "count": count,
                "more": more,
                "upto": log_filter.upto,
                "flag": log_filter.flag,
                "selection": name,
                "first_page": f"?{urlencode(here)}",
                "next_page": f"?{urlencode(here | {'after': page.next_after})}" if page.next_after is not None else "",
                "sorts": [
                    (value, label, f"?{urlencode(here | {'sort': value})}", value == sort.value)
                    for value, label in form.fields["sort"].choices  # type: ignore[attr-defined]  # a ChoiceField
                ],
                "exports": [
                    (fmt, f"{reverse('audit-board-export', args=[fmt])}?{urlencode(here)}") for fmt in ("csv", "json")
                ],
                "manifests": [
                    (fmt, f"{reverse('audit-board-export-manifest', args=[fmt])}?{urlencode(here)}")
                    for fmt in ("csv", "json")
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
            # No such file (404), named, and the attempt logged as any refused filter is.
            filter_refusal_record(request, view=f"board_export_{self.part}", errors={"format": fmt})
            return text_refusal(
                _("Unknown export format “%(format)s”: the selection is exported as csv or json.")
                % {"format": fmt[:20]},
                404,
            )
        form = _selection_form(request)
        if form.errors:
            return _refused(request, form, view=f"board_export_{self.part}")
        sort = form.sort_order()
        log_filter = filter_anchored(form.log_filter())
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
            return _refused(request, form, view=f"board_export_{self.part}")
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
            filter_refusal_record(request, view="admin_changes", errors=form.errors)
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
