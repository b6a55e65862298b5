"""The department's own cameras (city CCTV; issue 17): registered, edited, retired and
imported by the department administrator (docs/department-cameras.md).

Each is an ordinary Camera on its own department-owned Site (``Site.department_owned``) whose
owner is the department's account (accounts.services.department_account_ensure), so the gate,
the search, the map and the access log treat it as any other camera. What differs:

- its consent is the department's policy: the grant's level is
  ``DepartmentPolicy.department_camera_level``, set on registration and moved with the policy
  (department_cameras_follow_policy, called by tenants.services.policy_update in its
  transaction), with history; no schedule windows, no expiry, no access e-mails;
- it is not residential (kind "other"), so the residential live-view rule does not apply;
- a footage request on it is refused by the gate (Refusal.DEPARTMENT_CAMERA): its recordings
  are the department's own evidence, handled by the department's evidence process;
- its stream URL lives in DepartmentCamera, for administrators only (never in history or the log);
- it is retired, never deleted (the access log names it): paused and its consent revoked.

A mobile source (Camera.mobile) is a department camera too; its position reports are the
mobile work's, on top of this.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.services import department_account_ensure
from core.errors import Conflict, Invalid, NotFound
from core.textfiles import EncodingRefused, detect_encoding, upload_chunks
from tenants.selectors import department_current, policy_current

from .department_import import (
    CameraRow,
    Column,
    FileProblem,
    Reading,
    RowError,
    RowProblem,
    read_csv,
    read_geojson,
    stream_url_problem,
)
from .events import camera_changed, site_changed
from .exceptions import OutsideJurisdiction
from .models import (
    Camera,
    CameraImportStatus,
    CameraStatus,
    CameraType,
    ConsentGrant,
    DepartmentCamera,
    DepartmentCameraImport,
    Site,
    SiteKind,
)
from .services import _camera_geometry, _save, location_check

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User
    from tenants.models import Department, DepartmentPolicy

logger = logging.getLogger("porchlight.cameras")

# Written in the history of every grant the policy moved (kept in English: a record, not a message).
POLICY_CHANGE_REASON = "department policy: department_camera_level"
# How often the import writes its progress while checking rows (each write is a commit).
PROGRESS_EVERY = 100


class DepartmentCameraError(Invalid):
    """A department camera cannot be registered or changed as asked (the message says why)."""


# --- Reads -------------------------------------------------------------------------------


def department_cameras(*, query: str = "", state: str = "", kind: str = "") -> QuerySet[DepartmentCamera]:
    """The department's cameras for its administrator's list: ``state`` "active", "retired"
    or "" (all); ``kind`` "fixed", "mobile" or ""; ``query`` a piece of the label."""
    rows = DepartmentCamera.objects.select_related("camera", "camera__consent", "camera__site").order_by(
        "camera__label"
    )
    if state == "active":
        rows = rows.filter(retired_at__isnull=True)
    elif state == "retired":
        rows = rows.filter(retired_at__isnull=False)
    if kind == "mobile":
        rows = rows.filter(camera__mobile=True)
    elif kind == "fixed":
        rows = rows.filter(camera__mobile=False)
    if query:
        rows = rows.filter(camera__label__icontains=query)
    return rows


def department_camera_get(*, public_id: Any) -> DepartmentCamera:
    """One of this department's cameras by the camera's public id; NotFound for a missing id,
    a malformed one, or a resident's camera (the tenant is the schema: another department's
    cameras are not here at all)."""
    try:
        return DepartmentCamera.objects.select_related("camera", "camera__consent", "camera__site").get(
            camera__public_id=public_id
        )
    except (DepartmentCamera.DoesNotExist, ValidationError, ValueError) as exc:
        raise NotFound(_("No such camera."), code="not_found") from exc


def _labels_in_use(*, exclude_pk: int | None = None) -> set[str]:
    rows = DepartmentCamera.objects.filter(retired_at__isnull=True)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return {label.casefold() for label in rows.values_list("camera__label", flat=True)}


# --- Writes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CameraSpec:
    """What the administrator gives for one camera (the form or a row of a file)."""

    label: str
    lat: float
    lon: float
    bearing_deg: int
    fov_angle_deg: int
    range_m: int
    stream_url: str = ""
    address: str = ""
    # A body-worn camera, drone or vehicle camera: its bridge reports where it is, and searches
    # find it only where it was last seen recently (the policy's mobile_position_max_age_seconds).
    mobile: bool = False


def _spec_problems(spec: CameraSpec, *, exclude_pk: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not spec.label.strip():
        errors["label"] = [_("Give the camera a label.")]
    elif spec.label.strip().casefold() in _labels_in_use(exclude_pk=exclude_pk):
        errors["label"] = [_("Another of the department's cameras has this label.")]
    if problem := stream_url_problem(spec.stream_url):
        errors["stream_url"] = [_stream_url_message(problem)]
    return errors


def _stream_url_message(problem: str) -> str:
    if problem == RowProblem.TOO_LONG:
        return _("The stream URL is too long (at most 500 characters).")
    return _("The stream URL must start with rtsp://, rtsps://, http:// or https://.")


def _register(
    *, actor: User, owner: User, department: Department, level: str, spec: CameraSpec, point: Any, announce: bool = True
) -> Camera:
    # Inside the caller's transaction. History names the administrator, not the account.
    # ``announce=False`` (an import): the site listeners are not told of each new site. The only
    # one (compliance) has nothing to judge on a department-owned site, and a file of 5,000
    # cameras would otherwise owe 5,000 outbox tasks.
    now = timezone.now()
    site = Site(
        owner=owner,
        kind=SiteKind.OTHER,
        name=spec.label.strip(),
        address=spec.address.strip() or f"{spec.lat:.6f}, {spec.lon:.6f}",
        location=point,
    )
    site.department_owned = True
    _save(site, actor)
    camera = Camera(
        site=site,
        label=spec.label.strip(),
        camera_type=CameraType.FIXED,
        bearing_deg=spec.bearing_deg,
        fov_angle_deg=spec.fov_angle_deg,
        range_m=spec.range_m,
        mobile=spec.mobile,
    )
    _camera_geometry(camera, point)
    _save(camera, actor)
    _save(ConsentGrant(camera=camera, level=level, granted_at=now, notify_on_access=False), actor)
    record = DepartmentCamera(camera=camera, stream_url=spec.stream_url.strip(), registered_by=actor)
    record._history_user = actor  # type: ignore[attr-defined]
    record.save()
    if announce:
        site_changed(site_id=site.pk)
    return camera


def department_camera_register(*, actor: User, department: Department, spec: CameraSpec) -> Camera:
    """Register one of the department's cameras; its consent is the policy's level at once.
    Refused with a ValidationError by field (label, stream_url, location, or a camera field
    such as bearing_deg) or OutsideJurisdiction for a point outside the department."""
    errors = _spec_problems(spec)
    if errors:
        raise ValidationError(errors)
    point = location_check(department=department, lon=spec.lon, lat=spec.lat)
    policy = policy_current()
    with transaction.atomic():
        owner = department_account_ensure(department=department)
        camera = _register(
            actor=actor,
            owner=owner,
            department=department,
            level=policy.department_camera_level,
            spec=spec,
            point=point,
        )
    logger.info("department camera registered", extra={"camera": str(camera.public_id), "actor_id": actor.pk})
    return camera


def department_camera_update(
    *, actor: User, department: Department, record: DepartmentCamera, spec: CameraSpec
) -> Camera:
    """Change a department camera's label, place, view or stream URL (not a retired one)."""
    errors = _spec_problems(spec, exclude_pk=record.pk)
    if errors:
        raise ValidationError(errors)
    point = location_check(department=department, lon=spec.lon, lat=spec.lat)
    with transaction.atomic():
        record = DepartmentCamera.objects.select_for_update().get(pk=record.pk)
        if record.retired_at is not None:
            raise Conflict(_("This camera is retired: it cannot be changed."), code="retired")
        camera = Camera.objects.select_for_update().select_related("site").get(pk=record.camera_id)
        site = camera.site
        site.name = spec.label.strip()
        site.address = spec.address.strip() or f"{spec.lat:.6f}, {spec.lon:.6f}"
        site.location = point
        _save(site, actor)
        camera.label = spec.label.strip()
        camera.bearing_deg = spec.bearing_deg
        camera.fov_angle_deg = spec.fov_angle_deg
        camera.range_m = spec.range_m
        if camera.mobile != spec.mobile:
            # Becoming mobile: not searched until its bridge reports a position; becoming fixed:
            # found at the place given here from now on.
            camera.mobile, camera.position_at = spec.mobile, None
        _camera_geometry(camera, point)
        _save(camera, actor)
        record.stream_url = spec.stream_url.strip()
        record._history_user = actor  # type: ignore[attr-defined]
        record.save()
        camera_changed(camera_public_id=camera.public_id)
        site_changed(site_id=site.pk)
    return camera


def department_camera_retire(*, actor: User, record: DepartmentCamera) -> DepartmentCamera:
    """Retire a department camera: paused, its consent revoked (open live views end at once),
    kept for the log. Retiring a retired camera changes nothing."""
    with transaction.atomic():
        record = DepartmentCamera.objects.select_for_update().get(pk=record.pk)
        if record.retired_at is not None:
            return record
        now = timezone.now()
        camera = Camera.objects.select_for_update().get(pk=record.camera_id)
        camera.status = CameraStatus.PAUSED
        _save(camera, actor)
        grant = ConsentGrant.objects.select_for_update().get(camera=camera)
        grant.revoked_at = now
        _save(grant, actor)
        record.retired_at = now
        record._history_user = actor  # type: ignore[attr-defined]
        record.save()
        camera_changed(camera_public_id=camera.public_id)
        site_changed(site_id=camera.site_id)
    return record


def department_cameras_follow_policy(*, policy: DepartmentPolicy, actor: User | None) -> int:
    """Move every (not retired) department camera's grant to the policy's level, in the
    caller's transaction, with a history row per grant naming ``actor``; open live views
    re-check after the commit. Returns how many grants moved."""
    level = policy.department_camera_level
    grants = list(
        ConsentGrant.objects.select_for_update(of=("self",))
        .select_related("camera")
        .filter(camera__site__department_owned=True, camera__department__retired_at__isnull=True)
        .filter(~Q(level=level))
    )
    if not grants:
        return 0
    now = timezone.now()
    for grant in grants:
        grant.level = level
        grant.granted_at = now
    bulk_update_with_history(
        grants,
        ConsentGrant,
        ["level", "granted_at"],
        default_user=actor,
        default_change_reason=POLICY_CHANGE_REASON,
    )
    for grant in grants:
        camera_changed(camera_public_id=grant.camera.public_id)
    logger.info("department cameras follow the policy", extra={"level": level, "grants": len(grants)})
    return len(grants)


# --- Import ------------------------------------------------------------------------------


class ImportRefused(Invalid):
    """The file cannot even be queued (size, format): nothing was stored."""


def import_format_of(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".geojson", ".json")):
        return "geojson"
    return None


def camera_import_create(*, actor: User, upload: UploadedFile) -> DepartmentCameraImport:
    """Keep the uploaded file and queue its import (sent to the worker after the commit).
    Refused with ImportRefused when it is too large or neither .csv nor .geojson/.json."""
    limit = settings.PORCHLIGHT_CAMERA_IMPORT_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        raise ImportRefused(file_too_large_message(size=size), code="too_large", field="file")
    file_format = import_format_of(upload.name or "")
    if file_format is None:
        raise ImportRefused(
            _("Upload a CSV file (.csv) or a GeoJSON file (.geojson or .json)."), code="format", field="file"
        )
    with transaction.atomic():
        job = DepartmentCameraImport(
            file_name=(upload.name or "cameras")[-255:], file_format=file_format, file_size=size, created_by=actor
        )
        upload.seek(0)
        job.file.save(f"{job.public_id}.{file_format}", upload, save=False)
        job.save()
        _enqueue(job)
    return job


def file_too_large_message(*, size: int) -> str:
    return _("The file is %(size)s; at most %(limit)s can be imported. Split it into smaller files.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(settings.PORCHLIGHT_CAMERA_IMPORT_MAX_BYTES),
    }


def _enqueue(job: DepartmentCameraImport) -> None:
    # Not the outbox: an OutboxTask runs in one transaction, and the import commits its progress
    # while it checks rows. A message lost with the broker leaves the job queued.
    from .tasks import camera_import_run_task  # the task module imports this one

    job_id = job.pk
    transaction.on_commit(lambda: camera_import_run_task.delay(job_id=job_id), robust=True)


def camera_import_get(*, public_id: Any) -> DepartmentCameraImport:
    try:
        return DepartmentCameraImport.objects.get(public_id=public_id)
    except (DepartmentCameraImport.DoesNotExist, ValidationError, ValueError) as exc:
        raise NotFound(_("No such import."), code="not_found") from exc


def camera_imports_recent(*, limit: int = 10) -> list[DepartmentCameraImport]:
    return list(DepartmentCameraImport.objects.select_related("created_by")[:limit])


def camera_import_run(*, job_id: int) -> DepartmentCameraImport | None:
    """Check every row of the job's file, then store all of them in one transaction, or none
    when any row is wrong (the job then lists every error). None when the job is not queued
    (a message delivered twice)."""
    with transaction.atomic():
        job = DepartmentCameraImport.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != CameraImportStatus.QUEUED:
            return None
        job.status = CameraImportStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        _import(job)
    except Exception as exc:
        DepartmentCameraImport.objects.filter(pk=job.pk).update(
            status=CameraImportStatus.FAILED, failure=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    return job


def _progress(job: DepartmentCameraImport) -> Any:
    def report(checked: int) -> None:
        if checked % PROGRESS_EVERY == 0:
            DepartmentCameraImport.objects.filter(pk=job.pk).update(rows_checked=checked)

    return report


def _read(job: DepartmentCameraImport) -> Reading:
    max_rows = settings.PORCHLIGHT_CAMERA_IMPORT_MAX_ROWS
    with job.file.storage.open(str(job.file.name), "rb") as raw:
        if job.file_format == "geojson":
            return read_geojson(raw.read(), max_rows=max_rows, progress=_progress(job))
        try:
            encoding = detect_encoding(upload_chunks(raw))
        except EncodingRefused as exc:
            return Reading(errors=[RowError(0, "", FileProblem.ENCODING, {"found": exc.code})])
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            return read_csv(text, max_rows=max_rows, progress=_progress(job))
        finally:
            text.detach()


def _import(job: DepartmentCameraImport) -> None:
    department = department_current()
    reading = _read(job)
    errors = list(reading.errors)
    points: dict[int, Any] = {}
    # The rows good in themselves are checked against the department too, so that one upload
    # lists every error of the file.
    in_use = _labels_in_use()
    for row in reading.rows:
        if row.label.casefold() in in_use:
            errors.append(RowError(row.row, Column.LABEL, RowProblem.LABEL_IN_USE))
        try:
            points[row.row] = location_check(department=department, lon=row.lon, lat=row.lat)
        except (OutsideJurisdiction, ValidationError):
            errors.append(RowError(row.row, Column.LATITUDE, RowProblem.OUTSIDE))
    errors.sort(key=lambda error: error.row)
    job.rows_total = reading.total
    job.rows_checked = reading.total
    if errors:
        job.errors = [error.as_json() for error in errors]
        job.status = CameraImportStatus.REJECTED
        job.finished_at = timezone.now()
        job.save(update_fields=["rows_total", "rows_checked", "errors", "status", "finished_at"])
        return
    job.save(update_fields=["rows_total", "rows_checked"])
    policy = policy_current()
    with transaction.atomic():
        owner = department_account_ensure(department=department)
        for row in reading.rows:
            _register(
                actor=job.created_by,
                owner=owner,
                department=department,
                level=policy.department_camera_level,
                spec=_spec_of(row),
                point=points[row.row],
                announce=False,
            )
        job.rows_created = len(reading.rows)
        job.status = CameraImportStatus.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["rows_created", "status", "finished_at"])


def _spec_of(row: CameraRow) -> CameraSpec:
    return CameraSpec(
        label=row.label,
        lat=row.lat,
        lon=row.lon,
        bearing_deg=row.bearing_deg,
        fov_angle_deg=row.fov_angle_deg,
        range_m=row.range_m,
        stream_url=row.stream_url,
        address=row.address,
        mobile=row.mobile,
    )


def row_error_sentence(error: dict[str, Any]) -> str:
    """What is wrong, in the administrator's language (the column is shown beside it)."""
    problem, params = error.get("problem", ""), error.get("params") or {}
    sentences = {
        RowProblem.MISSING: _("This value is missing."),
        RowProblem.NOT_A_NUMBER: _("This is not a number."),
        RowProblem.LATITUDE_RANGE: _("Latitude out of range: it must be between -90 and 90."),
        RowProblem.LONGITUDE_RANGE: _("Longitude out of range: it must be between -180 and 180."),
        RowProblem.BEARING_RANGE: _("The bearing must be a whole number of degrees from 0 to 359."),
        RowProblem.FOV_RANGE: _("The field of view must be a whole number of degrees from 1 to 360."),
        RowProblem.RANGE_RANGE: _("The range must be a whole number of metres from 1 to 500."),
        RowProblem.STREAM_SCHEME: _("The stream URL must start with rtsp://, rtsps://, http:// or https://."),
        RowProblem.LABEL_IN_USE: _("Another of the department's cameras already has this label."),
        RowProblem.OUTSIDE: _("This point is outside the department's boundary."),
        RowProblem.NOT_A_POINT: _("This feature is not a point (GeoJSON Point with longitude and latitude)."),
        RowProblem.NOT_YES_NO: _("Write yes or no (or leave it blank for a fixed camera)."),
        FileProblem.UNREADABLE: _("The file cannot be read as CSV (an unclosed quote, or not a CSV file)."),
        FileProblem.EMPTY: _("The file has no cameras."),
        FileProblem.NOT_GEOJSON: _("The file is not a GeoJSON FeatureCollection."),
        FileProblem.MISSING_COLUMN: _("The header has no column for this: it is required."),
    }
    if problem == RowProblem.TOO_LONG:
        return _("Too long: at most %(max)s characters.") % {"max": params.get("max", "")}
    if problem == RowProblem.DUPLICATE_LABEL:
        return _("The same label as row %(first)s: labels must differ.") % {"first": params.get("first", "")}
    if problem == FileProblem.TOO_MANY_ROWS:
        return _("The file has more than %(max)s cameras: split it into smaller files.") % {
            "max": params.get("max", "")
        }
    if problem == FileProblem.ENCODING:
        return _("The file is not text in UTF-8 or Windows-1252 (a workbook, UTF-16 or binary): save it as CSV UTF-8.")
    return str(sentences.get(problem, _("This value is not valid.")))
