"""Bridges and live sessions. The gate decides (cameras.access); these services keep state."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from cameras import access, events
from cameras.models import Camera, Purpose, Site
from tenants.models import DepartmentPolicy
from tenants.selectors import department_current

from .models import Bridge, EndReason, LiveSession

MAX_VIEWS_PER_OFFICER = 9


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


camera_group = events.camera_group  # frames and "re-check" pushes share the camera's group


def bridge_group(schema: str, bridge_public_id: Any) -> str:
    return f"bridge.{schema}.{bridge_public_id}"


@dataclass(frozen=True)
class IssuedBridge:
    bridge: Bridge
    token: str  # shown once to the owner


def bridge_create(*, owner: Any, site: Site, name: str, cameras: list[Camera]) -> IssuedBridge:
    """Create a bridge for some of the owner's cameras on one site; returns its token once."""
    if site.owner_id != owner.pk:
        raise Site.DoesNotExist
    if not name.strip():
        raise ValidationError({"name": [_("Give the bridge a name, e.g. 'Garage NVR'.")]})
    foreign = [c for c in cameras if c.site_id != site.pk]
    if foreign or not cameras:
        raise ValidationError({"cameras": [_("Choose one or more cameras of this property.")]})
    raw = "plb_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        bridge = Bridge(site=site, name=name.strip(), token_prefix=raw[:10], token_digest=_digest(raw))
        bridge._history_user = owner  # type: ignore[attr-defined]
        bridge.save()
        bridge.cameras.set(cameras)
    return IssuedBridge(bridge=bridge, token=raw)


def bridge_revoke(*, owner: Any, bridge: Bridge) -> None:
    """Revoke a bridge's token; a connected bridge is disconnected at once."""
    with transaction.atomic():
        bridge = Bridge.objects.select_for_update().get(pk=bridge.pk, site__owner=owner)
        bridge.revoked_at = timezone.now()
        bridge._history_user = owner  # type: ignore[attr-defined]
        bridge.save()
        group = bridge_group(department_current().schema_name, bridge.public_id)
        transaction.on_commit(lambda: _group_send(group, {"type": "bridge.revoked"}))


def bridge_authenticate(*, raw_token: str) -> Bridge | None:
    """The bridge a token belongs to, if not revoked (in the current schema)."""
    if not raw_token:
        return None
    return Bridge.objects.filter(token_digest=_digest(raw_token), revoked_at__isnull=True).first()


def bridge_presence(*, bridge_id: int, connected: bool) -> None:
    Bridge.objects.filter(pk=bridge_id).update(connected=connected, last_seen_at=timezone.now())


def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


@dataclass(frozen=True)
class LiveStart:
    decision: access.Decision
    session: LiveSession | None = None
    bridge_ids: tuple[str, ...] = ()
    first_viewer: bool = False


def live_session_start(*, actor: access.Actor, purpose: Purpose | None, camera_public_id: Any) -> LiveStart:
    """Ask the gate for a live view and, if allowed, open the session in the same transaction."""
    with transaction.atomic():
        # A flood of connections from one account is refused (and logged): a wall shows nine.
        open_views = LiveSession.objects.filter(officer_id=actor.user.pk, ended_at__isnull=True).count()
        decision, camera = access.camera_lookup(
            actor=actor,
            purpose=purpose,
            public_id=camera_public_id,
            action=Action.LIVE_START,
            extra_denial="too_many_live_views" if open_views >= MAX_VIEWS_PER_OFFICER else None,
        )
        if camera is None or purpose is None:
            return LiveStart(decision)
        policy = DepartmentPolicy.objects.get(department_id=department_current().pk)
        minutes = policy.live_view_limit_minutes
        if camera.consent.max_live_minutes:
            minutes = min(minutes, camera.consent.max_live_minutes)
        now = timezone.now()
        first = not LiveSession.objects.filter(camera=camera, ended_at__isnull=True).exists()
        session = LiveSession.objects.create(
            officer=actor.user,
            camera=camera,
            camera_ref=f"camera:{camera.public_id}",
            purpose=purpose,
            limit_seconds=minutes * 60,
            ends_at=now + dt.timedelta(minutes=minutes),
            start_event_seq=decision.event_seq,
        )
        bridges = tuple(
            str(b) for b in camera.bridges.filter(revoked_at__isnull=True).values_list("public_id", flat=True)
        )
    return LiveStart(decision, session, bridges, first)


def live_session_extend(*, actor: access.Actor, session_id: int, reason: str) -> tuple[access.Decision, LiveSession]:
    """Another period, never beyond policy: a new gate decision and a new event."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you need more time.")]})
    with transaction.atomic():
        # The session row first, then the audit lock (the gate's event), as live_session_end
        # does: the other order let an extension and an end deadlock.
        session = (
            LiveSession.objects.select_for_update(of=("self",))
            .select_related("purpose", "camera")
            .get(pk=session_id, officer=actor.user)
        )
        decision, camera = access.camera_lookup(
            actor=actor,
            purpose=session.purpose,
            public_id=session.camera.public_id if session.camera else None,
            action=Action.LIVE_START,
        )
        if camera is not None and session.ended_at is None:
            LiveSession.objects.filter(pk=session.pk).update(
                ends_at=timezone.now() + dt.timedelta(seconds=session.limit_seconds), extensions=session.extensions + 1
            )
    session.refresh_from_db()
    return decision, session


@dataclass(frozen=True)
class SessionCheck:
    reason: str | None  # None: the view may go on
    recheck_at: dt.datetime | None = None  # when it must be checked again at the latest


def live_session_check(*, session_id: int) -> SessionCheck:
    """Whether a live view may go on, and until when at most without news.

    Revocation, pause, deletion, owner's end and deactivation are pushed to the viewer;
    the time limit, the consent's expiry and the end of its schedule window are known in
    advance, so the viewer sleeps until the earliest of them.
    """
    session = LiveSession.objects.select_related("officer", "purpose", "camera__site", "camera__consent").get(
        pk=session_id
    )
    now = timezone.now()
    if session.ended_at is not None:
        return SessionCheck(session.end_reason or EndReason.OWNER_ENDED)
    if session.camera is None:
        return SessionCheck(EndReason.CONSENT)
    if now >= session.ends_at:
        return SessionCheck(EndReason.TIME_LIMIT)
    problem = access.live_allowed_now(camera=session.camera, purpose=session.purpose, user=session.officer)
    if problem == "account_inactive":
        return SessionCheck(EndReason.ACCOUNT)
    if problem is not None:
        return SessionCheck(EndReason.CONSENT)
    until = access.live_allowed_until(camera=session.camera, purpose=session.purpose)
    return SessionCheck(None, min(t for t in (session.ends_at, until) if t is not None))


def live_session_end(
    *, actor: access.Actor | None, session_id: int, reason: str, frames: int = 0, bytes_sent: int = 0
) -> bool:
    """End a session once and log live_end; later calls only update the counters.
    Returns whether this call ended it."""
    with transaction.atomic():
        session = (
            LiveSession.objects.select_for_update(of=("self",))
            .select_related("officer", "purpose", "camera__site", "camera__consent")
            .get(pk=session_id)
        )
        frames, bytes_sent = max(frames, session.frames), max(bytes_sent, session.bytes_sent)
        LiveSession.objects.filter(pk=session_id).update(frames=frames, bytes_sent=bytes_sent)
        if session.ended_at is not None:
            return False
        now = timezone.now()
        LiveSession.objects.filter(pk=session_id).update(ended_at=now, end_reason=reason)
        access.live_end_record(
            actor=actor or access.Actor(user=session.officer, mfa=True),
            purpose=session.purpose,
            camera=session.camera,
            camera_ref=session.camera_ref,
            reason=reason,
            seconds=int((now - session.started_at).total_seconds()),
            bytes_sent=bytes_sent,
            start_event_seq=session.start_event_seq,
        )
    return True


def live_sessions_active(*, camera_id: int) -> int:
    return LiveSession.objects.filter(camera_id=camera_id, ended_at__isnull=True).count()


def live_session_owner_end(*, owner: Any, session_public_id: Any) -> LiveSession:
    """The owner presses "End live view": the session ends now; the viewer's watchdog
    closes the socket within its interval."""
    session = LiveSession.objects.select_related("camera").get(
        public_id=session_public_id, camera__site__owner=owner, ended_at__isnull=True
    )
    with transaction.atomic():
        live_session_end(actor=None, session_id=session.pk, reason=EndReason.OWNER_ENDED)
        if session.camera is not None:
            events.camera_changed(camera_public_id=session.camera.public_id)
    return session
