"""Footage requests: an officer asks owners for a time window; owners are reminded before
their recorder overwrites it."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from cameras import access
from cameras.models import Camera, Purpose
from tenants.outbox import enqueue_on_commit
from tenants.selectors import policy_current

from ..deadlines import delivery_hours_of_sites, delivery_ordinances_of_sites
from ..models import Answer, CameraAnswer, FootageRequest, OwnerRequest
from ..notices import footage_request_notify, footage_request_remind

# How far back a request may reach: the longest a camera's recorder keeps footage
# (Camera.retention_days). It also keeps a mistyped year (0001) out of the database,
# where east of Greenwich it would lie before year 1 in UTC and fail every later read.
REQUEST_LOOKBACK_DAYS = 3650


@dataclass(frozen=True)
class RequestResult:
    request: FootageRequest | None
    owners: int
    cameras: int
    refused: int


def footage_request_send(
    *,
    actor: access.Actor,
    purpose: Purpose | None,
    camera_ids: list[Any],
    window_start: dt.datetime,
    window_end: dt.datetime,
    message: str,
    area: dict[str, Any] | None = None,
) -> RequestResult:
    """Ask the owners of the chosen cameras for footage of a time window.

    Each camera is a gate decision (footage_request), so cameras whose consent no longer
    allows a request are left out, and logged. One request goes to each owner, listing
    their cameras; owners are e-mailed after the commit.
    """
    policy = policy_current()
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if purpose is None:
        errors["purpose"] = [_("State a purpose (case number, category and reason) first.")]
    if window_end <= window_start:
        errors["window_end"] = [_("The end of the time window must be after its start.")]
    elif window_end > now:
        # Owners answer at once; footage not yet recorded cannot be sent.
        errors["window_end"] = [_("Footage cannot be requested for the future.")]
    elif window_end - window_start > dt.timedelta(hours=policy.footage_request_max_hours):
        errors["window_end"] = [
            _("The time window may be at most %(hours)d hours.") % {"hours": policy.footage_request_max_hours}
        ]
    if window_start > now:
        errors["window_start"] = [_("Footage cannot be requested for the future.")]
    elif window_start < now - dt.timedelta(days=REQUEST_LOOKBACK_DAYS):
        errors["window_start"] = [
            _("Footage can be requested for at most the last %(days)d days.") % {"days": REQUEST_LOOKBACK_DAYS}
        ]
    if not message.strip():
        errors["message"] = [_("Write a short message to the owners.")]
    if not camera_ids:
        errors["cameras"] = [_("Choose at least one camera.")]
    if errors:
        raise ValidationError(errors)
    by_owner: dict[int, list[Camera]] = defaultdict(list)
    refused = 0
    with transaction.atomic():
        for public_id in dict.fromkeys(str(c) for c in camera_ids):
            _decision, camera = access.camera_lookup(
                actor=actor, purpose=purpose, public_id=public_id, action=Action.FOOTAGE_REQUEST
            )
            if camera is None:
                refused += 1
                continue
            by_owner[camera.site.owner_id].append(camera)
        if not by_owner:
            return RequestResult(None, 0, 0, refused)
        assert purpose is not None
        request = FootageRequest.objects.create(
            officer=actor.user,
            purpose=purpose,
            window_start=window_start,
            window_end=window_end,
            message=message.strip(),
            area=area or {},
            expires_at=timezone.now() + dt.timedelta(days=policy.footage_request_days),
        )
        sent_at = timezone.now()
        # The ordinances' delivery deadlines (footage.deadlines): an owner with several sites
        # gets the shortest.
        site_ids = {c.site_id for cameras in by_owner.values() for c in cameras}
        hours = delivery_hours_of_sites(site_ids, sent_at)
        # The ordinance setting each site's deadline, named on the request page.
        named = delivery_ordinances_of_sites(site_ids, sent_at)
        for owner_id, cameras in by_owner.items():
            owner_hours = [hours[c.site_id] for c in cameras if c.site_id in hours]
            shortest = min(owner_hours) if owner_hours else None
            setter = next(
                (named[c.site_id][1] for c in cameras if c.site_id in named and named[c.site_id][0] == shortest), ""
            )
            owner_request = OwnerRequest.objects.create(
                request=request,
                owner_id=owner_id,
                deliver_by=sent_at + dt.timedelta(hours=shortest) if shortest is not None else None,
                deliver_by_ordinance=setter,
            )
            CameraAnswer.objects.bulk_create(
                CameraAnswer(owner_request=owner_request, camera=c, camera_ref=f"camera:{c.public_id}") for c in cameras
            )
            enqueue_on_commit(footage_request_notify, owner_request_id=owner_request.pk)
    return RequestResult(request, len(by_owner), sum(len(c) for c in by_owner.values()), refused)


def requests_remind(*, now: dt.datetime | None = None) -> int:
    """Remind owners, once, before their recorder overwrites the requested footage.

    A camera's recorder keeps footage for its retention_days; when the start of the
    requested window is within a day of falling out of it, the owner is reminded.
    """
    now = now or timezone.now()
    reminded = 0
    pending = (
        OwnerRequest.objects.filter(
            reminded_at__isnull=True, request__expires_at__gt=now, answers__answer=Answer.PENDING
        )
        .select_related("request")
        .prefetch_related("answers__camera")
        .distinct()
    )
    for owner_request in pending:
        retention = [
            a.camera.retention_days
            for a in owner_request.answers.all()
            if a.answer == Answer.PENDING and a.camera is not None and a.camera.retention_days
        ]
        if not retention:
            continue
        overwritten_at = owner_request.request.window_start + dt.timedelta(days=min(retention))
        if overwritten_at - dt.timedelta(days=1) <= now < overwritten_at:
            OwnerRequest.objects.filter(pk=owner_request.pk).update(reminded_at=now)
            enqueue_on_commit(footage_request_remind, owner_request_id=owner_request.pk)
            reminded += 1
    return reminded
