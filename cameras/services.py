"""Writes on the registry: each service validates, runs in one transaction and records
the acting owner in history. Errors are ValidationError keyed by form field."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import erasure_record
from tenants.models import Department, DepartmentPolicy
from tenants.selectors import department_base_url, policy_of

from .consent import EXPIRY_HORIZON_YEARS, MAX_WINDOWS, ConsentLevel, Window, expiry_horizon, window_problems
from .events import camera_changed, site_changed, site_edited
from .exceptions import OutsideJurisdiction
from .geometry import fov_wedge
from .models import Camera, ConsentGrant, Site
from .selectors import windows_from_json, windows_to_json
from .site_status import sites_status

# Bulk pause/revoke live with their resume, which must know what they changed.
from .suspensions import cameras_pause_all as cameras_pause_all
from .suspensions import consents_revoke_all as consents_revoke_all

if TYPE_CHECKING:
    from accounts.models import User

_SITE_FIELDS = {
    "kind",
    "name",
    "address",
    "parcel_number",
    "permit_number",
    "business_name",
    "property_type",
    "constructed_on",
    "business_category",
    "units",
    "parking_spaces",
    "floor_area_sqft",
    "licence_renews_on",
    "share_contact",
    "police_notes",
}
_CAMERA_FIELDS = {
    "label",
    "camera_type",
    "placement",
    "mount_height_m",
    "bearing_deg",
    "fov_angle_deg",
    "range_m",
    "views",
    "resolution",
    "frame_rate",
    "recording_mode",
    "retention_days",
    "audio",
    "recorder_make",
    "recorder_model",
    "export_format",
    "snapshot",
}


def location_check(*, department: Department, lon: float, lat: float) -> Point:
    """A valid WGS 84 point inside the department's boundary, or a clear error.

    Outside the boundary, the error names the Porchlight department that covers the
    point, if any, with a link to its portal.
    """
    if not (-180 <= lon <= 180) or not (-90 <= lat <= 90):
        raise ValidationError(
            {"location": [_("Those coordinates are not on Earth: latitude -90 to 90, longitude -180 to 180.")]}
        )
    point = Point(lon, lat, srid=4326)
    if department.boundary is None or department.boundary.contains(point):
        return point
    other = Department.objects.exclude(pk=department.pk).filter(boundary__contains=point).first()
    if other is not None:
        raise OutsideJurisdiction(
            _("This address is outside %(here)s. It is served by %(other)s: register it on their portal.")
            % {"here": department.name, "other": other.name},
            other_name=other.name,
            other_url=department_base_url(other) + "/",
        )
    raise OutsideJurisdiction(
        _("This address is outside %(here)s, and no Porchlight department covers it yet.") % {"here": department.name}
    )


def _save(instance: Any, actor: "User") -> None:
    instance._history_user = actor
    instance.full_clean()
    instance.save()


def _camera_geometry(camera: Camera, location: Point) -> None:
    # Ranges first: a number out of range (say 400 digits) would overflow float() below
    # before full_clean() could name the field.
    camera.clean_fields(exclude=["site", "location", "fov", "snapshot"])
    camera.location = location
    camera.fov = fov_wedge(
        lon=location.x,
        lat=location.y,
        bearing=float(camera.bearing_deg),
        angle=float(camera.fov_angle_deg),
        range_m=float(camera.range_m),
    )


def site_create(*, owner: "User", department: Department, lon: float, lat: float, **fields: Any) -> Site:
    unknown = set(fields) - _SITE_FIELDS
    if unknown:
        raise TypeError(f"Not site fields: {sorted(unknown)}")
    location = location_check(department=department, lon=lon, lat=lat)
    with transaction.atomic():
        site = Site(owner=owner, location=location, **fields)
        _save(site, owner)
        site_changed(site_id=site.pk)
    return site


def site_update(
    *,
    owner: "User",
    site: Site,
    department: Department,
    lon: float | None = None,
    lat: float | None = None,
    **fields: Any,
) -> Site:
    """Change a site's details or move its pin (its cameras move with it). An edit that takes the
    site out of an ordinance's coverage is allowed and never silent: the listeners of
    cameras.events.site_edited (compliance) record and report it in this transaction, and the
    history row carries their note."""
    unknown = set(fields) - _SITE_FIELDS
    if unknown:
        raise TypeError(f"Not site fields: {sorted(unknown)}")
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk, owner=owner)
        reason = _ordinance_change_reason(site=site, department=department, fields=fields)
        before = {name: getattr(site, name) for name in fields}
        for name, value in fields.items():
            setattr(site, name, value)
        moved = lon is not None and lat is not None and (lon, lat) != (site.location.x, site.location.y)
        if moved and lon is not None and lat is not None:
            site.location = location_check(department=department, lon=lon, lat=lat)
        # Validated before the listeners hear of it: a refused edit takes no site out of coverage.
        site.clean_fields()
        notes = [*site_edited(site=site, before=before, actor=owner), reason]
        if any(notes):
            site._change_reason = _history_note(notes)  # type: ignore[attr-defined]  # simple-history's hook
        _save(site, owner)
        if moved:
            for camera in site.cameras.select_for_update():
                _camera_geometry(camera, site.location)
                _save(camera, owner)
        site_changed(site_id=site.pk)
    return site


# What an ordinance's coverage reads of a site (compliance.rules.SiteFacts).
COVERAGE_FIELDS = ("kind", "constructed_on", "business_category", "units", "parking_spaces", "floor_area_sqft")


def _ordinance_change_reason(*, site: Site, department: Department, fields: dict[str, Any]) -> str:
    """A note for the site's history when a site that an ordinance in force covers (compliance
    judges it, through cameras.site_status) changes what decides that it is covered (kind,
    construction date, business category, size): leaving an ordinance is allowed, never unseen.

    Kept in English: it is a record in the database, not a message to the user.
    """
    changed = [name for name in COVERAGE_FIELDS if name in fields and fields[name] != getattr(site, name)]
    if not changed:
        return ""
    policy = policy_of(department=department)
    status = sites_status(sites=[site], policy=policy, schema=department.schema_name, now=timezone.now())
    if status is None or not status[site.pk].covered:
        return ""
    details = "; ".join(f"{name} {getattr(site, name) or 'none'} -> {fields[name] or 'none'}" for name in changed)
    return f"Changed while subject to the ordinance: {details}"


#: simple-history's history_change_reason column holds 100 characters.
_NOTE_MAX = 100


def _history_note(notes: list[str]) -> str:
    """The notes in one history reason, cut to the column (the history rows themselves keep
    every value before and after: the note only says why the change matters)."""
    text = "; ".join(note for note in notes if note)
    return text if len(text) <= _NOTE_MAX else text[: _NOTE_MAX - 1] + "\u2026"


_NOWHERE = Point(0, 0, srid=4326)

# The day names of schedule-window errors, in the owner's language (the portal's msgids).
_DAY_NAMES = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]


def site_delete(*, owner: "User", site: Site) -> None:
    """Delete a site with its cameras and consent, and erase the owner's personal data
    from their history. Audit events keep the cameras' public ids as pseudonyms."""
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk, owner=owner)
        camera_ids = list(site.cameras.values_list("pk", flat=True))
        # Deleted one by one, so each history row names the owner who deleted it
        # (a cascade would load fresh instances without the acting user).
        for camera in site.cameras.select_related("consent"):
            _delete_camera(camera, owner)
        site_id = site.pk
        site._history_user = owner  # type: ignore[attr-defined]
        site.delete()
        _erase_site_history(site_ids=[site_id])
        _erase_camera_history(camera_ids=camera_ids)


def _delete_camera(camera: Camera, owner: "User") -> None:
    camera_changed(camera_public_id=camera.public_id)
    grant = getattr(camera, "consent", None)
    if grant is not None:
        grant._history_user = owner
        grant.delete()
    camera._history_user = owner  # type: ignore[attr-defined]
    camera.delete()


def _erase_site_history(*, site_ids: list[int]) -> None:
    # Historical rows are not audited models; overwriting personal data in them is the erasure,
    # which the database lets through only for a deleted site whose erasure is on record.
    erasure_record(subjects=[f"site:{site_id}" for site_id in site_ids])
    Site.history.filter(id__in=site_ids).update(
        name="",
        address="",
        location=_NOWHERE,
        parcel_number="",
        permit_number="",
        business_name="",
        property_type="",
        police_notes="",
    )


def _erase_camera_history(*, camera_ids: list[int]) -> None:
    erasure_record(subjects=[f"camera:{camera_id}" for camera_id in camera_ids])
    Camera.history.filter(id__in=camera_ids).update(
        label="",
        location=_NOWHERE,
        fov=fov_wedge(lon=0, lat=0, bearing=0, angle=1, range_m=1),
        recorder_make="",
        recorder_model="",
    )


def _distinct_views(fields: dict[str, Any]) -> dict[str, Any]:
    """What a camera views, each once, in the order given (["street", "street"] is one)."""
    if isinstance(fields.get("views"), list | tuple):
        fields["views"] = list(dict.fromkeys(fields["views"]))
    return fields


def camera_register(*, owner: "User", site: Site, **fields: Any) -> Camera:
    """Add a camera to the owner's site. It starts at the lowest consent level: registered."""
    unknown = set(fields) - _CAMERA_FIELDS
    if unknown:
        raise TypeError(f"Not camera fields: {sorted(unknown)}")
    fields = _distinct_views(fields)
    if site.owner_id != owner.pk:
        raise Site.DoesNotExist
    with transaction.atomic():
        camera = Camera(site=site, **fields)
        _camera_geometry(camera, site.location)
        _save(camera, owner)
        grant = ConsentGrant(camera=camera, level=ConsentLevel.REGISTERED, granted_at=timezone.now())
        _save(grant, owner)
        site_changed(site_id=site.pk)
    return camera


def camera_update(*, owner: "User", camera: Camera, **fields: Any) -> Camera:
    unknown = set(fields) - _CAMERA_FIELDS
    if unknown:
        raise TypeError(f"Not camera fields: {sorted(unknown)}")
    fields = _distinct_views(fields)
    with transaction.atomic():
        camera = Camera.objects.select_for_update().select_related("site").get(pk=camera.pk, site__owner=owner)
        for name, value in fields.items():
            setattr(camera, name, value)
        _camera_geometry(camera, camera.site.location)
        _save(camera, owner)
        site_changed(site_id=camera.site_id)
    return camera


def camera_delete(*, owner: "User", camera: Camera) -> None:
    with transaction.atomic():
        camera = (
            Camera.objects.select_for_update(of=("self",))
            .select_related("consent")
            .get(pk=camera.pk, site__owner=owner)
        )
        camera_id = camera.pk
        _delete_camera(camera, owner)
        _erase_camera_history(camera_ids=[camera_id])
        site_changed(site_id=camera.site_id)


def consent_set(
    *,
    owner: "User",
    camera: Camera,
    policy: DepartmentPolicy,
    level: str,
    windows: list[dict[str, Any]] | None = None,
    expires_at: dt.datetime | None = None,
    max_live_minutes: int | None = None,
    notify_on_access: bool = False,
) -> ConsentGrant:
    """Set the consent of one camera (it takes effect at once, and un-revokes it).

    Refused with a ValidationError keyed by argument: an unknown level; more than
    ``MAX_WINDOWS`` windows, or windows that are malformed, overlap or have seconds (they
    are stored as HH:MM); an end that is naive, past, or more than ``EXPIRY_HORIZON_YEARS``
    ahead; live minutes beyond the department's limit.
    """
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if level not in ConsentLevel.__members__.values():
        errors["level"] = [_("Choose what police may do.")]
    windows = windows or []
    parsed: tuple[Window, ...] = ()
    if len(windows) > MAX_WINDOWS:
        # Before parsing: checking overlaps is quadratic in the number of windows.
        errors["windows"] = [_("Give at most %(num)d schedule windows.") % {"num": MAX_WINDOWS}]
    else:
        try:
            parsed = windows_from_json(windows)
        except (KeyError, TypeError, ValueError):
            errors["windows"] = [_("A schedule window needs a day, a start and an end time.")]
        else:
            if any(t.second or t.microsecond for w in parsed for t in (w.start, w.end)):
                errors["windows"] = [_("Schedule times are in whole minutes (HH:MM), without seconds.")]
            elif problems := window_problems(parsed, day_names=[str(day) for day in _DAY_NAMES]):
                # consent.py is pure: its messages are translated here, for the owner reading them.
                errors["windows"] = [_(template) % params for template, params in problems]
    if expires_at is not None and timezone.is_naive(expires_at):
        errors["expires_at"] = [_("Give the end date with its time zone.")]
    elif expires_at is not None and expires_at <= now:
        errors["expires_at"] = [_("The end date must be in the future.")]
    elif expires_at is not None and expires_at > expiry_horizon(now):
        errors["expires_at"] = [
            _("The end date can be at most %(years)d years ahead.") % {"years": EXPIRY_HORIZON_YEARS}
        ]
    if max_live_minutes is not None and not (1 <= max_live_minutes <= policy.live_view_limit_minutes):
        errors["max_live_minutes"] = [
            _("Choose between 1 and %(limit)d minutes: the department never allows more.")
            % {"limit": policy.live_view_limit_minutes}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grant = ConsentGrant.objects.select_for_update().get(camera__pk=camera.pk, camera__site__owner=owner)
        grant.level = level
        grant.windows = windows_to_json(parsed)
        grant.expires_at = expires_at
        grant.max_live_minutes = max_live_minutes
        grant.notify_on_access = notify_on_access
        grant.granted_at = timezone.now()
        grant.revoked_at = None
        _save(grant, owner)
        camera_changed(camera_public_id=camera.public_id)
        site_changed(site_id=camera.site_id)
    return grant


def consent_revoke(*, owner: "User", camera: Camera) -> ConsentGrant:
    """Withdraw consent at once: police keep only what `registered` allows."""
    with transaction.atomic():
        grant = ConsentGrant.objects.select_for_update().get(camera__pk=camera.pk, camera__site__owner=owner)
        if grant.revoked_at is None:
            grant.revoked_at = timezone.now()
            _save(grant, owner)
            camera_changed(camera_public_id=camera.public_id)
            site_changed(site_id=camera.site_id)
    return grant


def camera_status_set(*, owner: "User", camera: Camera, status: str) -> Camera:
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera.pk, site__owner=owner)
        camera.status = status
        _save(camera, owner)
        camera_changed(camera_public_id=camera.public_id)
        site_changed(site_id=camera.site_id)
    return camera
