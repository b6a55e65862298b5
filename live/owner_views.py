"""issue 19: what an owner sees of a camera's live picture: its status at the bridge, a
snapshot taken only when the owner asks, and the privacy masks the bridge blacks out."""

from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views import View

from cameras.mixins import OwnerRequiredMixin

from . import camera_status

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest
    from cameras.models import Camera


class CameraLiveView(OwnerRequiredMixin, View):
    """The owner's page of one camera's live picture (another owner's camera: 404)."""

    template = "live/camera_live.html"

    def _render(
        self, request: "AuthenticatedHttpRequest", camera: "Camera", status: int = 200, **extra: object
    ) -> HttpResponse:
        statuses = camera_status.camera_statuses_of_owner(
            owner=request.user, schema=request.tenant.schema_name, cameras=[camera]
        )
        context = {"camera": camera, "status": statuses.get(camera.public_id), **extra}
        response = render(request, self.template, context, status=status)
        add_never_cache_headers(response)
        return response

    def get(self, request: "AuthenticatedHttpRequest", camera_id: str) -> HttpResponse:
        return self._render(request, self.camera_or_404(camera_id))
