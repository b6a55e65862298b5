"""Reads on the registry for owners (staff reads go through cameras/access/)."""

import datetime as dt
import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tenants.models import DepartmentPolicy

from .consent import ConsentLevel, GrantState, Window, level_at_least
from .models import Camera, CameraStatus, ConsentGrant, Site, SiteKind

if TYPE_CHECKING:
    from accounts.models import User


def sites_of_owner(*, owner: "User") -> QuerySet[Site]:
    return Site.objects.filter(owner=owner).prefetch_related("cameras__consent").order_by("created_at")


def site_of_owner(*, owner: "User", public_id: Any) -> Site:
    """The owner's site; another owner's id raises Site.DoesNotExist like a missing one."""
    return Site.objects.get(owner=owner, public_id=public_id)


def cameras_of_owner(*, owner: "User") -> QuerySet[Camera]:
    return (
        Camera.objects.filter(site__owner=owner)
        .select_related("site", "consent")
        .order_by("site__created_at", "created_at")
    )


def camera_of_owner(*, owner: "User", public_id: Any) -> Camera:
    return Camera.objects.select_related("site", "consent").get(site__owner=owner, public_id=public_id)


def cameras_notifying_on_access(
    *, public_ids: Collection[uuid.UUID], owner_ids: Collection[int], always: bool = False
) -> QuerySet[Camera]:
    """Cameras among ``public_ids``, of the owners ``owner_ids``, whose owner asked to be
    e-mailed whenever police access them (for the access notices); with ``always``, every
    such camera (an emergency live view is always told to the owner afterwards)."""
    cameras = Camera.objects.filter(public_id__in=public_ids, site__owner_id__in=owner_ids)
    if not always:
        cameras = cameras.filter(consent__notify_on_access=True)
    return cameras.select_related("site__owner").order_by("site__owner_id", "created_at")


def windows_from_json(raw: list[dict[str, Any]]) -> tuple[Window, ...]:
    return tuple(
        Window(
            day=int(w["day"]),
            start=dt.time.fromisoformat(w["start"]),
            end=dt.time.fromisoformat(w["end"]),
            next_day=bool(w.get("next_day", False)),
        )
        for w in raw
    )


def windows_to_json(windows: tuple[Window, ...] | list[Window]) -> list[dict[str, Any]]:
    return [
        {"day": w.day, "start": w.start.strftime("%H:%M"), "end": w.end.strftime("%H:%M"), "next_day": w.next_day}
        for w in windows
    ]


def grant_state(*, camera: Camera, time_zone: str) -> GrantState | None:
    """The camera's consent as the pure consent function sees it."""
    grant: ConsentGrant | None = getattr(camera, "consent", None)
    if grant is None:
        return None
    return grant_state_of(
        level=grant.level,
        windows=grant.windows,
        expires_at=grant.expires_at,
        revoked_at=grant.revoked_at,
        paused=camera.status == CameraStatus.PAUSED,
        time_zone=time_zone,
    )


def grant_state_of(
    *,
    level: str,
    windows: list[dict[str, Any]],
    expires_at: dt.datetime | None,
    revoked_at: dt.datetime | None,
    paused: bool,
    time_zone: str,
) -> GrantState:
    """The same from plain values (search results are rows, not model instances)."""
    return GrantState(
        level=level,
        time_zone=time_zone,
        windows=windows_from_json(windows),
        expires_at=expires_at,
        revoked_at=revoked_at,
        paused=paused,
    )


LEVEL_SENTENCES = {
    ConsentLevel.REGISTERED: gettext_lazy(
        "Police know your camera exists and can message you. They cannot ask for footage or watch."
    ),
    ConsentLevel.ON_REQUEST: gettext_lazy("Police can ask you for footage; they cannot watch live."),
    ConsentLevel.LIVE_EXIGENT: gettext_lazy(
        "Police can ask you for footage, and watch live only during an emergency; you are told afterwards."
    ),
    ConsentLevel.LIVE: gettext_lazy(
        "Police can ask you for footage and watch live for a stated purpose, within your schedule."
    ),
}


# Cameras at these kinds of property are never watched live unless the policy allows it.
RESIDENTIAL_KINDS = frozenset({SiteKind.RESIDENTIAL, SiteKind.MULTIFAMILY})


def site_live_view_barred(*, site: Site, policy: DepartmentPolicy | None) -> bool:
    """Whether department policy rules out live view of the site's cameras, whatever their consent."""
    return policy is not None and site.kind in RESIDENTIAL_KINDS and not policy.residential_live_view_allowed


def consent_sentence(*, level: str, revoked: bool = False, paused: bool = False) -> str:
    """The plain-words preview shown beside the consent form."""
    if revoked:
        return str(_("You withdrew consent: police only know the camera exists and can message you."))
    if paused:
        return str(_("Paused: police only know the camera exists and can message you."))
    return str(LEVEL_SENTENCES.get(ConsentLevel(level), ""))


_SHORT_DAYS = [
    pgettext_lazy("short weekday", "Mon"),
    pgettext_lazy("short weekday", "Tue"),
    pgettext_lazy("short weekday", "Wed"),
    pgettext_lazy("short weekday", "Thu"),
    pgettext_lazy("short weekday", "Fri"),
    pgettext_lazy("short weekday", "Sat"),
    pgettext_lazy("short weekday", "Sun"),
]
_DAY_SETS = {
    frozenset(range(7)): gettext_lazy("every day"),
    frozenset(range(5)): gettext_lazy("weekdays"),
    frozenset({5, 6}): gettext_lazy("weekends"),
}
_EN_DASH = "\u2013"


def schedule_summary(*, level: str, windows: list[dict[str, Any]], revoked: bool = False, paused: bool = False) -> str:
    """One line on "My cameras" saying when police may watch live, e.g. "Live view: weekdays
    08:00-18:00" (with an en dash); empty where they may not watch at all (level, withdrawn, paused).

    Windows with the same times are grouped by their days; a group of every day, Monday to
    Friday or the weekend is named so, others list the days ("Mon, Wed 09:00-12:00").
    """
    if revoked or paused or not level_at_least(level, ConsentLevel.LIVE_EXIGENT):
        return ""
    if not windows:
        return str(_("Live view: any time"))
    groups: dict[tuple[str, str, bool], set[int]] = {}
    for window in windows_from_json(windows):
        key = (window.start.strftime("%H:%M"), window.end.strftime("%H:%M"), window.next_day)
        groups.setdefault(key, set()).add(window.day)
    parts = []
    for (start, end, next_day), days in sorted(groups.items(), key=lambda item: (min(item[1]), item[0])):
        named = _DAY_SETS.get(frozenset(days))
        which = str(named) if named else ", ".join(str(_SHORT_DAYS[day]) for day in sorted(days))
        times = f"{start}{_EN_DASH}{end}"
        if next_day:
            times = str(_("%(times)s (overnight)") % {"times": times})
        parts.append(f"{which} {times}")
    return str(_("Live view: %(schedule)s") % {"schedule": "; ".join(parts)})


def cameras_by_consent_level(*, now: Any) -> dict[str, int]:
    """Registered cameras per consent level in force now; ``off`` for those whose consent is
    revoked, expired or paused by the owner (the public transparency page: counts only)."""
    from django.db.models import Count, Q

    off = Q(consent__revoked_at__isnull=False) | Q(consent__expires_at__lte=now) | Q(status=CameraStatus.PAUSED)
    counts = {str(level): 0 for level in ConsentLevel}
    levels = Camera.objects.filter(consent__isnull=False).exclude(off).values("consent__level").annotate(n=Count("pk"))
    for row in levels:
        counts[row["consent__level"]] = row["n"]
    counts["off"] = Camera.objects.filter(consent__isnull=False).filter(off).count()
    return counts
