"""issue 19: what an owner sees of a camera's live picture: its status at the bridge, a
snapshot taken only when the owner asks, and the privacy masks the bridge blacks out."""

import base64
import datetime as dt
import json
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View

from bridge.masks import MAX_MASKS
from cameras.mixins import OwnerRequiredMixin

from . import camera_privacy, camera_status

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest
    from cameras.models import Camera

# How each refusal of a snapshot is answered (the sentence says what to do).
SNAPSHOT_STATUS = {"no_bridge": 409, "offline": 409, "busy": 429, "camera": 502, "timeout": 504}


class CameraLiveView(OwnerRequiredMixin, View):
    """The owner's page of one camera's live picture (another owner's camera: 404): its
    status, the snapshot button, and the privacy masks (POST ``masks``: a JSON list)."""

    template = "live/camera_live.html"

    def _render(
        self, request: "AuthenticatedHttpRequest", camera: "Camera", status: int = 200, **extra: object
    ) -> HttpResponse:
        statuses = camera_status.camera_statuses_of_owner(
            owner=request.user, schema=request.tenant.schema_name, cameras=[camera]
        )
        context = {
            "camera": camera,
            "status": statuses.get(camera.public_id),
            "masks_json": json.dumps(camera.privacy_masks),
            "max_masks": MAX_MASKS,
            "strings": {
                "mask": _("Mask %(number)s"),
                "remove": _("Remove"),
                "asking": _("Asking your bridge for a picture…"),
                "taken": _("Snapshot taken at %(time)s. It is not kept."),
                "failed": _("No answer from the server: check your connection and try again."),
                "too_many": _("At most %(max)s masks: remove one first.") % {"max": MAX_MASKS},
            },
            **extra,
        }
        response = render(request, self.template, context, status=status)
        add_never_cache_headers(response)
        return response

    def get(self, request: "AuthenticatedHttpRequest", camera_id: str) -> HttpResponse:
        return self._render(request, self.camera_or_404(camera_id))

    def post(self, request: "AuthenticatedHttpRequest", camera_id: str) -> HttpResponse:
        camera = self.camera_or_404(camera_id)
        raw = request.POST.get("masks", "")
        try:
            masks = json.loads(raw) if raw.strip() else []
        except (ValueError, RecursionError):
            masks = None
        if masks is None:
            errors = [_("The masks were not understood: draw them again.")]
            return self._render(request, camera, 400, errors=errors, masks_json=json.dumps(camera.privacy_masks))
        try:
            camera_privacy.camera_masks_save(owner=request.user, camera=camera, masks=masks)
        except ValidationError as exc:
            # The owner's drawing comes back as drawn (nothing saved), with what to change.
            return self._render(request, camera, 400, errors=exc.messages, masks_json=raw)
        messages.success(request, _("Privacy masks saved: the bridge blacks them out from its next picture."))
        return redirect("portal-camera-live", camera_id=camera.public_id)


class CameraSnapshotView(OwnerRequiredMixin, View):
    """POST: one snapshot of the owner's camera, taken now by its bridge, as JSON
    (``image``: a data URL, ``taken_at``) or ``error`` with the sentence. Not kept anywhere."""

    def post(self, request: "AuthenticatedHttpRequest", camera_id: str) -> HttpResponse:
        camera = self.camera_or_404(camera_id)
        try:
            snapshot = camera_privacy.snapshot_take(
                owner=request.user, camera=camera, schema=request.tenant.schema_name
            )
        except camera_privacy.SnapshotError as exc:
            response = JsonResponse({"error": exc.message, "code": exc.code}, status=SNAPSHOT_STATUS.get(exc.code, 503))
        else:
            response = JsonResponse(
                {
                    "image": "data:image/jpeg;base64," + base64.b64encode(snapshot.jpeg).decode("ascii"),
                    "taken_at": dt.datetime.fromtimestamp(snapshot.taken_at, dt.UTC).isoformat(),
                }
            )
        add_never_cache_headers(response)
        return response
