"""Ordinances that require cameras of some properties, and the records that show compliance.

Every model keeps its history (simple-history). Compliance itself is not stored: it is computed
by compliance.rules from these records, the site and its cameras (compliance.selectors).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Value
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cameras.consent import ConsentLevel
from cameras.models import BusinessCategory
from tenants.selectors import department_current

from .rules import PlacementCode, Requirement


class Ordinance(models.Model):
    """A law (or condition of approval) requiring cameras: its requirements are in its versions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    citation = models.CharField(_("legal citation"), max_length=200, blank=True, help_text=_("e.g. Code §30-87"))
    text_url = models.URLField(_("link to the legal text"), blank=True)
    # Retired (repealed, or a program that ended): from this day no version of it judges any
    # site; its versions and records stay, as the law that applied before.
    repealed_on = models.DateField(_("no longer in force from"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


PLACEMENT_LABELS = {
    PlacementCode.ENTRANCE: _("Entrances and exits"),
    PlacementCode.PARKING: _("Parking"),
    PlacementCode.REGISTER: _("Registers"),
    PlacementCode.FUEL_PUMP: _("Each fuel pump"),
    PlacementCode.LOADING_DOCK: _("Loading docks"),
}


class OrdinanceVersion(models.Model):
    """What an ordinance requires from a date on; a site is judged by the version in force."""

    ordinance = models.ForeignKey(Ordinance, on_delete=models.PROTECT, related_name="versions")
    effective_on = models.DateField(_("in force from"))
    # Who is covered
    property_kinds = ArrayField(
        models.CharField(max_length=20), default=list, blank=True, verbose_name=_("property kinds (empty: all)")
    )
    business_categories = ArrayField(
        models.CharField(max_length=24, choices=BusinessCategory.choices),
        default=list,
        blank=True,
        verbose_name=_("business categories (empty: all)"),
    )
    built_after = models.DateField(_("built or remodelled on or after"), null=True, blank=True)
    min_units = models.PositiveIntegerField(_("at least this many units"), null=True, blank=True)
    min_parking_spaces = models.PositiveIntegerField(_("at least this many parking spaces"), null=True, blank=True)
    min_floor_area_sqft = models.PositiveIntegerField(_("at least this floor area (sq ft)"), null=True, blank=True)
    # What it requires (each optional)
    min_cameras = models.PositiveSmallIntegerField(
        _("minimum number of cameras"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    placements = ArrayField(
        models.CharField(max_length=20, choices=[(code.value, label) for code, label in PLACEMENT_LABELS.items()]),
        default=list,
        blank=True,
        verbose_name=_("required placements"),
    )
    min_megapixels = models.DecimalField(
        _("minimum resolution (MP)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1)],
    )
    min_fps = models.PositiveSmallIntegerField(
        _("minimum frame rate (fps)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    night_vision = models.BooleanField(_("night vision required"), default=False)
    retention_days = models.PositiveSmallIntegerField(
        _("minimum retention (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    min_consent = models.CharField(
        _("minimum consent"),
        max_length=20,
        blank=True,
        choices=[
            (ConsentLevel.REGISTERED.value, _("Registered")),
            (ConsentLevel.ON_REQUEST.value, _("Footage on request")),
            (ConsentLevel.LIVE_EXIGENT.value, _("Live in emergencies")),
            (ConsentLevel.LIVE.value, _("Live")),
        ],
    )
    live_connection_required = models.BooleanField(_("live connection required (a connected bridge)"), default=False)
    delivery_hours = models.PositiveSmallIntegerField(
        _("footage delivery deadline (hours)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    signage = models.BooleanField(_("signage required"), default=False)
    lighting = models.BooleanField(_("lighting required"), default=False)
    attestation_at_renewal = models.BooleanField(_("attestation due at business-licence renewal"), default=False)
    attestation_month = models.PositiveSmallIntegerField(
        _("attestation due: month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    attestation_day = models.PositiveSmallIntegerField(
        _("attestation due: day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    cure_days = models.PositiveSmallIntegerField(_("cure period after a notice (days)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["ordinance", "-effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["ordinance", "effective_on"], name="ordinance_version_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.ordinance} ({self.effective_on:%Y-%m-%d})"


class Attestation(models.Model):
    """The owner's signed yearly affidavit. Immutable: nothing edits or deletes one (no service
    does, the admin is read-only); the text attested is kept with its SHA-256."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey("cameras.Site", on_delete=models.PROTECT, related_name="attestations")
    version = models.ForeignKey(OrdinanceVersion, on_delete=models.PROTECT, related_name="attestations")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_name = models.CharField(_("name typed as signature"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"))
    ip_address = models.GenericIPAddressField(_("signed from (IP)"), null=True, blank=True)
    text = models.TextField(_("text attested"))
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    confirmed = ArrayField(
        models.CharField(max_length=20, choices=[(r.value, r.value) for r in Requirement]),
        default=list,
        verbose_name=_("requirements confirmed"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.signed_name}, {self.signed_at:%Y-%m-%d}"


class Inspection(models.Model):
    """A visit by staff: findings per requirement ({code: true when met})."""

    site = models.ForeignKey("cameras.Site", on_delete=models.PROTECT, related_name="inspections")
    ordinance = models.ForeignKey(Ordinance, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    findings = models.JSONField(_("findings per requirement"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="inspections/%Y/%m/", null=True, blank=True)
    # The version in force on the day, whose requirements the findings answer (None: entered
    # in the admin before the console page existed).
    version = models.ForeignKey(
        OrdinanceVersion, on_delete=models.PROTECT, related_name="inspections", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["photo"])

    class Meta:
        ordering = ["-inspected_on"]

    def __str__(self) -> str:
        return f"{self.site} {self.inspected_on:%Y-%m-%d}"


class Notice(models.Model):
    """A notice of non-compliance with a cure deadline."""

    site = models.ForeignKey("cameras.Site", on_delete=models.PROTECT, related_name="notices")
    ordinance = models.ForeignKey(Ordinance, on_delete=models.PROTECT, related_name="notices")
    issued_on = models.DateField(_("issued on"))
    cure_by = models.DateField(_("cure by"))
    text = models.TextField(_("what must be fixed"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    resolution = models.TextField(_("how it was resolved"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return f"{self.site}: cure by {self.cure_by:%Y-%m-%d}"


class AppealKind(models.TextChoices):
    EXEMPTION = "exemption", _("Exemption")
    APPEAL = "appeal", _("Appeal")


class AppealDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for the department")
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")


class Appeal(models.Model):
    """An owner's request for an exemption from, or an appeal against, an ordinance's finding;
    the department decides with reasons."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey("cameras.Site", on_delete=models.PROTECT, related_name="appeals")
    ordinance = models.ForeignKey(Ordinance, on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField(_("request"), max_length=10, choices=AppealKind.choices)
    reason = models.TextField(_("reason"), max_length=4000)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=AppealDecision.choices, default=AppealDecision.PENDING
    )
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    exempt_until = models.DateField(_("exempt until (empty: no end)"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.site}"


class ComplianceRecord(models.Model):
    """The stored judgement of one covered site under one ordinance (or the policy's): what the
    dashboard, its map, its CSV and the public page read, so that 10,000 sites are counted and
    filtered in SQL instead of judged on every page view.

    Derived data, written only by compliance.records (never edited by a person), so it keeps no
    history: the records it is computed from do. A site that no ordinance covers has no row.

    Kept current by compliance.tasks: one site after each change to it (site, cameras, consent,
    bridge, attestations, inspections, notices, appeals), every site after an ordinance change
    and nightly. ``recheck_on`` is the first day on which time alone can change the judgement
    (an attestation falling due or expiring, a cure deadline passing, an exemption or a consent
    ending, a new version coming into force): a read first recomputes the rows whose day has come
    (compliance.records.records_refresh_stale), so "due soon" and "expired" are right whenever
    they are read, not only after the nightly run.
    """

    site = models.ForeignKey("cameras.Site", on_delete=models.CASCADE, related_name="compliance_records")
    # The ordinance's public id, or compliance.selectors.POLICY_KEY for the policy's flags.
    ordinance_key = models.CharField(max_length=40)
    ordinance = models.ForeignKey(Ordinance, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    version = models.ForeignKey(OrdinanceVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20)
    # compliance.rules' order of statuses (worst highest): a site's status is its rows' maximum.
    rank = models.PositiveSmallIntegerField()
    unmet = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    failed = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    next_attestation_due = models.DateField(null=True, blank=True)
    recheck_on = models.DateField(null=True, blank=True)
    # The police area the site lies in when judged (places.PoliceArea), for the filters and
    # the public rates by area; an area import reaches it with the next nightly run.
    police_area = models.ForeignKey("places.PoliceArea", on_delete=models.SET_NULL, null=True, blank=True)
    # The site's business category when judged (a change to it re-judges the site): the filter
    # and the public rates by category read it here, without joining every site.
    category = models.CharField(max_length=24, blank=True)
    computed_at = models.DateTimeField()
    # The site's status over all its ordinances (the worst rank of its rows), on each row, and
    # one row per site marked ``primary``: the dashboard counts, pages and maps sites with an
    # indexed filter instead of grouping every row by site on each view.
    site_rank = models.PositiveSmallIntegerField()
    primary = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "ordinance_key"], name="compliance_record_site_ordinance"),
        ]
        indexes = [
            models.Index(fields=["recheck_on"], name="compliance_record_recheck"),
            models.Index(fields=["computed_at"], name="compliance_record_computed"),
            models.Index(fields=["ordinance_key", "rank", "site"], name="compliance_record_ord_rank"),
            models.Index(
                fields=["site_rank", "site"], name="compliance_record_primary", condition=models.Q(primary=True)
            ),
            models.Index(
                fields=["category", "site_rank", "site"],
                name="compliance_record_category",
                condition=models.Q(primary=True),
            ),
            models.Index(
                fields=["next_attestation_due", "site"],
                name="compliance_record_overdue",
                condition=models.Q(failed__contains=["attestation"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.ordinance_key}: {self.status}"


class CoverageExit(models.Model):
    """An owner's edit of what decides coverage (kind, business category, construction date,
    units, parking spaces, floor area) that took their site out of one or more ordinances that
    covered it. The owner may correct their data; the department is told (its compliance staff
    get a notice, the dashboard flags the site until someone reviews it) and sees what changed.

    Written only by compliance.coverage_exits: in the owner's transaction (the edit and its flag
    commit together or not at all), and when staff mark it reviewed. Its history keeps who
    reviewed it; the site's own history keeps the edit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey("cameras.Site", on_delete=models.CASCADE, related_name="coverage_exits")
    # The ordinances left, by key (an ordinance's public id, or compliance.selectors.POLICY_KEY
    # for the policy's flags) and by name as they were then (an ordinance may be renamed later).
    ordinance_keys = ArrayField(models.CharField(max_length=40), verbose_name=_("ordinances"))
    ordinance_names = ArrayField(models.CharField(max_length=200), verbose_name=_("ordinances"))
    # {field: [before, after]} of the edit, each value as text ("" for blank, dates ISO 8601),
    # for every field of the edit that decides coverage, whether or not it alone took it out.
    changes = models.JSONField(_("changes"), default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(
                fields=["changed_at"], name="coverage_exit_open", condition=models.Q(reviewed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} left {'; '.join(self.ordinance_names)}"


# --- The city's business licences and building permits (compliance.licences) ---------------


class LicenceSource(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licences")
    BUILDING_PERMIT = "building_permit", _("Building permits")


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("Waiting for the column mapping")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped by an error")


def _import_upload_to(instance: LicenceImportJob, filename: str) -> str:
    # Each department's files apart; the name is the job's, never the uploader's.
    return f"licence-imports/{department_current().schema_name}/{instance.public_id}.csv"


class LicenceImportJob(models.Model):
    """One CSV file of the city's licences or permits, its column mapping and its progress.
    Written only by compliance.licences.services; the rows it imports are Licence rows."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("what the file lists"), max_length=20, choices=LicenceSource.choices)
    file = models.FileField(upload_to=_import_upload_to, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.BigIntegerField(_("size (bytes)"))
    encoding = models.CharField(_("encoding"), max_length=20)
    has_header = models.BooleanField(_("the first row holds the column titles"), default=True)
    columns = models.JSONField(default=list)  # the first row's cells (titles or values)
    preview = models.JSONField(default=list)  # the first rows, as shown on the mapping page
    mapping = models.JSONField(default=dict)  # compliance.licences.reader.LicenceField value -> column
    unknown_as_other = models.BooleanField(_("read an unknown category as 'Other business'"), default=False)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.MAPPING)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(null=True, blank=True)
    # [{"line", "problem", "params", "column"}]: every problem of the first bad rows
    errors = models.JSONField(default=list)
    failure = models.TextField(blank=True)  # why a failed job stopped
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
        if not self.rows_total:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, (self.rows_done * 100) // self.rows_total)


class MatchedBy(models.TextChoices):
    PERMIT = "permit", _("Permit or licence number")
    PARCEL = "parcel", _("Parcel number")
    ADDRESS = "address", _("Address")


class Licence(models.Model):
    """A business licence or building permit as the city's file lists it, and the registered
    site it was matched to. One row per (source, number): a re-import updates it in place and
    its history keeps what it said before. Written only by compliance.licences.services."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=20, choices=LicenceSource.choices)
    number = models.CharField(_("licence or permit number"), max_length=64)
    parcel_number = models.CharField(_("parcel number"), max_length=64, blank=True)
    name = models.CharField(_("business name"), max_length=200)
    address = models.CharField(_("address"), max_length=255)
    # The rest of the mailing address, from the file's own columns when it has them: the
    # invitation letter cannot be mailed without them (compliance.licences.letters).
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    # compliance.licences.addresses.address_match_key(address): what matching compares.
    address_key = models.CharField(max_length=255, db_index=True)
    category = models.CharField(_("business category"), max_length=24, choices=BusinessCategory.choices, blank=True)
    category_raw = models.CharField(_("category in the file"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    renews_on = models.DateField(_("renews on"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    site = models.ForeignKey("cameras.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="licences")
    matched_by = models.CharField(_("matched by"), max_length=10, choices=MatchedBy.choices, blank=True)
    import_job = models.ForeignKey(LicenceImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="licence_unique_source_number"),
        ]
        indexes = [
            models.Index(fields=["site", "category"], name="licence_site_category"),
            # A re-import finds a licence by its number as matching compares it
            # (compliance.licences.services._sql_reference_key: the same expression, or the
            # index is not used and every batch reads every licence).
            models.Index(
                F("source"),
                Upper(Func(F("number"), Value("[^0-9A-Za-z]+"), Value(""), Value("g"), function="regexp_replace")),
                name="licence_source_number_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class InvitationChannel(models.TextChoices):
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")


class LicenceInvitation(models.Model):
    """One invitation to register sent to a licensed business that is not registered: who
    sent it, when, and how. Never changed: it is the record of the sending."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="invitations")
    channel = models.CharField(_("sent by"), max_length=10, choices=InvitationChannel.choices)
    email = models.EmailField(_("e-mail address"), blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.licence}: {self.channel} {self.sent_at:%Y-%m-%d}"


class Certificate(models.Model):
    """A compliance certificate issued to a compliant site: a short code anyone can check on
    the department's public page (compliance.certificates). Revoked, never deleted: when the
    site stops complying (found at the next check) or by staff, with the reason."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # 16 characters of Crockford's base32 (80 random bits), stored without the dashes.
    code = models.CharField(_("verification code"), max_length=16, unique=True, editable=False)
    # A deleted site leaves its certificates behind (as the check's "revoked"), without it.
    site = models.ForeignKey(
        "cameras.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="certificates"
    )
    versions = models.ManyToManyField(OrdinanceVersion, related_name="certificates", verbose_name=_("ordinances"))
    # What the public check shows, fixed at issue: the ordinances' names and citations, and
    # the street block (never the house number: compliance.certificates.street_block).
    ordinances = models.JSONField(_("ordinances certified"), default=list)
    street_block = models.CharField(_("street block"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    valid_until = models.DateField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # None with revoked_at set: revoked automatically, the site having stopped complying.
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField(_("reason for the revocation"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revocation_reason=""),
                name="compliance_certificate_revoked_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code[:4]}-{self.code[4:8]}-{self.code[8:12]}-{self.code[12:]}"

    @property
    def ordinance_lines(self) -> list[str]:
        return ordinance_lines(self.ordinances)

    @property
    def any_exempt(self) -> bool:
        return any(o.get("exempt") for o in self.ordinances)


def ordinance_lines(ordinances: list[dict[str, Any]]) -> list[str]:
    """Each ordinance of a certificate as the PDF and the pages word it: the name, the citation
    and, for one the site is only exempt from, "exempt until <date>" (or "exempt")."""
    lines = []
    for o in ordinances:
        text = o["name"] + (f" ({o['citation']})" if o.get("citation") else "")
        if o.get("exempt"):
            text += (
                _(", exempt until %(date)s") % {"date": o["exempt_until"]}
                if o.get("exempt_until")
                else str(_(", exempt with no end date"))
            )
        lines.append(text)
    return lines


def _schema_path(folder: str, filename: str) -> str:
    """A stored file's name: under the department's schema (several departments share one
    storage) and a random name (the owner's file name is kept in the row, never in a path)."""
    from django.db import connection

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    schema = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' connection
    return f"compliance/{schema}/{folder}/{uuid.uuid4().hex}.{suffix}"


def inspection_photo_path(instance: InspectionPhoto, filename: str) -> str:
    return _schema_path("inspections", filename)


def appeal_attachment_path(instance: AppealAttachment, filename: str) -> str:
    return _schema_path("appeals", filename)


class InspectionPhoto(models.Model):
    """A photo taken at an inspection (compliance.services.inspection_record checks its bytes)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=inspection_photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["image"])

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.inspection} photo {self.pk}"


class AppealAttachment(models.Model):
    """A file an owner sent with an exemption or appeal request (PDF, JPEG or PNG, by its bytes)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=appeal_attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class ReminderKind(models.TextChoices):
    ATTESTATION_30 = "attestation_30", _("Attestation due in 30 days")
    ATTESTATION_7 = "attestation_7", _("Attestation due in 7 days")
    CURE_DEADLINE = "cure_deadline", _("Cure deadline of a notice")


class Reminder(models.Model):
    """A reminder sent to a site's owner (compliance.tasks). The unique key makes it once per
    site, ordinance, due date and kind, however often or concurrently the beat task runs: a
    second run's insert waits for the first's commit and then conflicts."""

    site = models.ForeignKey("cameras.Site", on_delete=models.CASCADE, related_name="compliance_reminders")
    ordinance = models.ForeignKey(Ordinance, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "ordinance", "due_on", "kind"], name="compliance_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.site_id} {self.due_on:%Y-%m-%d}"
