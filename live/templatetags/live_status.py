"""issue 19: each camera's live status on the owner's pages (live.camera_status)."""

from typing import Any

from django import template

from cameras.models import Camera
from live.camera_status import CameraLiveStatus, camera_statuses_of_owner

register = template.Library()


@register.simple_tag(takes_context=True)
def camera_live_statuses(context: Any, cameras: Any) -> dict[Any, CameraLiveStatus]:
    """The live status of the signed-in owner's cameras among ``cameras``, by public id
    (another owner's cameras are left out): one query and two Redis round trips."""
    request = context["request"]
    cameras = [cameras] if isinstance(cameras, Camera) else list(cameras)
    return camera_statuses_of_owner(owner=request.user, schema=request.tenant.schema_name, cameras=cameras)


@register.filter
def status_of(statuses: dict[Any, CameraLiveStatus], camera: Any) -> CameraLiveStatus | None:
    return statuses.get(camera.public_id)
