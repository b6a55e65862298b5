"""Bridges and live sessions. The gate decides (cameras.access); these services keep state."""

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from bridge import protocol
from cameras import access, events
from cameras.models import Camera, Purpose, Site
from core.groups import group_send_on_commit, group_send_quietly
from tenants.selectors import department_current, policy_current

from .models import Bridge, EndReason, LiveSession

if TYPE_CHECKING:
    from accounts.models import User

MAX_VIEWS_PER_OFFICER = 9


# An open view's consumer writes its heartbeat (and counters) this often (seconds), not at
# every re-check: the re-checks run several times a second and need only read.
VIEW_HEARTBEAT_SECONDS = 5.0


def heartbeat_stale_after() -> dt.timedelta:
    """A view whose consumer has not written a heartbeat for this long lost its process.
    Consumers write one at least every VIEW_HEARTBEAT_SECONDS."""
    seconds = getattr(settings, "PORCHLIGHT_LIVE_STALE_SECONDS", None)
    if seconds is None:
        seconds = max(60.0, 6 * VIEW_HEARTBEAT_SECONDS)
    return dt.timedelta(seconds=seconds)


def bridge_heartbeat_seconds() -> float:
    """How often an open bridge connection notes that it was seen (Bridge.last_seen_at)."""
    return float(getattr(settings, "PORCHLIGHT_LIVE_BRIDGE_HEARTBEAT_SECONDS", 60.0))


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


camera_group = events.camera_group  # frames and "re-check" pushes share the camera's group


def bridge_group(schema: str, bridge_public_id: Any) -> str:
    return f"bridge.{schema}.{bridge_public_id}"


@dataclass(frozen=True)
class IssuedBridge:
    bridge: Bridge
    token: str  # shown once to the owner


def bridge_token_new() -> str:
    """A new raw bridge token (its SHA-256 is stored, never the token; live.pairing reissues one)."""
    return "plb_" + secrets.token_urlsafe(32)


def bridge_create(*, owner: "User", site: Site, name: str, cameras: list[Camera]) -> IssuedBridge:
    """Create a bridge for some of the owner's cameras on one site; returns its token once."""
    if site.owner_id != owner.pk:
        raise Site.DoesNotExist
    if not name.strip():
        raise ValidationError({"name": [_("Give the bridge a name, e.g. 'Garage NVR'.")]})
    foreign = [c for c in cameras if c.site_id != site.pk]
    if foreign or not cameras:
        raise ValidationError({"cameras": [_("Choose one or more cameras of this property.")]})
    raw = bridge_token_new()
    with transaction.atomic():
        bridge = Bridge(site=site, name=name.strip(), token_prefix=raw[:10], token_digest=_digest(raw))
        bridge._history_user = owner  # type: ignore[attr-defined]
        bridge.save()
        bridge.cameras.set(cameras)
        events.site_changed(site_id=site.pk)
    return IssuedBridge(bridge=bridge, token=raw)


def bridge_cameras_set(*, owner: "User", bridge_public_id: Any, camera_public_ids: list[str]) -> Bridge:
    """Change which cameras of its property a bridge serves; it keeps its token.

    Only cameras of the bridge's own site (so of this owner) can be chosen: an id of another
    owner's camera, another site's or a malformed one is refused, naming the field, and
    nothing changes. A connected bridge is told at once (live.consumers: cameras taken off
    are stopped and relayed no more). Bridge.DoesNotExist: no such bridge of this owner.
    """
    bridge_uuid = _uuid_or_none(bridge_public_id)
    if bridge_uuid is None:
        raise Bridge.DoesNotExist
    parsed = [_uuid_or_none(c) for c in camera_public_ids]
    wanted = {c for c in parsed if c is not None}
    with transaction.atomic():
        bridge = (
            Bridge.objects.select_for_update(of=("self",))
            .select_related("site")
            .get(public_id=bridge_uuid, site__owner=owner, revoked_at__isnull=True)
        )
        cameras = list(Camera.objects.filter(site=bridge.site, public_id__in=wanted))
        if not cameras or None in parsed or len(cameras) != len(wanted):
            raise ValidationError({"cameras": [_("Choose one or more cameras of this property.")]})
        bridge.cameras.set(cameras)
        bridge._history_user = owner  # type: ignore[attr-defined]
        bridge.save()  # a history row: who changed the bridge, and when
        group = bridge_group(department_current().schema_name, bridge.public_id)
        group_send_on_commit(group, {"type": "bridge.cameras"})
        events.site_changed(site_id=bridge.site_id)
    return bridge


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def bridge_revoke(*, owner: "User", bridge: Bridge) -> None:
    """Revoke a bridge's token; a connected bridge is disconnected at once."""
    with transaction.atomic():
        bridge = Bridge.objects.select_for_update().get(pk=bridge.pk, site__owner=owner)
        bridge.revoked_at = timezone.now()
        bridge._history_user = owner  # type: ignore[attr-defined]
        bridge.save()
        group = bridge_group(department_current().schema_name, bridge.public_id)
        group_send_on_commit(group, {"type": "bridge.revoked"})
        events.site_changed(site_id=bridge.site_id)


def bridge_authenticate(*, raw_token: str) -> Bridge | None:
    """The bridge a token belongs to, if not revoked (in the current schema)."""
    if not raw_token:
        return None
    return Bridge.objects.filter(token_digest=_digest(raw_token), revoked_at__isnull=True).first()


def bridge_seen(*, bridge_id: int) -> bool:
    """Note when the bridge was last seen connected, for its owner's page. Whether it is
    connected now is live.presence's heartbeat with an expiry, never a column here.

    False when its token was revoked meanwhile: the connection must close. The revocation's
    push (bridge_revoke) closes it at once, but pub/sub loses a push that arrives while the
    process's subscriber connection is down; this catches it at the next heartbeat."""
    return bool(Bridge.objects.filter(pk=bridge_id, revoked_at__isnull=True).update(last_seen_at=timezone.now()))


@dataclass(frozen=True)
class LiveStart:
    decision: access.Decision
    session: LiveSession | None = None
    bridge_ids: tuple[str, ...] = ()


def _live() -> QuerySet[LiveSession]:
    """Open views whose consumer is alive: one that lost its process (no heartbeat) neither
    counts toward an officer's limit nor keeps a bridge streaming, even before the sweep."""
    since = timezone.now() - heartbeat_stale_after()
    return LiveSession.objects.filter(ended_at__isnull=True).filter(
        Q(heartbeat_at__gte=since) | Q(heartbeat_at__isnull=True, started_at__gte=since)
    )


def live_session_start(*, actor: access.Actor, purpose: Purpose | None, camera_public_id: Any) -> LiveStart:
    """Ask the gate for a live view and, if allowed, open the session in the same transaction."""
    with transaction.atomic():
        # A flood of connections from one account is refused (and logged): a wall shows nine.
        open_views = _live().filter(officer_id=actor.user.pk).count()
        decision, camera = access.camera_lookup(
            actor=actor,
            purpose=purpose,
            public_id=camera_public_id,
            action=Action.LIVE_START,
            extra_denial=access.Refusal.TOO_MANY_LIVE_VIEWS if open_views >= MAX_VIEWS_PER_OFFICER else None,
        )
        if camera is None or purpose is None:
            return LiveStart(decision)
        seconds = live_limit_seconds(camera=camera)
        now = timezone.now()
        session = LiveSession.objects.create(
            officer=actor.user,
            camera=camera,
            camera_ref=f"camera:{camera.public_id}",
            purpose=purpose,
            limit_seconds=seconds,
            ends_at=now + dt.timedelta(seconds=seconds),
            start_event_seq=decision.event_seq,
            heartbeat_at=now,
        )
        bridges = tuple(
            str(b) for b in camera.bridges.filter(revoked_at__isnull=True).values_list("public_id", flat=True)
        )
    return LiveStart(decision, session, bridges)


def live_limit_seconds(*, camera: Camera) -> int:
    """How long one period of a live view of this camera may last now: the department's
    limit, or the owner's if shorter."""
    policy = policy_current()
    minutes = policy.live_view_limit_minutes
    grant = getattr(camera, "consent", None)
    if grant is not None and grant.max_live_minutes:
        minutes = min(minutes, grant.max_live_minutes)
    return int(minutes * 60)


def live_session_extend(*, actor: access.Actor, session_id: int, reason: str) -> tuple[access.Decision, LiveSession]:
    """Another period, never beyond policy: a new gate decision, logged as live_extend.

    The gate checks role, MFA and purpose; the owner's consent for live view is checked
    here at this instant (access.live_allowed_now) and handed to the gate as its refusal,
    so an extension is refused, and logged as refused, as a new live view would be.
    """
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you need more time.")]})
    with transaction.atomic():
        # The session row first, then the audit lock (the gate's event), as live_session_end
        # does: the other order let an extension and an end deadlock.
        session = (
            LiveSession.objects.select_for_update(of=("self",))
            .select_related("purpose", "camera__site", "camera__consent")
            .get(pk=session_id, officer=actor.user)
        )
        camera = session.camera
        problem: str | None
        if session.ended_at is not None:
            problem = access.Refusal.LIVE_VIEW_ENDED
        elif camera is None:
            problem = access.Refusal.NOT_FOUND
        else:
            problem = access.live_allowed_now(camera=camera, purpose=session.purpose, user=actor.user)
        extension = session.extensions + 1
        decision = access.authorize(
            actor=actor,
            action=Action.LIVE_EXTEND,
            purpose=session.purpose,
            camera=camera,
            quantity=session.limit_seconds,
            quantity_unit="seconds",
            details={"extension": extension, "reason": reason.strip()[:500]},
            extra_denial=problem,
        )
        if decision.allowed:
            LiveSession.objects.filter(pk=session.pk).update(
                ends_at=timezone.now() + dt.timedelta(seconds=session.limit_seconds), extensions=extension
            )
    session.refresh_from_db()
    return decision, session


@dataclass(frozen=True)
class SessionCheck:
    reason: str | None  # None: the view may go on
    recheck_at: dt.datetime | None = None  # when it must be checked again at the latest


# Why the gate would now refuse the view (access.live_view_denial) -> how the view ends.
# A reason not listed is the owner's consent (revoked, paused, expired, outside the window,
# lowered, or the camera gone).
_END_FOR_DENIAL: dict[str, str] = {
    access.Refusal.ROLE_NOT_PERMITTED: EndReason.ROLE,
    access.Refusal.PURPOSE_NOT_YOURS: EndReason.ROLE,
    access.Refusal.ACCOUNT_INACTIVE: EndReason.ACCOUNT,
    access.Refusal.MFA_REQUIRED: EndReason.MFA,
    access.Refusal.PURPOSE_REQUIRED: EndReason.PURPOSE,
    access.Refusal.PURPOSE_EXPIRED: EndReason.PURPOSE,
    access.Refusal.PROHIBITED_PURPOSE: EndReason.POLICY,
    access.Refusal.UNKNOWN_PURPOSE_CATEGORY: EndReason.POLICY,
    access.Refusal.RESIDENTIAL_LIVE_VIEW_DISALLOWED: EndReason.POLICY,
    access.Refusal.APPROVAL_REQUIRED: EndReason.POLICY,
}


def live_session_check(
    *, actor: access.Actor, session_id: int, frames: int = 0, bytes_sent: int = 0, heartbeat: bool = True
) -> SessionCheck:
    """Whether a live view may go on, and until when at most without news.

    Asks the gate again (access.live_view_denial), without logging, with the actor as the
    session the view was opened with shows it now (signed out: an anonymous user), so every
    condition checked at the start is checked again: role, account, MFA, purpose and its
    expiry, department policy, the owner's consent; and the time limit, with the policy's
    and the owner's limits as they are now. Nothing is written unless ``heartbeat``: then
    the view's heartbeat and counters (a view whose heartbeat stops is ended by live.tasks).
    """
    now = timezone.now()
    if heartbeat:
        LiveSession.objects.filter(pk=session_id).update(
            heartbeat_at=now, frames=Greatest(F("frames"), frames), bytes_sent=Greatest(F("bytes_sent"), bytes_sent)
        )
    session = LiveSession.objects.select_related("officer", "purpose", "camera__site", "camera__consent").get(
        pk=session_id
    )
    if session.ended_at is not None:
        return SessionCheck(session.end_reason or EndReason.OWNER_ENDED)
    user = actor.user
    if not getattr(user, "is_authenticated", False) or user.pk != session.officer_id:
        # Deactivating an account also ends its sessions: say the more telling of the two.
        return SessionCheck(EndReason.SESSION if session.officer.is_active else EndReason.ACCOUNT)
    if session.camera is None:
        return SessionCheck(EndReason.CONSENT)
    # The period's end, with a limit the department or the owner shortened meanwhile.
    period_start = session.ends_at - dt.timedelta(seconds=session.limit_seconds)
    ends_at = min(session.ends_at, period_start + dt.timedelta(seconds=live_limit_seconds(camera=session.camera)))
    if now >= ends_at:
        return SessionCheck(EndReason.TIME_LIMIT)
    denial = access.live_view_denial(actor=actor, camera=session.camera, purpose=session.purpose)
    if denial is not None:
        return SessionCheck(_END_FOR_DENIAL.get(denial, EndReason.CONSENT))
    until = access.live_allowed_until(camera=session.camera, purpose=session.purpose)
    return SessionCheck(None, min(t for t in (ends_at, session.purpose.expires_at, until) if t is not None))


def live_session_end(
    *, actor: access.Actor | None, session_id: int, reason: str, frames: int = 0, bytes_sent: int = 0
) -> bool:
    """End a session and log its one live_end; later calls only update the counters.
    Returns whether this call logged it.

    A session the owner ended (end_pending) keeps the owner's time and reason: this call,
    normally the viewer's consumer with its real counters, only logs it."""
    with transaction.atomic():
        session = (
            LiveSession.objects.select_for_update(of=("self",))
            .select_related("officer", "purpose", "camera__site", "camera__consent")
            .get(pk=session_id)
        )
        frames, bytes_sent = max(frames, session.frames), max(bytes_sent, session.bytes_sent)
        if session.ended_at is not None and not session.end_pending:
            LiveSession.objects.filter(pk=session_id).update(frames=frames, bytes_sent=bytes_sent)
            return False
        ended_at = session.ended_at or timezone.now()
        reason = session.end_reason if session.end_pending else reason
        LiveSession.objects.filter(pk=session_id).update(
            ended_at=ended_at, end_reason=reason, end_pending=False, frames=frames, bytes_sent=bytes_sent
        )
        access.live_end_record(
            actor=actor or access.Actor(user=session.officer, mfa=True),
            purpose=session.purpose,
            camera=session.camera,
            camera_ref=session.camera_ref,
            reason=reason,
            seconds=int((ended_at - session.started_at).total_seconds()),
            bytes_sent=bytes_sent,
            start_event_seq=session.start_event_seq,
        )
    return True


def live_sessions_active(*, camera_id: int) -> int:
    """Views of the camera someone is still watching (the bridge streams while there is one)."""
    return _live().filter(camera_id=camera_id).count()


def live_sessions_watched(*, cameras: QuerySet[Camera]) -> list[Any]:
    """Public ids of those cameras someone is watching now (a reconnecting bridge resumes them)."""
    return list(_live().filter(camera__in=cameras).values_list("camera__public_id", flat=True).distinct())


def live_session_owner_end(*, owner: "User", session_public_id: Any) -> LiveSession:
    """The owner presses "End live view": the session ends now and the viewer is told at once.

    Its live_end is logged by the viewer's consumer when it closes, with the frames and
    bytes it sent (only it knows them); a view whose consumer is gone is logged by
    live.tasks.live_sessions_sweep.
    """
    with transaction.atomic():
        session = (
            LiveSession.objects.select_for_update(of=("self",))
            .select_related("camera")
            .get(public_id=session_public_id, camera__site__owner=owner, ended_at__isnull=True)
        )
        LiveSession.objects.filter(pk=session.pk).update(
            ended_at=timezone.now(), end_reason=EndReason.OWNER_ENDED, end_pending=True
        )
        if session.camera is not None:
            events.camera_changed(camera_public_id=session.camera.public_id)
    session.refresh_from_db()
    return session


@dataclass(frozen=True)
class Sweep:
    ended: int  # sessions whose live_end this sweep logged


def live_sessions_sweep() -> Sweep:
    """End what a dead process left behind, in the current department; idempotent.

    - an open view past its time limit or without a recent heartbeat: ended (time_limit,
      lost) with the counters of its last heartbeat, and its live_end logged;
    - a view the owner ended whose consumer never logged the end: logged now.

    The grace period (heartbeat_stale_after) leaves a living consumer time to do it
    itself, with its own counters. Bridges of cameras nobody watches any more are told to
    stop.
    """
    now = timezone.now()
    grace = heartbeat_stale_after()
    cutoff = now - grace
    open_ = LiveSession.objects.filter(ended_at__isnull=True)
    expired = list(open_.filter(ends_at__lt=cutoff).values_list("pk", flat=True))
    lost = list(
        open_.exclude(pk__in=expired)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))
        .values_list("pk", flat=True)
    )
    pending = list(LiveSession.objects.filter(end_pending=True, ended_at__lt=cutoff).values_list("pk", flat=True))
    ended = 0
    for reason, ids in ((EndReason.TIME_LIMIT, expired), (EndReason.LOST, lost), (EndReason.OWNER_ENDED, pending)):
        for pk in ids:
            ended += live_session_end(actor=None, session_id=pk, reason=reason)
    cameras = set(LiveSession.objects.filter(pk__in=expired + lost + pending).values_list("camera_id", flat=True))
    schema = department_current().schema_name
    for camera in Camera.objects.filter(pk__in=cameras).prefetch_related("bridges"):
        if live_sessions_active(camera_id=camera.pk) == 0:
            for bridge in camera.bridges.all():
                if bridge.revoked_at is None:
                    # Now, not after a commit: each end above committed on its own. A relay
                    # outage must not stop the sweep; a bridge stops all on reconnect.
                    group_send_quietly(
                        bridge_group(schema, bridge.public_id),
                        {"type": "bridge.command", "command": {"type": protocol.STOP, "camera": str(camera.public_id)}},
                    )
    return Sweep(ended=ended)


def owner_live_close(*, owner: "User") -> int:
    """Everything live of an owner who is leaving (their account is being deleted), in the
    caller's transaction: each open view of their cameras ends now, through the owner's
    own "End live view" (the viewer is told at once, its live_end logged with its real
    counters), and each bridge of theirs is revoked (a connected one is disconnected after
    the commit). Returns the number of views ended."""
    ended = 0
    sessions = LiveSession.objects.filter(camera__site__owner=owner, ended_at__isnull=True)
    for public_id in list(sessions.values_list("public_id", flat=True)):
        live_session_owner_end(owner=owner, session_public_id=public_id)
        ended += 1
    for bridge in Bridge.objects.filter(site__owner=owner, revoked_at__isnull=True):
        bridge_revoke(owner=owner, bridge=bridge)
    return ended


def bridges_history_erase(*, site_ids: list[int]) -> None:
    """Erase the names (the owner's own words) from the history of the bridges of deleted
    sites; the rest (when made, revoked) is not personal."""
    Bridge.history.filter(site_id__in=site_ids).update(name="")
