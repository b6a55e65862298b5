"""An owner's "Pause all", "Revoke all" and "Resume all", and pauses that end by themselves.

Each pause or revocation of all cameras is a ``Suspension`` that remembers, camera by camera,
what it changed and how it was (``SuspensionItem``). Resuming restores exactly that:

- a revoked grant gets back its level, schedule, expiry, live minutes and e-mail flag as they
  were (an expiry that has passed meanwhile stays passed: the gate still says "expired");
- a paused camera becomes active again.

A camera the owner changed after the suspension (consent saved, revoked again on its own page,
resumed or paused by hand) is left as the owner left it: the owner's later word wins.

Pausing and revoking take effect at once: the camera's open live views are told to re-check
(``camera_changed``) and end. A timed pause keeps the cameras paused (the gate refuses) until
``suspensions_expire`` resumes it; the beat runs that every minute, so a pause may outlast its
end by up to a minute, never the other way round.

Every change is saved through simple-history with the owner as the history user, like the
other consent services; nothing here is a police action, so nothing goes to the access log.
"""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from .events import camera_changed, site_changed
from .models import Camera, CameraStatus, ConsentGrant, Suspension, SuspensionItem, SuspensionKind

if TYPE_CHECKING:
    from accounts.models import User

__all__ = [
    "PAUSE_DURATIONS",
    "ResumeResult",
    "cameras_pause_all",
    "consents_revoke_all",
    "suspensions_expire",
    "suspensions_open",
    "suspensions_resume_all",
]

#: The timed pauses an owner may choose, by form value; None pauses until resumed.
PAUSE_DURATIONS: dict[str, dt.timedelta | None] = {
    "until_resumed": None,
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
}

_GRANT_FIELDS = ("level", "windows", "expires_at", "max_live_minutes", "notify_on_access", "granted_at")
_INSTANTS = ("expires_at", "granted_at")


@dataclass(frozen=True)
class ResumeResult:
    restored: int  # cameras back as they were
    kept: int  # cameras the owner changed meanwhile, left as they are


def _save(instance: Any, actor: "User", reason: str) -> None:
    instance._history_user = actor
    instance._change_reason = reason  # simple-history's hook; kept in English: a record, not a message
    instance.full_clean()
    instance.save()


def _grant_before(grant: ConsentGrant) -> dict[str, Any]:
    before: dict[str, Any] = {name: getattr(grant, name) for name in _GRANT_FIELDS}
    for name in _INSTANTS:
        before[name] = before[name].isoformat() if before[name] is not None else None
    return before


def _grant_matches(grant: ConsentGrant, before: dict[str, Any]) -> bool:
    return _grant_before(grant) == before


def _sites_changed(site_ids: set[int]) -> None:
    """Tell compliance (cameras.events.site_changed) that these sites' consent or cameras changed,
    as a single camera's change does: "Revoke all" once left the stored judgement "Compliant"."""
    for site_id in sorted(site_ids):
        site_changed(site_id=site_id)


def consents_revoke_all(*, owner: "User") -> int:
    """Withdraw the consent of every camera of the owner that has one in force, at once.
    Returns how many; a grant already revoked is left out (and stays revoked on resume)."""
    now = timezone.now()
    with transaction.atomic():
        grants = list(
            ConsentGrant.objects.select_for_update(of=("self",))
            .select_related("camera")
            .filter(camera__site__owner=owner, revoked_at__isnull=True)
            .order_by("pk")
        )
        if not grants:
            return 0
        suspension = Suspension.objects.create(owner=owner, kind=SuspensionKind.REVOKE, started_at=now)
        for grant in grants:
            before = _grant_before(grant)
            grant.revoked_at = now
            _save(grant, owner, "Revoke all")
            SuspensionItem.objects.create(suspension=suspension, camera=grant.camera, before=before, marker=now)
            camera_changed(camera_public_id=grant.camera.public_id)
        _sites_changed({grant.camera.site_id for grant in grants})
    return len(grants)


def cameras_pause_all(*, owner: "User", duration: dt.timedelta | None = None) -> int:
    """Pause every active camera of the owner at once, until resumed or for ``duration``.
    Returns how many; a camera already paused is left out (and stays paused on resume)."""
    now = timezone.now()
    if duration is not None and duration <= dt.timedelta(0):
        raise ValueError("a pause lasts a positive time")
    with transaction.atomic():
        cameras = list(
            Camera.objects.select_for_update().filter(site__owner=owner, status=CameraStatus.ACTIVE).order_by("pk")
        )
        if not cameras:
            return 0
        suspension = Suspension.objects.create(
            owner=owner,
            kind=SuspensionKind.PAUSE,
            started_at=now,
            ends_at=now + duration if duration is not None else None,
        )
        for camera in cameras:
            camera.status = CameraStatus.PAUSED
            _save(camera, owner, "Pause all")
            SuspensionItem.objects.create(
                suspension=suspension, camera=camera, before={"status": CameraStatus.ACTIVE}, marker=now
            )
            camera_changed(camera_public_id=camera.public_id)
        _sites_changed({camera.site_id for camera in cameras})
    return len(cameras)


def suspensions_open(*, owner: "User") -> list[Suspension]:
    """The owner's pauses and revocations of all cameras that are not resumed yet, newest first."""
    return list(Suspension.objects.filter(owner=owner, resumed_at__isnull=True).order_by("-started_at"))


def _restore_grant(item: SuspensionItem, owner: "User", reason: str) -> bool:
    grant = ConsentGrant.objects.select_for_update().filter(camera_id=item.camera_id).first()
    # Revoked at another instant, or un-revoked: the owner changed this consent since.
    if grant is None or grant.revoked_at != item.marker:
        return False
    if not _grant_matches(grant, item.before):
        return False
    before = item.before
    grant.level = before["level"]
    grant.windows = before["windows"]
    grant.expires_at = dt.datetime.fromisoformat(before["expires_at"]) if before["expires_at"] else None
    grant.max_live_minutes = before["max_live_minutes"]
    grant.notify_on_access = before["notify_on_access"]
    grant.granted_at = dt.datetime.fromisoformat(before["granted_at"])
    grant.revoked_at = None
    _save(grant, owner, reason)
    return True


def _restore_camera(item: SuspensionItem, started_at: dt.datetime, owner: "User", reason: str) -> bool:
    camera = Camera.objects.select_for_update().filter(pk=item.camera_id).first()
    if camera is None or camera.status != CameraStatus.PAUSED:
        return False
    # Resumed by hand since the pause (and perhaps paused again): the owner's later word wins.
    if Camera.history.filter(id=camera.pk, history_date__gt=started_at).exclude(status=CameraStatus.PAUSED).exists():
        return False
    camera.status = item.before.get("status", CameraStatus.ACTIVE)
    _save(camera, owner, reason)
    return True


def _resume(suspension: Suspension, *, by_timer: bool) -> ResumeResult:
    owner = suspension.owner
    reason = "Pause ended by itself" if by_timer else "Resume all"
    restored = kept = 0
    changed_sites: set[int] = set()
    for item in suspension.items.select_related("camera").order_by("pk"):
        if suspension.kind == SuspensionKind.REVOKE:
            done = _restore_grant(item, owner, reason)
        else:
            done = _restore_camera(item, suspension.started_at, owner, reason)
        item.outcome = "restored" if done else "changed"
        item.save(update_fields=["outcome"])
        if done:
            restored += 1
            camera_changed(camera_public_id=item.camera.public_id)
            changed_sites.add(item.camera.site_id)
        else:
            kept += 1
    _sites_changed(changed_sites)
    suspension.resumed_at = timezone.now()
    suspension.resumed_by_timer = by_timer
    suspension.save(update_fields=["resumed_at", "resumed_by_timer"])
    return ResumeResult(restored=restored, kept=kept)


def suspensions_resume_all(*, owner: "User") -> ResumeResult:
    """Undo every open "Pause all" and "Revoke all" of the owner, oldest first, restoring
    each camera as it was before, except those the owner changed since."""
    restored = kept = 0
    with transaction.atomic():
        for suspension in (
            Suspension.objects.select_for_update(of=("self",))
            .select_related("owner")
            .filter(owner=owner, resumed_at__isnull=True)
            .order_by("started_at", "pk")
        ):
            result = _resume(suspension, by_timer=False)
            restored, kept = restored + result.restored, kept + result.kept
    return ResumeResult(restored=restored, kept=kept)


def suspensions_expire(*, now: dt.datetime | None = None) -> int:
    """Resume the timed pauses whose end has come (the beat calls it every minute, in every
    department). Idempotent: a pause is resumed once. Returns how many pauses ended."""
    now = now or timezone.now()
    ended = 0
    with transaction.atomic():
        for suspension in (
            Suspension.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("owner")
            .filter(resumed_at__isnull=True, ends_at__lte=now)
            .order_by("ends_at", "pk")
        ):
            _resume(suspension, by_timer=True)
            ended += 1
    return ended
