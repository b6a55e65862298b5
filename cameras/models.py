"""Sites, cameras and consent grants: the owner's registry, in the department's schema.

Objects are addressed from outside by ``public_id`` (UUID): ids in URLs reveal nothing
about how many cameras a department has, and the audit log references cameras by it,
so a reference survives the camera's deletion as a pseudonym.
"""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tenants.selectors import department_current

from .consent import ConsentLevel


class SiteKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Home")
    BUSINESS = "business", _("Business")
    MULTIFAMILY = "multifamily", _("Apartment or multifamily building")
    SCHOOL = "school", _("School")
    PLACE_OF_WORSHIP = "place_of_worship", _("Place of worship")
    OTHER = "other", _("Other")


class BusinessCategory(models.TextChoices):
    GAS_STATION = "gas_station", _("Gas station")
    CONVENIENCE_STORE = "convenience_store", _("Convenience store")
    BAR = "bar", _("Bar or nightclub")
    RESTAURANT = "restaurant", _("Restaurant")
    RETAIL = "retail", _("Shop")
    CANNABIS = "cannabis", _("Cannabis business")
    HOTEL = "hotel", _("Hotel or motel")
    OFFICE = "office", _("Office")
    INDUSTRIAL = "industrial", _("Industrial")
    OTHER = "other", _("Other business")


class Site(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sites")
    kind = models.CharField(
        _("kind of property"), max_length=20, choices=SiteKind.choices, default=SiteKind.RESIDENTIAL
    )
    name = models.CharField(_("name"), max_length=120, blank=True, help_text=_("For your own list, e.g. 'Home'."))
    address = models.CharField(_("street address"), max_length=255)
    location = models.PointField(_("location"), geography=True, srid=4326)
    parcel_number = models.CharField(_("parcel number"), max_length=64, blank=True)
    permit_number = models.CharField(_("permit number"), max_length=64, blank=True)
    business_name = models.CharField(_("business name"), max_length=200, blank=True)
    property_type = models.CharField(_("property type"), max_length=64, blank=True)
    constructed_on = models.DateField(_("date of construction or last remodel"), null=True, blank=True)
    # What ordinances decide coverage by (compliance/): asked only where an ordinance needs it.
    business_category = models.CharField(
        _("business category"), max_length=24, choices=BusinessCategory.choices, blank=True
    )
    units = models.PositiveIntegerField(_("number of units"), null=True, blank=True)
    parking_spaces = models.PositiveIntegerField(_("parking spaces"), null=True, blank=True)
    floor_area_sqft = models.PositiveIntegerField(_("floor area (sq ft)"), null=True, blank=True)
    licence_renews_on = models.DateField(_("business licence renews on"), null=True, blank=True)
    share_contact = models.BooleanField(
        _("share my contact details with police"),
        default=False,
        help_text=_("Off: police can only message you through Porchlight."),
    )
    # The department's own property (city CCTV, body-worn cameras, drones): its cameras' consent
    # is the department's policy (department_camera_level), not a resident's choice, and its
    # owner is the department's own account, which never logs in (issue 17).
    department_owned = models.BooleanField(_("the department's own"), default=False, editable=False)
    police_notes = models.TextField(
        _("notes for police"), blank=True, max_length=1000, validators=[MaxLengthValidator(1000)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name or self.business_name or self.address


class CameraType(models.TextChoices):
    DOORBELL = "doorbell", _("Doorbell camera")
    FIXED = "fixed", _("Fixed camera")
    DOME = "dome", _("Dome camera")
    PTZ = "ptz", _("Pan-tilt-zoom camera")
    OTHER = "other", _("Other")


class Placement(models.TextChoices):
    OUTSIDE = "outside", _("Outside")
    INSIDE = "inside", _("Inside")


class ViewTarget(models.TextChoices):
    STREET = "street", _("Street")
    SIDEWALK = "sidewalk", _("Sidewalk")
    DRIVEWAY = "driveway", _("Driveway")
    PARKING = "parking", _("Parking lot")
    ENTRANCE = "entrance", _("Entrance")
    YARD = "yard", _("Yard")
    ALLEY = "alley", _("Alley")
    INTERIOR = "interior", _("Interior")


class RecordingMode(models.TextChoices):
    CONTINUOUS = "continuous", _("Continuous")
    MOTION = "motion", _("On motion")
    NONE = "none", _("Does not record")


# What an officer reads for a mobile source's kind (Camera.kind_label, search_sql.SearchRow).
MOBILE_LABEL = _("Mobile camera (body-worn, drone or vehicle)")


class CameraStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")


class Camera(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="cameras")
    label = models.CharField(_("label"), max_length=120)
    camera_type = models.CharField(_("type"), max_length=20, choices=CameraType.choices, default=CameraType.FIXED)
    placement = models.CharField(_("placement"), max_length=10, choices=Placement.choices, default=Placement.OUTSIDE)
    mount_height_m = models.DecimalField(
        _("mount height (m)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    bearing_deg = models.PositiveSmallIntegerField(
        _("direction (degrees from north)"), default=0, validators=[MaxValueValidator(359)]
    )
    fov_angle_deg = models.PositiveSmallIntegerField(
        _("field of view (degrees)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(360)]
    )
    range_m = models.PositiveSmallIntegerField(
        _("range (metres)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    # Copied from the site so that searches use one indexed column per camera.
    location = models.PointField(geography=True, srid=4326)
    fov = models.PolygonField(_("field of view"), geography=True, srid=4326)
    views = ArrayField(
        models.CharField(max_length=20, choices=ViewTarget.choices), default=list, blank=True, verbose_name=_("views")
    )
    resolution = models.CharField(_("resolution"), max_length=20, blank=True, help_text=_("e.g. 1920x1080"))
    frame_rate = models.PositiveSmallIntegerField(
        _("frame rate (fps)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    recording_mode = models.CharField(
        _("recording"), max_length=12, choices=RecordingMode.choices, default=RecordingMode.MOTION
    )
    retention_days = models.PositiveSmallIntegerField(
        _("days the recorder keeps footage"), null=True, blank=True, validators=[MaxValueValidator(3650)]
    )
    audio = models.BooleanField(_("records audio"), default=False)
    recorder_make = models.CharField(_("recorder make"), max_length=80, blank=True)
    recorder_model = models.CharField(_("recorder model"), max_length=80, blank=True)
    export_format = models.CharField(_("export format"), max_length=40, blank=True, help_text=_("e.g. MP4"))
    snapshot = models.ImageField(_("snapshot of the view"), upload_to="snapshots/%Y/%m/", null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CameraStatus.choices, default=CameraStatus.ACTIVE)
    # A mobile source (body-worn camera, drone, patrol-car camera) moves: ``location`` (and
    # ``fov``) hold its last accepted position, reported by its bridge at ``position_at``;
    # a search leaves out one whose position is older than the policy allows.
    mobile = models.BooleanField(_("moves (body-worn, drone, vehicle)"), default=False)
    position_at = models.DateTimeField(null=True, blank=True)
    # issue 19: rectangles of the picture the owner's bridge blacks out before anything leaves
    # the premises, each [x, y, w, h] normalised to 0..1 (bridge.masks; changed only through
    # cameras.privacy.camera_privacy_masks_set, which validates them; history keeps each change).
    privacy_masks = models.JSONField(_("privacy masks"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A mobile source's position changes up to once a second: history keeps who changed the
    # camera, not where it drove (its track is kept apart, while a live view of it is open).
    history = HistoricalRecords(excluded_fields=["snapshot", "position_at"])

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.label

    @property
    def kind_label(self) -> str:
        """What an officer reads for the kind of camera: a mobile source says it moves (its
        registered type is what it is mounted as, not where it is)."""
        if self.mobile:
            return str(MOBILE_LABEL)
        return str(self.get_camera_type_display())


class ConsentGrant(models.Model):
    """The owner's current consent for one camera. Its history is the consent in force over time."""

    camera = models.OneToOneField(Camera, on_delete=models.CASCADE, related_name="consent")
    level = models.CharField(
        _("what police may do"),
        max_length=20,
        choices=[
            (ConsentLevel.REGISTERED.value, _("Know the camera exists")),
            (ConsentLevel.ON_REQUEST.value, _("Ask me for footage")),
            (ConsentLevel.LIVE_EXIGENT.value, _("Watch live in an emergency")),
            (ConsentLevel.LIVE.value, _("Watch live")),
        ],
        default=ConsentLevel.REGISTERED.value,
    )
    # [{"day": 0-6, "start": "HH:MM", "end": "HH:MM", "next_day": bool}], department time zone.
    windows = models.JSONField(_("live-view schedule"), default=list, blank=True)
    expires_at = models.DateTimeField(_("consent ends on"), null=True, blank=True)
    max_live_minutes = models.PositiveSmallIntegerField(
        _("longest live view (minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    notify_on_access = models.BooleanField(_("e-mail me whenever police access this camera"), default=False)
    granted_at = models.DateTimeField(_("granted at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.camera}: {self.level}"


class Purpose(models.Model):
    """What an officer states before any access: a case or incident number, a category from
    the department's list and a sentence. Every gate decision cites one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purposes")
    case_number = models.CharField(_("case or incident number"), max_length=64)
    category = models.CharField(_("category"), max_length=64)
    text = models.CharField(_("reason"), max_length=500)
    authority = models.CharField(
        _("authority"),
        max_length=16,
        choices=[("consent", _("Owner's consent")), ("warrant", _("Warrant")), ("exigent", _("Exigent circumstances"))],
        default="consent",
    )
    warrant_number = models.CharField(_("warrant number"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # The incident this purpose is for (incidents.Incident's public_id): a typed reference,
    # not a foreign key, since incidents sits above cameras. The gate names it in every event
    # of the purpose (target "incident:<id>"), which is the incident's timeline.
    incident_ref = models.UUIDField(null=True, blank=True, db_index=True)
    # A second person: where policy requires it, a supervisor approves an exigent purpose.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="approved_purposes"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Or a supervisor denies it, with a reason the officer is told: then it is never approved.
    denied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="denied_purposes"
    )
    denied_at = models.DateTimeField(null=True, blank=True)
    denial_reason = models.CharField(_("reason for the denial"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_number} ({self.category})"


class SuspensionKind(models.TextChoices):
    REVOKE = "revoke", _("Consent withdrawn")
    PAUSE = "pause", _("Paused")


class Suspension(models.Model):
    """One "Pause all" or "Revoke all" of an owner: which cameras it changed and how they were,
    so that "Resume all" (or the end of a timed pause) restores exactly those, as they were.

    The record of who changed what stays in the history of the cameras and grants; this row
    only remembers the batch. A camera the owner changed meanwhile is left as the owner left it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(max_length=10, choices=SuspensionKind.choices)
    started_at = models.DateTimeField()
    # A timed pause resumes by itself at this instant (cameras.tasks.suspensions_expire).
    ends_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    resumed_by_timer = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["resumed_at", "ends_at"], name="suspension_open_ends_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"


class SuspensionItem(models.Model):
    """One camera a suspension changed, with what it was before.

    ``before`` for a revocation: the grant's level, windows, expiry, live minutes, e-mail flag
    and grant time; for a pause: the camera's status. ``marker`` is the ``revoked_at`` the
    revocation wrote: a grant revoked at another instant was changed by its owner since.
    """

    suspension = models.ForeignKey(Suspension, on_delete=models.CASCADE, related_name="items")
    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="+")
    before = models.JSONField(default=dict)
    marker = models.DateTimeField(null=True, blank=True)
    # "" until resumed; then "restored" or "changed" (left as the owner changed it meanwhile).
    outcome = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return f"{self.suspension}: {self.camera_id}"


class AccessNotice(models.Model):
    """An owner's "police accessed your camera" notice, owed since the access: recorded by the
    gate in the access's own transaction, sent later in one e-mail with the other notices of
    the same owner and case (cameras.digest.access_digest_send), and marked sent in the
    transaction that sent it. An access appears in exactly one digest: the sender locks the
    notices it sends, and a notice is sent once (``sent_at``).

    Holds references only (the access event's number, the owner's id, the case number): what
    the e-mail says is read from the access log when it is sent.
    """

    event_seq = models.BigIntegerField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case_number = models.CharField(max_length=64, blank=True)
    # Told at once (a live view, exigent access), or at the end of the department's window.
    immediate = models.BooleanField(default=False)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_seq", "owner"], name="access_notice_once_per_event_and_owner"),
        ]
        indexes = [
            # The sender reads an owner's unsent notices of one case, however many were sent.
            models.Index(
                fields=["owner", "case_number"], name="access_notice_unsent", condition=models.Q(sent_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"notice of event {self.event_seq} to owner {self.owner_id}"


class DepartmentCamera(models.Model):
    """What the department keeps about one of its own cameras (city CCTV) beside the registry's
    Camera: where its stream is, who registered it, and when it was retired.

    The camera itself is an ordinary Camera on a department-owned Site whose owner is the
    department's account (cameras.department): the gate, the search and the log treat it as
    any camera. ``stream_url`` may carry credentials: it is shown to administrators only, kept
    out of history, and never written to the access log.
    """

    camera = models.OneToOneField(Camera, on_delete=models.PROTECT, related_name="department")
    stream_url = models.CharField(_("stream URL"), max_length=500, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Retired, never deleted: the access log names it. A retired camera is paused and its
    # consent revoked; the policy no longer moves it.
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["stream_url"])

    class Meta:
        ordering = ["camera__label"]

    def __str__(self) -> str:
        return str(self.camera)


class CameraImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Checking and storing")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Not imported: the file has errors")
    FAILED = "failed", _("Stopped by an error")


def _camera_import_upload_to(instance: "DepartmentCameraImport", filename: str) -> str:
    # Each department's files apart; the name is the job's, never the uploader's.
    return f"camera-imports/{department_current().schema_name}/{instance.public_id}.{instance.file_format}"


class DepartmentCameraImport(models.Model):
    """One CSV or GeoJSON file of department cameras and its progress (docs/department-cameras.md).

    All or nothing: every row is checked first; any bad row stores nothing and ``errors`` lists
    them all; a clean file is stored in one transaction."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=_camera_import_upload_to, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(max_length=10)  # "csv" or "geojson"
    file_size = models.BigIntegerField(_("size (bytes)"))
    status = models.CharField(max_length=10, choices=CameraImportStatus.choices, default=CameraImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row", "column", "problem", "params"}]
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        if self.status in (CameraImportStatus.DONE, CameraImportStatus.REJECTED):
            return 100
        if not self.rows_total:
            return 0
        return min(100, (self.rows_checked * 100) // self.rows_total)
