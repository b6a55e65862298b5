"""The owner's footage pages: the inbox of requests, and the answer page (an answer, or a whole-
file upload)."""

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from cameras.mixins import OwnerRequiredMixin

from .. import selectors, services
from ..models import OwnerRequest

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest


class InboxView(OwnerRequiredMixin, View):
    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        return render(request, "footage/inbox.html", {"inbox": selectors.inbox_of_owner(owner=request.user)})


class AnswerView(OwnerRequiredMixin, View):
    template = "footage/answer.html"

    def _owner_request(self, request: "AuthenticatedHttpRequest", request_id: uuid.UUID) -> OwnerRequest:
        try:
            return selectors.owner_request_of_owner(owner=request.user, public_id=request_id)
        except OwnerRequest.DoesNotExist as exc:
            raise Http404 from exc

    def get(self, request: "AuthenticatedHttpRequest", request_id: uuid.UUID) -> HttpResponse:
        owner_request = self._owner_request(request, request_id)
        return render(request, self.template, self._context(owner_request))

    def _context(self, owner_request: OwnerRequest, **extra: Any) -> dict[str, Any]:
        return {
            "owner_request": owner_request,
            "answers": selectors.answers_of(owner_request),
            "clock": selectors.delivery_clock_of(owner_request),
            **extra,
        }

    def post(self, request: "AuthenticatedHttpRequest", request_id: uuid.UUID) -> HttpResponse:
        owner_request = self._owner_request(request, request_id)
        # As the upload API does (footage/views/uploads.py): an id that is not a whole number
        # names no answer of this request, like a missing one or another owner's.
        try:
            answer_id = int(request.POST.get("answer_id", ""))
        except ValueError as exc:
            raise Http404 from exc
        if not owner_request.answers.filter(pk=answer_id).exists():
            raise Http404
        receipt = None
        try:
            if "file" in request.FILES:
                upload: Any = request.FILES["file"]
                receipt = services.clip_upload(
                    owner=request.user,
                    answer_id=answer_id,
                    upload=upload,
                    name=upload.name or "clip",
                    size=upload.size or 0,
                )
            else:
                services.answer_set(
                    owner=request.user,
                    answer_id=answer_id,
                    answer=request.POST.get("answer", ""),
                    decline_reason=request.POST.get("decline_reason", ""),
                )
                messages.success(request, _("Thank you, your answer was saved."))
        except ValidationError as exc:
            context = self._context(owner_request, errors=exc.messages, error_answer=answer_id)
            return render(request, self.template, context, status=400)
        return render(request, self.template, self._context(owner_request, receipt=receipt))
