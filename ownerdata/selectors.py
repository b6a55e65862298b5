"""Everything Porchlight holds about one owner, section by section (docs/owner-data.md).

Each section is one selector: ``(owner, time_zone) -> list of rows``, a row being a dict of
plain JSON values (text, numbers, booleans, None, lists). Every query is scoped to the
signed-in owner (``owner=...`` or their own sites); no id comes from the client. A
section costs a fixed number of queries, whatever the number of cameras or events.

``SECTIONS`` lists them in the export's order; adding a section is one function and one
line there (the messaging app's messages, for example).
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from accounts.models import ApiToken
from audit.selectors import events_for_owner
from cameras.access_log import access_entries_for_owner
from cameras.models import Camera, ConsentGrant, Site
from cameras.selectors import cameras_of_owner
from core.sql import counts
from footage.departure import FootageDeparture, owner_footage_preview
from footage.models import Clip, OwnerRequest
from live.models import Bridge, LiveSession
from messaging.selectors import officer_words, owner_threads_with_messages, threads_of_owner

if TYPE_CHECKING:
    from accounts.models import User

Row = dict[str, Any]
Section = Callable[[Any, str], list[Row]]


def _value(value: Any, time_zone: str) -> Any:
    """A value as JSON holds it: times in ISO 8601 in the department's zone, ids as text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(ZoneInfo(time_zone)).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_value(item, time_zone) for item in value]
    if isinstance(value, dict):
        return {str(key): _value(item, time_zone) for key, item in value.items()}
    return value


def _row(time_zone: str, **values: Any) -> Row:
    return {name: _value(value, time_zone) for name, value in values.items()}


def export_account(owner: "User", time_zone: str) -> list[Row]:
    """The account: name, e-mail addresses, role, language (where stored), dates, two-factor
    methods and API tokens (names and prefixes: a token itself is never stored)."""
    emails = list(EmailAddress.objects.filter(user=owner).order_by("-primary", "email"))
    methods = sorted(set(Authenticator.objects.filter(user=owner).values_list("type", flat=True)))
    tokens = list(ApiToken.objects.filter(user=owner).order_by("created_at"))
    return [
        _row(
            time_zone,
            email=owner.email,
            full_name=owner.full_name,
            role=owner.role,
            language=getattr(owner, "language", None),
            date_joined=owner.date_joined,
            last_login=owner.last_login,
            email_addresses=[{"email": e.email, "verified": e.verified, "primary": e.primary} for e in emails],
            two_factor_methods=methods,
            api_tokens=[
                _row(
                    time_zone,
                    name=t.name,
                    prefix=t.prefix,
                    created_at=t.created_at,
                    last_used_at=t.last_used_at,
                    revoked_at=t.revoked_at,
                )
                for t in tokens
            ],
        )
    ]


def export_sites(owner: "User", time_zone: str) -> list[Row]:
    """The owner's properties, with what they told the department about each."""
    return [
        _row(
            time_zone,
            site_id=site.public_id,
            kind=site.kind,
            name=site.name,
            address=site.address,
            longitude=site.location.x,
            latitude=site.location.y,
            parcel_number=site.parcel_number,
            permit_number=site.permit_number,
            business_name=site.business_name,
            property_type=site.property_type,
            constructed_on=site.constructed_on,
            share_contact=site.share_contact,
            police_notes=site.police_notes,
            bridges=[
                _row(
                    time_zone,
                    name=b.name,
                    token_prefix=b.token_prefix,
                    created_at=b.created_at,
                    revoked_at=b.revoked_at,
                    last_seen_at=b.last_seen_at,
                )
                for b in site.bridges.all()
            ],
            created_at=site.created_at,
            updated_at=site.updated_at,
        )
        for site in Site.objects.filter(owner=owner).prefetch_related("bridges").order_by("created_at")
    ]


def export_cameras(owner: "User", time_zone: str) -> list[Row]:
    """The owner's cameras with their details and the consent in force now."""
    rows = []
    for camera in cameras_of_owner(owner=owner):
        grant = getattr(camera, "consent", None)
        rows.append(
            _row(
                time_zone,
                camera_id=camera.public_id,
                site_id=camera.site.public_id,
                label=camera.label,
                camera_type=camera.camera_type,
                placement=camera.placement,
                mount_height_m=camera.mount_height_m,
                bearing_deg=camera.bearing_deg,
                fov_angle_deg=camera.fov_angle_deg,
                range_m=camera.range_m,
                views=list(camera.views),
                resolution=camera.resolution,
                frame_rate=camera.frame_rate,
                recording_mode=camera.recording_mode,
                retention_days=camera.retention_days,
                audio=camera.audio,
                recorder_make=camera.recorder_make,
                recorder_model=camera.recorder_model,
                export_format=camera.export_format,
                has_snapshot=bool(camera.snapshot),
                privacy_masks=list(camera.privacy_masks),  # issue 19
                status=camera.status,
                consent_level=grant.level if grant else None,
                consent_windows=grant.windows if grant else None,
                consent_expires_at=grant.expires_at if grant else None,
                consent_revoked_at=grant.revoked_at if grant else None,
                created_at=camera.created_at,
                updated_at=camera.updated_at,
            )
        )
    return rows


def _camera_history_ids(owner: "User") -> dict[int, uuid.UUID]:
    """Every camera the owner ever had (also deleted ones, through the history of their
    sites and cameras), by row id, with its public id. One query."""
    site_ids = Site.history.filter(owner_id=owner.pk).values("id")
    return dict(Camera.history.filter(site_id__in=site_ids).values_list("id", "public_id").distinct())


def export_consent_history(owner: "User", time_zone: str) -> list[Row]:
    """Every version of the consent of each of the owner's cameras (also cameras since
    deleted), oldest first: what police were allowed to do, and when it changed."""
    cameras = _camera_history_ids(owner)
    history = ConsentGrant.history.filter(camera_id__in=list(cameras)).order_by("history_date", "history_id")
    changed_by = {"+": "created", "~": "changed", "-": "deleted"}
    return [
        _row(
            time_zone,
            camera_id=cameras.get(version.camera_id),
            changed_at=version.history_date,
            change=changed_by.get(version.history_type, version.history_type),
            changed_by="you" if version.history_user_id == owner.pk else "Porchlight or the department",
            level=version.level,
            windows=version.windows,
            expires_at=version.expires_at,
            max_live_minutes=version.max_live_minutes,
            notify_on_access=version.notify_on_access,
            granted_at=version.granted_at,
            revoked_at=version.revoked_at,
        )
        for version in history
    ]


def export_access_events(owner: "User", time_zone: str) -> list[Row]:
    """Every police access (allowed or refused) that touched the owner's cameras, oldest
    first, exactly as "Who accessed my cameras" shows it (cameras.access_log)."""
    events = events_for_owner(owner_id=owner.pk).order_by("seq")
    return [
        _row(
            time_zone,
            event=entry.seq,
            occurred_at=entry.occurred_at,
            action=entry.action,
            action_label=entry.action_label,
            cameras=[camera.public_id for camera in entry.cameras],
            camera_labels=entry.camera_labels,
            officer=entry.officer,
            case_number=entry.case_number,
            purpose=entry.purpose_category_label,
            allowed=entry.allowed,
            outcome=entry.outcome_text,
            duration_seconds=entry.duration_seconds,
        )
        for entry in access_entries_for_owner(owner=owner, events=events.iterator(), time_zone=time_zone)
    ]


def export_live_views(owner: "User", time_zone: str) -> list[Row]:
    """Live views police opened on the owner's cameras (the sessions behind the log's
    live_start and live_end events)."""
    sessions = LiveSession.objects.filter(camera__site__owner=owner).select_related("camera").order_by("started_at")
    return [
        _row(
            time_zone,
            camera_id=session.camera.public_id if session.camera else None,
            started_at=session.started_at,
            ended_at=session.ended_at,
            end_reason=session.end_reason,
        )
        for session in sessions
    ]


def export_footage_requests(owner: "User", time_zone: str) -> list[Row]:
    """Each footage request sent to the owner, one row per camera it named, with the
    owner's answer (their reason for declining included: police never see it)."""
    requests = (
        OwnerRequest.objects.filter(owner=owner)
        .select_related("request__purpose")
        .prefetch_related("answers__camera")
        .order_by("created_at")
    )
    return [
        _row(
            time_zone,
            request_id=owner_request.public_id,
            case_number=owner_request.request.purpose.case_number,
            message=owner_request.request.message,
            window_start=owner_request.request.window_start,
            window_end=owner_request.request.window_end,
            received_at=owner_request.created_at,
            expires_at=owner_request.request.expires_at,
            camera_id=answer.camera.public_id if answer.camera else None,
            camera_label=answer.camera.label if answer.camera else "",
            answer=answer.answer,
            decline_reason=answer.decline_reason,
            answered_at=answer.answered_at,
        )
        for owner_request in requests
        for answer in owner_request.answers.all()
    ]


def export_clips(owner: "User", time_zone: str) -> list[Row]:
    """The clips the owner sent: name, size, fingerprint, when, and whether the department
    still holds them. The video itself is not in the export."""
    clips = (
        Clip.objects.filter(answer__owner_request__owner=owner)
        .select_related("request__purpose", "answer__owner_request")
        .order_by("uploaded_at")
    )
    return [
        _row(
            time_zone,
            clip_id=clip.public_id,
            request_id=clip.answer.owner_request.public_id,
            case_number=clip.request.purpose.case_number,
            original_name=clip.original_name,
            size_bytes=clip.size,
            sha256=clip.sha256,
            container=clip.container,
            uploaded_at=clip.uploaded_at,
            legal_hold=clip.held,
            deleted_at=clip.purged_at,
        )
        for clip in clips
    ]


def export_messages(owner: "User", time_zone: str) -> list[Row]:
    """Every message between police and the owner, one row per message in thread order:
    the camera, the officer as the owner sees them (badge or role), who wrote it, the text,
    the case, when it was sent and read, and the contact details a reply shared."""
    return [
        _row(
            time_zone,
            thread_id=thread.public_id,
            camera=thread.camera.public_id if thread.camera else None,
            officer=officer_words(thread.officer),
            message_id=message.public_id,
            sender=message.sender,
            body=message.body,
            case_number=message.case_number,
            sent_at=message.created_at,
            read_at=message.read_at,
            shared_contact=message.shared_contact if message.shares_contact else None,
        )
        for thread in owner_threads_with_messages(owner=owner)
        for message in thread.messages.all()
    ]


# The export's sections, in order. To add one: write ``export_<name>(owner, time_zone)``
# above (scoped to the owner, a fixed number of queries) and name it here.
SECTIONS: dict[str, Section] = {
    "account": export_account,
    "sites": export_sites,
    "cameras": export_cameras,
    "consent_history": export_consent_history,
    "access_events": export_access_events,
    "live_views": export_live_views,
    "footage_requests": export_footage_requests,
    "clips": export_clips,
    "messages": export_messages,
}


@dataclass(frozen=True)
class DeletionPreview:
    """What deleting the account would do, for the confirmation page."""

    sites: int
    cameras: int
    live_views: int  # open now: they end at once
    bridges: int
    footage: FootageDeparture
    access_events: int  # stay in the log, naming the owner only by a number
    message_threads: int  # conversations with police: they go, the officer's copy too


def account_deletion_preview(*, owner: "User") -> DeletionPreview:
    counted = counts(
        sites=Site.objects.filter(owner=owner),
        cameras=Camera.objects.filter(site__owner=owner),
        live_views=LiveSession.objects.filter(camera__site__owner=owner, ended_at__isnull=True),
        bridges=Bridge.objects.filter(site__owner=owner, revoked_at__isnull=True),
        access_events=events_for_owner(owner_id=owner.pk),
        message_threads=threads_of_owner(owner=owner),
    )
    return DeletionPreview(footage=owner_footage_preview(owner=owner), **counted)
