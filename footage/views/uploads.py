"""JSON endpoints of the owner's resumable clip upload (footage/uploads.py has the protocol).

    POST /my/requests/<request>/uploads/   answer_id, name, size  -> 201 the upload's state (409: too many in progress)
    GET  /my/uploads/<upload>/                                    -> the state (offset; receipt once finished)
    PUT  /my/uploads/<upload>/   Content-Range: bytes S-E/TOTAL   -> the state after the piece
    POST /my/uploads/<upload>/finish/                             -> the receipt

Errors are JSON ``{"error": message, "offset": n}`` with a 4xx status; 404 for an upload
that is missing or not the owner's. CSRF applies as to any form (X-CSRFToken header).
"""

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.views import View

from cameras.mixins import OwnerRequiredMixin
from core.http import status_of

from .. import selectors, uploads
from ..models import CameraAnswer, ClipUpload, OwnerRequest
from ..services.answers import Receipt

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest

CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def _receipt_json(receipt: Receipt) -> dict[str, Any]:
    return {
        "name": receipt.name,
        "size": receipt.size,
        "sha256": receipt.sha256,
        "at": receipt.at.isoformat(),
        # As the page shows times: in the department's zone (DepartmentTimeZoneMiddleware).
        "at_display": dateformat.format(timezone.localtime(receipt.at), "Y-m-d H:i:s e"),
    }


def _state(upload: ClipUpload) -> dict[str, Any]:
    receipt = uploads.clip_upload_receipt(upload)
    return {
        "id": str(upload.public_id),
        "size": upload.size,
        "offset": upload.received,
        "chunk_size": upload.chunk_size,
        "complete": receipt is not None,
        "url": reverse("footage-upload", args=[upload.public_id]),
        "finish_url": reverse("footage-upload-finish", args=[upload.public_id]),
        "receipt": _receipt_json(receipt) if receipt is not None else None,
    }


def _error(message: str, status: int, offset: int | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "offset": offset}, status=status)


def _refused(exc: ValidationError | uploads.UploadError | uploads.UploadConflict) -> JsonResponse:
    """The one mapping of upload refusals to responses."""
    if isinstance(exc, ValidationError):
        return _error(" ".join(exc.messages), 400)
    return _error(exc.message, status_of(exc), exc.offset)


class ClipUploadStartView(OwnerRequiredMixin, View):
    def post(self, request: "AuthenticatedHttpRequest", request_id: Any) -> JsonResponse:
        try:
            owner_request = selectors.owner_request_of_owner(owner=request.user, public_id=request_id)
            answer_id = int(request.POST.get("answer_id", ""))
            owner_request.answers.get(pk=answer_id)
        except (OwnerRequest.DoesNotExist, CameraAnswer.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        try:
            size = int(request.POST.get("size", ""))
        except ValueError:
            return _error(_("Give the file's size in bytes."), 400)
        try:
            upload = uploads.clip_upload_start(
                owner=request.user, answer_id=answer_id, name=request.POST.get("name", ""), size=size
            )
        except (ValidationError, uploads.UploadError, uploads.UploadConflict) as exc:
            return _refused(exc)
        return JsonResponse(_state(upload), status=201)


class ClipUploadView(OwnerRequiredMixin, View):
    def get(self, request: "AuthenticatedHttpRequest", upload_id: Any) -> JsonResponse:
        try:
            upload = uploads.clip_upload_of_owner(owner=request.user, upload_id=upload_id)
        except ClipUpload.DoesNotExist as exc:
            raise Http404 from exc
        return JsonResponse(_state(upload))

    def put(self, request: "AuthenticatedHttpRequest", upload_id: Any) -> JsonResponse:
        match = CONTENT_RANGE.match(request.headers.get("Content-Range", ""))
        if match is None:
            return _error(_("Send each piece with a Content-Range header: bytes START-END/TOTAL."), 400)
        start, end, total = (int(g) for g in match.groups())
        length = end - start + 1
        if length <= 0:
            return _error(_("The piece's range is empty or reversed."), 400)
        try:
            # Its own piece size, fixed when it started (the setting may have changed since).
            chunk_size = uploads.clip_upload_of_owner(owner=request.user, upload_id=upload_id).chunk_size
        except ClipUpload.DoesNotExist as exc:
            raise Http404 from exc
        if length > chunk_size:
            return _error(_("A piece may be at most %(size)d bytes.") % {"size": chunk_size}, 413)
        # Read one byte more than announced, to notice a body longer than its range.
        data = request.read(length + 1)
        if len(data) != length:
            return _error(_("The piece's length does not match its Content-Range."), 400)
        try:
            upload = uploads.clip_upload_piece(
                owner=request.user, upload_id=upload_id, offset=start, total=total, data=data
            )
        except ClipUpload.DoesNotExist as exc:
            raise Http404 from exc
        except (ValidationError, uploads.UploadError, uploads.UploadConflict) as exc:
            return _refused(exc)
        return JsonResponse(_state(upload))


class ClipUploadFinishView(OwnerRequiredMixin, View):
    def post(self, request: "AuthenticatedHttpRequest", upload_id: Any) -> JsonResponse:
        try:
            receipt = uploads.clip_upload_finish(owner=request.user, upload_id=upload_id)
        except ClipUpload.DoesNotExist as exc:
            raise Http404 from exc
        except (ValidationError, uploads.UploadError, uploads.UploadConflict) as exc:
            return _refused(exc)
        return JsonResponse({"complete": True, "receipt": _receipt_json(receipt)})
