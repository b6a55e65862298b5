"""The department (tenant), its host names and its policy: all in the public schema.

The policy lives here, next to the department, so the public site can show every
department's policy without entering its schema. Its history records the acting
department admin by id only (no foreign key: users live in the tenant schemas).
"""

from typing import TYPE_CHECKING, Any

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    # The user model (AUTH_USER_MODEL) as django-stubs' plugin resolves it: tenants sits below
    # accounts (pyproject's layers), so it names no accounts module, even for the type checker.
    from django.contrib.auth.models import _User

DEFAULT_PURPOSE_CATEGORIES = [
    "violent_crime",
    "property_crime",
    "missing_person",
    "traffic_collision",
    "exigent_threat_to_life",
    "other_investigation",
]
DEFAULT_EXIGENT_CATEGORIES = ["exigent_threat_to_life", "missing_person"]
# Words for the default categories; a department's own categories show as written.
PURPOSE_LABELS = {
    "violent_crime": _("Violent crime"),
    "property_crime": _("Property crime"),
    "missing_person": _("Missing person"),
    "traffic_collision": _("Traffic collision"),
    "exigent_threat_to_life": _("Imminent threat to life"),
    "other_investigation": _("Other investigation"),
    "first_amendment_activity": _("First Amendment activity (protest, speech, worship)"),
    "immigration_status": _("Immigration status"),
    "reproductive_care": _("Reproductive health care"),
}


def language_choices() -> list[tuple[str, str]]:
    """The languages Porchlight speaks (settings.LANGUAGES), read when a form or a check asks,
    not when this module is imported."""
    from django.conf import settings

    return list(settings.LANGUAGES)


DEFAULT_PLATE_HOTLIST_ALLOWED = [
    "stolen_vehicle",
    "stolen_plate",
    "wanted_person",
    "missing_person",
    "amber_alert",
    "silver_alert",
]
# Immigration enforcement through local plate readers is what the public learned of in 2025
# (oversight.md): blocked by default, and stated on the public policy page.
DEFAULT_PLATE_HOTLIST_BLOCKED = ["immigration_status", "immigration_violation", "immigration_detainer"]


def default_plate_hotlist_allowed() -> list[str]:
    return list(DEFAULT_PLATE_HOTLIST_ALLOWED)


def default_plate_hotlist_blocked() -> list[str]:
    return list(DEFAULT_PLATE_HOTLIST_BLOCKED)


DEFAULT_PROHIBITED_PURPOSES = [
    "first_amendment_activity",
    "immigration_status",
    "reproductive_care",
]


class Department(TenantMixin):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=63, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Los_Angeles")
    boundary = models.MultiPolygonField(_("jurisdiction boundary"), srid=4326, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Tenants are created by tenants.services.department_provision, which migrates the schema.
    auto_create_schema = True
    # Deleting a department never drops its schema: the access log (retention: years) and
    # the evidence records must outlive the contract; dropping them is a deliberate act of
    # the database's owner, outside the application.
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def create_schema(self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1) -> bool:
        """The schema from the recorded snapshot (tenants.schema_snapshot), in one batch of SQL,
        rather than by running every migration; django-tenants' way when there is no usable
        snapshot (or when asked not to sync, or to clone a base schema)."""
        from django.db import connection
        from django_tenants.utils import get_creation_fakes_migrations, schema_exists

        from .db_grants import schema_grants_apply
        from .schema_snapshot import schema_create_from_snapshot

        if sync_schema and not get_creation_fakes_migrations():
            if check_if_exists and schema_exists(self.schema_name):
                return False
            if schema_create_from_snapshot(self.schema_name, verbosity=verbosity):
                connection.set_schema_to_public()  # type: ignore[attr-defined]
                # The app role's privileges on the new tables (the snapshot's SQL runs no migrate).
                schema_grants_apply(self.schema_name)
                return True
        created = bool(
            super().create_schema(check_if_exists=check_if_exists, sync_schema=sync_schema, verbosity=verbosity)
        )
        if schema_exists(self.schema_name):
            schema_grants_apply(self.schema_name)
        return created


class Domain(DomainMixin):
    def __str__(self) -> str:
        return self.domain


def _history_user_getter(historical_instance: Any) -> "_User | None":
    """The acting user lives in the department's schema: look it up there, if active."""
    from django.contrib.auth import get_user_model

    if historical_instance.history_user_id is None:
        return None
    return get_user_model().objects.filter(pk=historical_instance.history_user_id).first()


def _history_user_setter(historical_instance: Any, user: "_User | None") -> None:
    historical_instance.history_user_id = user.pk if user is not None else None
    historical_instance.history_user_email = getattr(user, "email", "") if user is not None else ""


class HistoryActorSnapshot(models.Model):
    """Extra column on the policy history: who acted, readable without the tenant schema."""

    history_user_email = models.EmailField(blank=True, default="")

    class Meta:
        abstract = True


# The anomaly queue's thresholds (docs/anomalies.md), editable on the policy page.
ANOMALY_POLICY_FIELDS = (
    "anomaly_day_start_hour",
    "anomaly_day_end_hour",
    "anomaly_repeat_opens",
    "anomaly_repeat_days",
    "anomaly_volume_factor",
    "anomaly_vague_min_words",
    "anomaly_sensitive_distance_m",
    "anomaly_denials",
    "anomaly_denials_minutes",
    "anomaly_exigent_report_days",
)


# What the console docks beside an incident and how fresh a mobile camera's position must be
# (issue 17), editable on the policy page.
INCIDENT_POLICY_FIELDS = (
    "incident_camera_count",
    "incident_radius_m",
    "incident_canvass_minutes",
    "mobile_position_max_age_seconds",
)


class DepartmentPolicy(models.Model):
    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="policy")
    live_view_limit_minutes = models.PositiveSmallIntegerField(
        _("live-view session limit (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    footage_retention_days = models.PositiveSmallIntegerField(
        _("footage retention (days)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    purpose_categories = ArrayField(models.SlugField(max_length=64), default=list, verbose_name=_("purpose categories"))
    exigent_categories = ArrayField(
        models.SlugField(max_length=64), default=list, blank=True, verbose_name=_("exigent categories")
    )
    prohibited_purposes = ArrayField(
        models.SlugField(max_length=64), default=list, blank=True, verbose_name=_("prohibited purposes")
    )
    residential_live_view_allowed = models.BooleanField(_("live view of residential cameras allowed"), default=False)
    footage_request_max_hours = models.PositiveSmallIntegerField(
        _("longest time window of a footage request (hours)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    footage_request_days = models.PositiveSmallIntegerField(
        _("days an owner has to answer a footage request"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    exigent_requires_approval = models.BooleanField(_("exigent live views need a supervisor's approval"), default=False)
    # The old single ordinance, before ordinances were records of their own (compliance.models):
    # no page shows these and nothing reads them. A department that had it on got it as an
    # ordinance (compliance.policy_ordinance, data migration compliance 0010) and the switch
    # turned off; the values are kept as they were saved. A later release may drop the columns
    # (not in the same one: the public schema migrates before the departments' copy them).
    ordinance_enabled = models.BooleanField(_("registration ordinance in force"), default=False)
    ordinance_name = models.CharField(_("ordinance name"), max_length=200, blank=True)
    ordinance_minimum_level = models.CharField(
        _("minimum consent under the ordinance"),
        max_length=20,
        choices=[
            ("registered", _("Registered")),
            ("on_request", _("Footage on request")),
            ("live_exigent", _("Live in emergencies")),
            ("live", _("Live")),
        ],
        default="live",
    )
    ordinance_effective_date = models.DateField(
        _("applies to properties built or remodelled on or after"), null=True, blank=True
    )
    ordinance_site_kinds = ArrayField(
        models.CharField(max_length=20), default=list, blank=True, verbose_name=_("property kinds under the ordinance")
    )
    # Owners' "police accessed your camera" notices are collected per owner and case for this
    # long, then sent as one e-mail (live views and exigent access are told at once).
    notice_digest_minutes = models.PositiveSmallIntegerField(
        _("owner notices: collect the accesses of one case for (minutes)"),
        default=15,
        validators=[MinValueValidator(0), MaxValueValidator(1440)],
        help_text=_(
            "An owner who asked to be told of every access gets one e-mail per case after this many minutes, "
            "listing each access. Live views and exigent access are told at once. 0 sends each notice at once."
        ),
    )
    # The public transparency page and the annual report publish counts from 1 to this minus
    # one as "<N": a count of 1 or 2 in a month can point at a person (oversight.md, I2).
    public_cell_threshold = models.PositiveSmallIntegerField(
        _("smallest count published (smaller ones show as “<N”)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("On the public transparency page: a count of 1 to this minus one shows as “<N”."),
    )
    # The public compliance page (issue 16) names covered businesses and their status only
    # when the department's policy says the list is public; otherwise it shows rates alone.
    compliance_list_public = models.BooleanField(
        _("publish the list of covered businesses and their compliance"),
        default=False,
        help_text=_("Off: the public compliance page shows only counts and rates by area and category."),
    )
    # Where businesses write, call or e-mail about the compliance programme: printed on the
    # invitation letters to register and given as the reply address of the e-mailed ones
    # (compliance.licences.letters); a letter is not printed without them.
    compliance_mailing_address = models.TextField(
        _("compliance: the department's mailing address"),
        max_length=300,
        blank=True,
        help_text=_("Street, then city, state and ZIP code, one per line, as on an envelope."),
    )
    compliance_phone = models.CharField(_("compliance: telephone for businesses"), max_length=30, blank=True)
    compliance_reply_email = models.EmailField(_("compliance: e-mail address businesses reply to"), blank=True)
    # The oversight board's anomaly queue (docs/anomalies.md): each rule's threshold.
    anomaly_day_start_hour = models.PositiveSmallIntegerField(
        _("anomalies: working day starts at (hour)"),
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
        help_text=_("Live views started before this hour (department time) are flagged."),
    )
    anomaly_day_end_hour = models.PositiveSmallIntegerField(
        _("anomalies: working day ends at (hour)"),
        default=19,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Live views started at or after this hour (department time) are flagged."),
    )
    anomaly_repeat_opens = models.PositiveSmallIntegerField(
        _("anomalies: openings of one camera by one officer"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(1000)],
        help_text=_("Flagged when an officer opens the same camera this many times within the days below."),
    )
    anomaly_repeat_days = models.PositiveSmallIntegerField(
        _("anomalies: … within (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    anomaly_volume_factor = models.PositiveSmallIntegerField(
        _("anomalies: weekly volume above this many times the officer's median"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
    )
    anomaly_vague_min_words = models.PositiveSmallIntegerField(
        _("anomalies: a purpose with fewer words than this is vague"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    anomaly_sensitive_distance_m = models.PositiveIntegerField(
        _("anomalies: searches this near a sensitive place (metres)"),
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(5000)],
    )
    anomaly_denials = models.PositiveSmallIntegerField(
        _("anomalies: denials before a success"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Flagged when an officer is refused a camera this many times, then allowed, within the minutes below."
        ),
    )
    anomaly_denials_minutes = models.PositiveSmallIntegerField(
        _("anomalies: … within (minutes)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(10080)]
    )
    anomaly_exigent_report_days = models.PositiveSmallIntegerField(
        _("anomalies: days for a case report after exigent access"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_(
            "An exigent purpose is flagged when no footage request or ordinary purpose names its case number "
            "within this many days."
        ),
    )
    # Incidents (issue 17): what the console docks beside an incident, and what intake accepts.
    incident_camera_count = models.PositiveSmallIntegerField(
        _("incidents: cameras shown beside an incident"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("The nearest cameras whose field of view covers the incident's point."),
    )
    incident_radius_m = models.PositiveSmallIntegerField(
        _("incidents: look for cameras within (metres)"),
        default=300,
        validators=[MinValueValidator(10), MaxValueValidator(5000)],
    )
    incident_canvass_minutes = models.PositiveSmallIntegerField(
        _("incidents: footage asked for, minutes either side of the incident time"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    # Plate-reader hits are accepted only for these hotlist categories; a blocked category is
    # refused even if listed as allowed, and the public policy page states the blocked ones.
    plate_hotlist_allowed = ArrayField(
        models.SlugField(max_length=64),
        default=default_plate_hotlist_allowed,
        blank=True,
        verbose_name=_("plate-reader hotlist categories accepted"),
    )
    plate_hotlist_blocked = ArrayField(
        models.SlugField(max_length=64),
        default=default_plate_hotlist_blocked,
        blank=True,
        verbose_name=_("plate-reader hotlist categories always dropped"),
    )
    mobile_position_max_age_seconds = models.PositiveIntegerField(
        _("mobile cameras: a position older than this is not searched (seconds)"),
        default=300,
        validators=[MinValueValidator(5), MaxValueValidator(86400)],
    )
    # H.264 live video (docs/bridge-protocol.md, "H.264 units"): what one camera may send, in place
    # of the JPEG frame-size cap. 8 Mbit/s carries a camera's 1080p main stream; a home upload
    # link is 10-20 Mbit/s.
    live_max_bitrate_kbps = models.PositiveIntegerField(
        _("live video: most a camera may send (kbit/s)"),
        default=8000,
        validators=[MinValueValidator(250), MaxValueValidator(50000)],
    )
    # The department's own cameras: their consent is this policy, not a resident's choice.
    department_camera_level = models.CharField(
        _("the department's own cameras: what officers may do"),
        max_length=20,
        choices=[
            ("registered", _("Know the camera exists")),
            ("on_request", _("Footage on request")),
            ("live_exigent", _("Live in emergencies")),
            ("live", _("Live for any stated purpose")),
        ],
        default="live",
    )
    department_camera_legal_basis = models.TextField(
        _("the department's own cameras: legal basis"),
        blank=True,
        max_length=2000,
        help_text=_("The law or council decision that authorises the department's cameras, as published."),
    )
    language = models.CharField(
        _("department's language"),
        max_length=10,
        choices=language_choices,
        default="en",
        help_text=_("For e-mails to people who have not chosen a language, and the default for invitations."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        history_user_id_field=models.BigIntegerField(null=True, blank=True),
        history_user_getter=_history_user_getter,
        history_user_setter=_history_user_setter,
        bases=[HistoryActorSnapshot],
    )

    class Meta:
        verbose_name = _("department policy")
        verbose_name_plural = _("department policies")

    def __str__(self) -> str:
        return f"Policy of {self.department}"


class OutboxMessage(models.Model):
    """A task that a committed transaction asked for (an owner's notice, an invitation, a
    footage e-mail), kept until a worker has done it: the transactional outbox.

    Written in the caller's transaction (so an action and the notices it owes commit or
    roll back together), published to the broker after the commit, and published again by
    the sweep (tenants.outbox.outbox_sweep) while it is not delivered. The worker locks the
    row, skips it if already delivered, and marks it delivered in the task's transaction.

    It lives in the public schema with its department, not in each department's schema: one
    indexed query finds every department's undelivered notices, so the sweep costs the same
    with three departments or three thousand, and beat sends one task instead of one per
    department. It holds task names and ids, never a person's details.
    """

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a publish to the broker last succeeded (null: never; the broker was down).
    published_at = models.DateTimeField(null=True, blank=True)
    publish_count = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # A task owed later (an owners' notice digest at the end of its window): not published
    # before this time, by the sweep (null: publish at once, after the commit).
    not_before = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweep reads only the few undelivered rows, however many were delivered.
            models.Index(fields=["id"], name="outbox_undelivered", condition=models.Q(delivered_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
