"""issue 19: a camera's privacy masks, the rectangles its owner's bridge blacks out before any
picture leaves the premises. Validated with the bridge's own rules (bridge.masks.parse_masks:
what is accepted here is what the bridge applies) and kept on the camera, whose history
records each change and who made it."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bridge.masks import MAX_MASKS, MaskError, masks_payload, parse_masks

from .models import Camera

if TYPE_CHECKING:
    from accounts.models import User

__all__ = ["camera_privacy_masks_set", "mask_error_message"]


def mask_error_message(error: MaskError, *, count: int = 0) -> str:
    """The owner's sentence for a refused mask list, in their language."""
    number = (error.index or 0) + 1
    if error.code == "too_many":
        return _("A camera can have at most %(max)d privacy masks; you drew %(count)d. Remove some.") % {
            "max": MAX_MASKS,
            "count": count,
        }
    if error.code == "outside":
        return _("Mask %(number)d reaches outside the picture: draw it inside the picture.") % {"number": number}
    if error.code == "empty":
        return _("Mask %(number)d is too small to hide anything: draw a larger rectangle.") % {"number": number}
    if error.code == "malformed":
        return _("Mask %(number)d is not a rectangle: draw it again.") % {"number": number}
    return _("The masks were not understood: draw them again.")


def camera_privacy_masks_set(*, owner: "User", camera: Camera, masks: object) -> Camera:
    """Replace the camera's privacy masks (a list of [x, y, w, h] in 0..1, or of {x, y, w, h}).

    Refused with a ValidationError on ``privacy_masks`` (nothing saved) for a list that is not
    one, more than MAX_MASKS, a mask that is not four numbers, reaches outside the picture or
    is too small. The owner is the history's user. Telling the bridges is the caller's
    (live.camera_privacy), after the commit.
    """
    try:
        rects = parse_masks(masks)
    except MaskError as exc:
        count = len(masks) if isinstance(masks, list) else 0
        raise ValidationError({"privacy_masks": [mask_error_message(exc, count=count)]}, code=exc.code) from exc
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera.pk, site__owner=owner)
        camera.privacy_masks = masks_payload(rects)
        camera._history_user = owner  # type: ignore[attr-defined]
        camera.save(update_fields=["privacy_masks", "updated_at"])
    return camera
