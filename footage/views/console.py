"""The console's footage pages: an officer's requests, the clip player, downloads, holds and the
evidence export. Every clip access goes through the gate (footage.services)."""

import datetime as dt
import os
import shutil
import tempfile
import uuid
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from cameras import access
from cameras.forms import AreaForm
from cameras.mixins import StaffConsoleMixin
from core import ratelimit
from core.errors import DomainError, Refused
from core.forms import form_errors_add, refusal_messages
from core.http import error_text_refusal, status_of, text_refusal

from .. import selectors, services, streaming
from ..export import ExportIntegrityError
from ..models import Clip, FootageRequest
from ..storage import clip_store
from .common import redirect_back

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest


class RequestForm(forms.Form):
    window_start = forms.DateTimeField(
        label=gettext_lazy("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    window_end = forms.DateTimeField(
        label=gettext_lazy("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the owners"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


def _local(value: dt.datetime, tz: str) -> dt.datetime:
    return value.replace(tzinfo=ZoneInfo(tz)) if value.tzinfo is None else value


class FootageRequestCreateView(StaffConsoleMixin, View):
    """From a search: choose cameras (default: all whose consent allows a request).

    Showing the page is a search, logged on the officer's name and told to the owners who
    asked: only a POST carrying the area (the results' "Ask these owners for footage" button,
    with ``choose``; then this page's own form) shows it, CSRF-checked, so no link, redirect or
    prefetch makes an officer's browser search. A GET is answered 405."""

    def _area(self, request: HttpRequest) -> AreaForm:
        """The area of the search the officer came from (validated: see ``_bad_area``)."""
        area = AreaForm(request.POST)
        area.is_valid()
        return area

    @staticmethod
    def _bad_area(area: AreaForm) -> HttpResponse:
        # As the canvass export says it: each problem of the area, in words.
        return text_refusal("\n".join(area.error_sentences()), 400)

    def _search(self, area: AreaForm) -> Any:
        """The cameras to choose from: a search, logged as one (only when the page shows them)."""
        return access.camera_search(
            actor=self.actor, purpose=self.purpose(), area=area.cleaned_data["area"], mode=area.cleaned_data["mode"]
        )

    def _page(self, request: HttpRequest, form: RequestForm, area: AreaForm, status: int = 200) -> HttpResponse:
        result = self._search(area)
        if not result.decision.allowed:
            raise result.decision.refusal()
        context = {"form": form, "result": result, "area_fields": area.area_fields()}
        return render(request, "footage/request_new.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        area = self._area(request)
        if area.errors:
            return self._bad_area(area)
        if "choose" in request.POST:  # from the search results: the page, nothing sent yet
            return self._page(request, RequestForm(), area)
        form = RequestForm(request.POST)
        if form.is_valid():
            # Per officer (docs/rate-limits.md); over it, the 429 page says when to try again.
            ratelimit.limit_check_request(request, limit=ratelimit.Limit.FOOTAGE_REQUEST, user=request.user.pk)
            tz = request.tenant.time_zone  # type: ignore[attr-defined]
            try:
                sent = services.footage_request_send(
                    actor=self.actor,
                    purpose=self.purpose(),
                    camera_ids=request.POST.getlist("cameras"),
                    window_start=_local(form.cleaned_data["window_start"], tz),
                    window_end=_local(form.cleaned_data["window_end"], tz),
                    message=form.cleaned_data["message"],
                    area=area.cleaned_data["area"].as_details(),
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                if sent.request is None:
                    form.add_error(None, _("None of the chosen cameras' owners allow footage requests now."))
                else:
                    messages.success(
                        request,
                        ngettext(
                            "Request sent to %(owners)d owner for %(cameras)s.",
                            "Request sent to %(owners)d owners for %(cameras)s.",
                            sent.owners,
                        )
                        % {
                            "owners": sent.owners,
                            "cameras": ngettext("%(count)d camera", "%(count)d cameras", sent.cameras)
                            % {"count": sent.cameras},
                        },
                    )
                    return redirect("footage-request-detail", request_id=sent.request.public_id)
        return self._page(request, form, area, status=400)


class FootageRequestListView(StaffConsoleMixin, View):
    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        return render(
            request, "footage/request_list.html", {"requests": selectors.requests_of_officer(officer=request.user)}
        )


class FootageRequestDetailView(StaffConsoleMixin, View):
    def get(self, request: "AuthenticatedHttpRequest", request_id: uuid.UUID) -> HttpResponse:
        try:
            summary = selectors.request_summary_for_police(officer=request.user, public_id=request_id)
        except FootageRequest.DoesNotExist as exc:  # missing or another officer's: the same 404
            raise Http404 from exc
        return render(request, "footage/request_detail.html", {"summary": summary})


class ClipDownloadLinkView(StaffConsoleMixin, View):
    def post(self, request: HttpRequest, clip_id: str) -> HttpResponse:
        decision, token = services.download_link_issue(actor=self.actor, purpose=self.purpose(), clip_public_id=clip_id)
        if token is None:
            raise decision.refusal()
        return redirect("footage-download", token=token)


class ClipDownloadView(StaffConsoleMixin, View):
    def get(self, request: HttpRequest, token: str) -> HttpResponseBase:
        try:
            link = services.download_link_redeem(actor=self.actor, purpose=self.purpose(), raw_token=token)
        except DomainError as exc:  # refused and logged: said in plain text, as the download's body
            return error_text_refusal(exc)
        clip = link.clip
        try:
            original = clip_store().open(clip.storage_key, "rb")
        except FileNotFoundError:
            services.clip_original_missing(clip=clip, when="download")
            return _original_missing()
        services.clip_download_record(link=link)
        response = _attachment(
            request,
            original,
            length=original.size,
            filename=clip.original_name,
            content_type=streaming.CONTENT_TYPES.get(clip.container, "application/octet-stream"),
        )
        response["X-Content-SHA256"] = clip.sha256
        return response


def _attachment(
    request: HttpRequest, reader: Any, *, length: int, filename: str, content_type: str
) -> StreamingHttpResponse:
    """``length`` bytes of an open file as a download, read a chunk at a time, also under
    ASGI: Django reads a FileResponse (a synchronous iterator) whole into memory before
    serving it asynchronously, 2 GB for the largest clip. Evidence: never cached."""
    body: Any
    if isinstance(request, ASGIRequest):
        body = streaming.aiter_range(reader, length)
    else:
        body = streaming.iter_range(reader, length)
    response = StreamingHttpResponse(body, content_type=content_type)
    response._resource_closers.append(reader.close)  # type: ignore[attr-defined]  # also if not read to the end
    response["Content-Length"] = str(length)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    add_never_cache_headers(response)
    return response


def _original_missing() -> HttpResponse:
    return text_refusal(
        _("The stored original of this clip is missing. The department's administrators have been told."), 410
    )


class ClipHoldView(StaffConsoleMixin, View):
    def post(self, request: HttpRequest, clip_id: str) -> HttpResponse:
        # Only the form's two values: anything else must not release a hold.
        held = request.POST.get("held", "")
        if held not in ("0", "1"):
            return text_refusal(_("Send held “1” to place a legal hold or “0” to release it."), 400)
        try:
            clip = services.clip_hold_set(
                actor=self.actor,
                purpose=self.purpose(),
                clip_public_id=clip_id,
                held=held == "1",
                reason=request.POST.get("reason", ""),
            )
        except Clip.DoesNotExist as exc:
            raise Http404 from exc
        except (Refused, ValidationError) as exc:
            messages.error(request, " ".join(message for _field, message in refusal_messages(exc)))
            return redirect_back(request, "footage-request-list")
        messages.success(request, _("Legal hold placed.") if clip.held else _("Legal hold released."))
        return redirect("footage-request-detail", request_id=clip.request.public_id)


class FootageExportView(StaffConsoleMixin, View):
    """An export is logged and enters every clip's custody: only a POST from the request's
    page makes one (CSRF-checked, as for the player: another site cannot make an officer's
    browser export evidence under their name)."""

    def post(self, request: HttpRequest, request_id: uuid.UUID) -> HttpResponseBase:
        directory = tempfile.mkdtemp(prefix="porchlight-export-")
        try:
            result = services.request_export(
                actor=self.actor, purpose=self.purpose(), request_public_id=request_id, directory=directory
            )
            # The response reads the zip through this open handle; its name goes at once, so
            # no copy of the evidence outlives the download (nor the retention of the clips).
            export = open(result.path, "rb") if result.path is not None else None  # noqa: SIM115
        except ExportIntegrityError as exc:
            messages.error(
                request,
                _("Export refused: a stored clip no longer matches its fingerprint (%(clip)s).")
                % {"clip": exc.clip_id},
            )
            return redirect("footage-request-detail", request_id=request_id)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        if export is None:
            raise result.decision.refusal()
        response = _attachment(
            request,
            export,
            length=os.fstat(export.fileno()).st_size,
            filename=f"evidence-{request_id}.zip",
            content_type="application/zip",
        )
        response["X-Signing-Key-Fingerprint"] = result.fingerprint
        return response


# --- The console's clip player ----------------------------------------------------------


class ClipPlayerView(StaffConsoleMixin, View):
    """Opening a clip is one viewing: the gate decides and the viewing is logged once (access
    event and custody event). Only a POST from the console's own form opens one (CSRF-checked:
    another site cannot make an officer's browser log a viewing); it then redirects to the
    viewing's page, which a reload shows again without logging a second viewing."""

    template = "footage/clip_player.html"

    def post(self, request: HttpRequest, clip_id: str) -> HttpResponse:
        viewing = services.clip_view_open(actor=self.actor, purpose=self.purpose(), clip_public_id=clip_id)
        if viewing.link is None or viewing.clip is None:
            if viewing.decision.reason == access.Refusal.NOT_FOUND:
                raise viewing.decision.refusal()
            refused = viewing.decision.message or _("You cannot view this clip.")
            response = render(request, self.template, {"refused": refused}, status=403)
            add_never_cache_headers(response)
            return response
        return redirect("footage-clip-viewing", link_id=viewing.link.public_id)


class ClipViewingView(StaffConsoleMixin, View):
    """The page of one viewing: the player for the officer the viewing was opened for, until
    its link expires. Showing it again is not a new viewing; refusals are logged."""

    template = "footage/clip_player.html"

    def get(self, request: HttpRequest, link_id: str) -> HttpResponse:
        try:
            link = services.stream_link_resolve(actor=self.actor, purpose=self.purpose(), link_public_id=link_id)
        except DomainError as exc:  # refused and logged: said on the player's page
            response = render(request, self.template, {"refused": exc.message}, status=status_of(exc))
        else:
            clip = link.clip
            context = {
                "clip": clip,
                "link": link,
                "content_type": streaming.CONTENT_TYPES.get(clip.container, "application/octet-stream"),
                "playable": clip.container in streaming.BROWSER_PLAYABLE,
            }
            response = render(request, self.template, context)
        add_never_cache_headers(response)
        return response


class ClipStreamView(StaffConsoleMixin, View):
    """The player's video bytes, in HTTP ranges, for the officer the stream link was made
    for and until it expires. No request here is a new viewing; refusals are logged."""

    def get(self, request: HttpRequest, link_id: str) -> HttpResponseBase:
        try:
            link = services.stream_link_resolve(actor=self.actor, purpose=self.purpose(), link_public_id=link_id)
        except DomainError as exc:  # refused and logged: said in plain text, as the video's body
            return error_text_refusal(exc)
        clip = link.clip
        store = clip_store()
        try:
            size = store.size(clip.storage_key)
        except FileNotFoundError:
            services.clip_original_missing(clip=clip, when="viewing")
            return _original_missing()
        etag = f'"{clip.sha256}"'
        asked = request.headers.get("Range", "")
        if request.headers.get("If-Range", etag) != etag:
            asked = ""  # the client's copy is of other bytes: send them all
        try:
            wanted = streaming.byte_range(asked, size) if asked else None
        except streaming.RangeNotSatisfiable:
            unsatisfiable = HttpResponse(status=416)
            unsatisfiable["Content-Range"] = f"bytes */{size}"
            add_never_cache_headers(unsatisfiable)
            return unsatisfiable
        part = wanted or streaming.ByteRange(0, size - 1)
        reader = streaming.open_range(store, clip.storage_key, part.start, part.length)
        body: Any
        if isinstance(request, ASGIRequest):
            body = streaming.aiter_range(reader, part.length)
        else:
            body = streaming.iter_range(reader, part.length)
        response = StreamingHttpResponse(
            body,
            status=206 if wanted else 200,
            content_type=streaming.CONTENT_TYPES.get(clip.container, "application/octet-stream"),
        )
        # An async iterator has no close(): make sure the reader is closed if the player
        # stops reading halfway (it does, on every seek).
        response._resource_closers.append(reader.close)  # type: ignore[attr-defined]
        response["Content-Length"] = str(part.length)
        if wanted:
            response["Content-Range"] = part.content_range(size)
        response["Accept-Ranges"] = "bytes"
        response["ETag"] = etag
        response["Content-Disposition"] = "inline"
        add_never_cache_headers(response)
        return response
