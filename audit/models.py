"""AccessEvent: the append-only, hash-chained log of every police access.

Rows are only ever inserted, by audit.services.access_event_record, which hashes the
contents; a BEFORE INSERT trigger (migration 0005) assigns the sequence number, time and
chain hash under a per-schema advisory lock. A trigger (migration 0002) rejects UPDATE,
DELETE and TRUNCATE. The log stores typed references ("camera:<uuid>"),
never foreign keys into other apps, so it outlives what it refers to.

ChainVerification: every verification of the chain and the head it reached (audit.verify).
"""

import functools
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Role

from .reasons import reason_label

# The times Python can hold (a day inside year 1 to 9999, so that no time zone takes them out).
READABLE_TIME_SQL = "CASE WHEN {0} >= '0001-01-02 00:00:00+00' AND {0} < '9999-12-31 00:00:00+00' THEN {0} END"


class Action(models.TextChoices):
    """Documented in docs/audit-events.md; a test fails when one is missing there."""

    PURPOSE_DECLARE = "purpose_declare", _("Purpose stated")
    EXIGENT_APPROVE = "exigent_approve", _("Exigent purpose approved")
    EXIGENT_DENY = "exigent_deny", _("Exigent purpose denied")
    MAP_VIEW = "map_view", _("Camera map viewed")
    SEARCH = "search", _("Area search")
    CAMERA_VIEW = "camera_view", _("Camera details viewed")
    OWNER_CONTACT_VIEW = "owner_contact_view", _("Owner contact viewed")
    MESSAGE_SEND = "message_send", _("Message sent to the owner")
    EXPORT = "export", _("Canvass list exported")
    FOOTAGE_REQUEST = "footage_request", _("Footage requested")
    LIVE_START = "live_start", _("Live view started")
    LIVE_END = "live_end", _("Live view ended")
    LIVE_EXTEND = "live_extend", _("Live view extended")
    CLIP_VIEW = "clip_view", _("Clip viewed")
    CLIP_DOWNLOAD = "clip_download", _("Clip downloaded")
    EVIDENCE_HOLD = "evidence_hold", _("Legal hold placed or released")
    AUDIT_READ = "audit_read", _("Access log read")
    LOG_EXPORT = "log_export", _("Access log exported")
    CONSOLE_DENIED = "console_denied", _("Console access refused")
    CHAIN_REANCHORED = "chain_reanchored", _("Log break acknowledged by the operator")
    ANOMALY_REVIEW = "anomaly_review", _("Anomaly flag reviewed by the board")
    BOARD_RECORD = "board_record", _("Complaint or records request entered by the board")
    INSPECTION_RECORD = "inspection_record", _("Ordinance inspection recorded")
    NOTICE_ISSUE = "notice_issue", _("Ordinance notice issued")
    NOTICE_RESOLVE = "notice_resolve", _("Ordinance notice resolved")
    APPEAL_DECIDE = "appeal_decide", _("Exemption or appeal decided")
    APPEAL_ATTACHMENT_VIEW = "appeal_attachment_view", _("Appeal attachment downloaded")
    INTEGRATION_CHANGE = "integration_change", _("Integration added, rotated or (de)activated")
    PLATE_HIT_BLOCKED = "plate_hit_blocked", _("Plate-reader hit dropped by policy")
    INSPECTION_PHOTO_VIEW = "inspection_photo_view", _("Inspection photo viewed")
    LICENCE_INVITE = "licence_invite", _("Businesses invited to register (licence import)")
    TRACK_READ = "track_read", _("Track of a mobile camera's live view read")
    COMPLIANCE_OWNER_DENIED = "compliance_owner_denied", _("Owner refused another owner's compliance record")
    LOG_FAILURE_RESOLVE = "log_failure_resolve", _("Failure of the log's verification resolved by the board")
    OWNER_DENIED = "owner_denied", _("Owner refused another owner's property or camera")


# The units writers give ``quantity``, in words.
QUANTITY_UNITS = {
    "rows": _("rows"),
    "results": _("results"),
    "seconds": _("seconds"),
    "bytes": _("bytes"),
    "invitations": _("invitations"),
}


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    DENIED = "denied", _("denied")


class Authority(models.TextChoices):
    CONSENT = "consent", _("Owner's consent")
    WARRANT = "warrant", _("Warrant")
    EXIGENT = "exigent", _("Exigent circumstances")


class ReadableDateTimeField(models.DateTimeField):
    """A time that is read as None when Python cannot hold it (infinity, before year 1, after
    9999). The database clock never writes one; a superuser editing a row can, and every page
    listing the row would then be a server error. Pages show None as a changed time; the
    verifier reports the row (audit.verify)."""

    def select_format(self, compiler: Any, sql: str, params: Any) -> tuple[str, Any]:
        return READABLE_TIME_SQL.format(sql), params


@functools.cache
def _choice_labels(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    """A choice class's values and labels in one language, computed once per process. Django's
    ``get_FOO_display`` flattens and hashes every (lazy) label of the field on each call: with
    the ~70 actions, a page of 50 events spent most of its time translating labels it did not
    show (bench/board_search.py)."""
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def choice_label(choices: type[models.TextChoices], value: str) -> str:
    """``value``'s label in the active language (a value the code no longer knows, as itself)."""
    return _choice_labels(choices, translation.get_language()).get(value, value)


class AccessEvent(models.Model):
    seq = models.BigIntegerField(unique=True)
    occurred_at = ReadableDateTimeField()  # the database clock, UTC, microseconds
    # Actor snapshot: what was true of the person at that moment.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    actor_badge = models.CharField(max_length=32, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    actor_mfa = models.BooleanField(default=False)
    session_hash = models.CharField(max_length=64, blank=True)
    # Text, stored exactly as hashed (audit.services._ip); inet would respell some addresses.
    client_ip = models.CharField(max_length=45, null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    targets = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    # Owners whose cameras the event touched (user ids), so they can see it.
    owner_refs = ArrayField(models.BigIntegerField(), default=list, blank=True)
    case_number = models.CharField(max_length=64, blank=True)
    purpose_category = models.CharField(max_length=64, blank=True)
    purpose_text = models.CharField(max_length=500, blank=True)
    authority = models.CharField(max_length=16, choices=Authority.choices, blank=True)
    warrant_number = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    reason = models.CharField(max_length=64)
    consent_level = models.CharField(max_length=20, blank=True)
    consent_history_id = models.BigIntegerField(null=True, blank=True)
    quantity = models.BigIntegerField(null=True, blank=True)
    quantity_unit = models.CharField(max_length=16, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # Set by the database (migration 0005) from content_hash; empty content_hash: a v1 row.
    content_hash = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            GinIndex(fields=["owner_refs"], name="audit_event_owner_refs"),
            models.Index(fields=["action", "occurred_at"], name="audit_event_action_time"),
            models.Index(fields=["actor_id", "occurred_at"], name="audit_event_actor_time"),
            # The board's search (audit.log_search) pages by (occurred_at, seq); each filter of
            # one value has an index that yields its events in that order (migration 0014).
            models.Index(fields=["occurred_at", "seq"], name="audit_event_time_seq"),
            models.Index(fields=["actor_badge", "occurred_at"], name="audit_event_badge_time"),
            models.Index(fields=["case_number", "occurred_at"], name="audit_event_case_time"),
            # The board's search by case number, whatever its case (audit.log_search); the exact
            # index above stays for the anomaly rule that matches a case exactly.
            models.Index(Upper("case_number"), "occurred_at", name="audit_event_case_upper_time"),
            models.Index(fields=["purpose_category", "occurred_at"], name="audit_event_category_time"),
            models.Index(fields=["reason", "occurred_at"], name="audit_event_reason_time"),
            models.Index(
                fields=["occurred_at", "seq"], condition=models.Q(outcome="denied"), name="audit_event_denied_time"
            ),
            GinIndex(fields=["targets"], name="audit_event_targets"),
            # Purpose text contains …, whatever the case (Django's icontains is UPPER(…) LIKE
            # UPPER('%…%')): trigrams of the upper-cased text (pg_trgm, migration 0019).
            GinIndex(OpClass(Upper("purpose_text"), name="gin_trgm_ops"), name="audit_event_purpose_trgm"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="audit_event_reason_required"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["allowed", "denied"]), name="audit_event_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"

    def actor_role_label(self) -> str:
        """The role the actor held, in words (a role the code no longer knows, as itself)."""
        return choice_label(Role, self.actor_role)

    def quantity_unit_label(self) -> str:
        """The unit of ``quantity`` in words (one the code does not know, as itself)."""
        return str(QUANTITY_UNITS.get(self.quantity_unit, self.quantity_unit))

    def reason_label(self) -> str:
        """The reason in words with its code, for the board (audit.reasons.reason_label)."""
        return reason_label(self.reason)

    def action_label(self) -> str:
        """The action in words. ``export`` is also a footage request's evidence package,
        told apart by its targets, which name clips (docs/audit-events.md)."""
        if self.action == Action.EXPORT and any(target.startswith("clip:") for target in self.targets):
            return str(_("Footage exported as evidence"))
        return self.get_action_display()

    # Django adds these unless the class defines them: the same labels, from the cached table.
    def get_action_display(self) -> str:  # type: ignore[no-redef]  # the stubs declare Django's; this replaces it
        return choice_label(Action, self.action)

    def get_outcome_display(self) -> str:  # type: ignore[no-redef]  # as above
        return choice_label(Outcome, self.outcome)


class VerificationKind(models.TextChoices):
    FULL = "full", _("full")  # every event from #1, held to the last verified head
    INCREMENTAL = "incremental", _("incremental")  # the events after the last full verification's head


class ChainVerification(models.Model):
    """One verification of the department's chain (audit.verify), kept in its schema.

    An ``ok`` row is a verified head: events #1 to ``seq`` verified, and event ``seq`` had
    ``hash``. The next verification holds the chain to the newest one, so a history
    rewritten and re-hashed without touching this table is caught, whatever became of the
    cache. A failed row records what was found (``broken_seq``, ``problem``) and keeps the
    oversight page flagged until a later verification holds again. Rows are only inserted
    (a trigger, migration 0011). This table is in the same database as the log: someone who
    can edit both can make them agree; the head kept outside (the public page, the board's
    checkpoint) is what catches that.
    """

    verified_at = models.DateTimeField()
    how = models.CharField(max_length=12, choices=VerificationKind.choices)
    by = models.CharField(max_length=60)  # what ran it: "hourly task", "audit_verify", "oversight page", …
    ok = models.BooleanField()
    # ok: the head reached; failed: the last event found intact before the break (0: none).
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    broken_seq = models.BigIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.how} verification up to #{self.seq}: {'ok' if self.ok else 'broken'}"


# --- Rollups: the log's figures kept up to date as events are written (audit.rollups) --------
# No page that shows figures reads the log itself: at a million events a year a scan costs
# seconds; these tables hold a few tens of thousands of rows a year. Each is rebuilt from the
# log by ``audit_rollups_rebuild`` and tested equal to a full scan (tests/audit/test_rollups.py).


class DayRollup(models.Model):
    """Events per department-local day, action, outcome, reason, purpose category and
    evidence (an export naming clips), with the sum of their quantity (seconds for a
    live_end: live minutes)."""

    day = models.DateField()
    action = models.CharField(max_length=32)
    outcome = models.CharField(max_length=8)
    reason = models.CharField(max_length=64)
    category = models.CharField(max_length=64, blank=True)
    evidence = models.BooleanField(default=False)
    events = models.BigIntegerField()
    quantity = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "action", "outcome", "reason", "category", "evidence"], name="audit_dayrollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.action} {self.outcome}: {self.events}"


class MonthRollup(models.Model):
    """DayRollup per local month (its first day): a year's figures read a few thousand rows
    instead of a day table's hundred thousand."""

    month = models.DateField()
    action = models.CharField(max_length=32)
    outcome = models.CharField(max_length=8)
    reason = models.CharField(max_length=64)
    category = models.CharField(max_length=64, blank=True)
    evidence = models.BooleanField(default=False)
    events = models.BigIntegerField()
    quantity = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "action", "outcome", "reason", "category", "evidence"], name="audit_monthrollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.action} {self.outcome}: {self.events}"


class HourRollup(models.Model):
    """Events per department-local month, ISO weekday (1 Monday .. 7 Sunday), hour of day,
    action and outcome: the "when" of the dashboard."""

    month = models.DateField()  # its first day
    weekday = models.PositiveSmallIntegerField()
    hour = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=32)
    outcome = models.CharField(max_length=8)
    events = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "weekday", "hour", "action", "outcome"], name="audit_hourrollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} day {self.weekday} {self.hour}h {self.action}: {self.events}"


class AreaRollup(models.Model):
    """Events with a place (a search's centre, a camera's position) per department-local day,
    police area, action and outcome. The log knows nothing of places or cameras: these rows
    are computed above both (cameras.area_rollups) and stored here as typed references
    (``area_ref`` "police_area:<id>", or "" for a place in no police area) with the
    area's name as it was."""

    day = models.DateField()
    area_ref = models.CharField(max_length=40, blank=True)
    area_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=32)
    outcome = models.CharField(max_length=8)
    events = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "area_ref", "action", "outcome"], name="audit_arearollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_name or '-'} {self.action}: {self.events}"


class AreaRollupMark(models.Model):
    """How far the police-area figures (``AreaRollup``) have read the log, and the time zone
    they were counted in from the start. One row. Like the figures, written only by the
    owner's function that counts them (cameras migration 0014, SECURITY DEFINER) and by the
    owner's rebuild: the serving processes' app role only reads it (docs/database-roles.md)."""

    id = models.SmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    time_zone = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_arearollupmark_one_row")]

    def __str__(self) -> str:
        return f"areas up to #{self.seq}"


class RollupMark(models.Model):
    """How far work the serving processes catch up after the fact (the anomaly queue's rules,
    cameras.anomalies) has read the log. The police areas keep theirs apart (AreaRollupMark)."""

    name = models.CharField(max_length=32, unique=True)
    seq = models.BigIntegerField(default=0)
    time_zone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name} up to #{self.seq}"


class SigningKey(models.Model):
    """The department's Ed25519 key for evidence exports and log checkpoints (one active key;
    audit.signing). Moved from footage, its table kept: ``footage_signingkey``."""

    private_key = models.BinaryField()  # raw 32 bytes; in production, keep it in a KMS instead
    public_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The log's name in its checkpoints, which is also this key's name (audit.checkpoints.log_origin):
    # fixed when first used, so that a change of host does not rename the log under its witnesses.
    log_origin = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        db_table = "footage_signingkey"

    def __str__(self) -> str:
        return f"signing key {self.pk}"


# MerkleNode.position: the level in the bits above these, the index in them (2^48 leaves).
MERKLE_INDEX_BITS = 48


class MerkleNode(models.Model):
    """One complete perfect subtree of the log's Merkle tree (audit.merkle): 2^level events
    from #index·2^level + 1. Derived from the events and never changed once complete; grown by
    audit.checkpoints, which rebuilds them from the events if the events no longer match."""

    position = models.BigIntegerField(primary_key=True)  # level << MERKLE_INDEX_BITS | index
    hash = models.BinaryField()

    def __str__(self) -> str:
        return f"node {self.position >> MERKLE_INDEX_BITS}/{self.position & ((1 << MERKLE_INDEX_BITS) - 1)}"


class SignedCheckpoint(models.Model):
    """A checkpoint of the log as published: its tree size and root, and the C2SP signed note
    (audit.checkpoints, docs/transparency-log.md) exactly as served. Rows are only inserted
    (a trigger, migration 0015)."""

    tree_size = models.BigIntegerField()
    root_hash = models.BinaryField()
    made_at = models.DateTimeField()
    note = models.TextField()
    # Why the tree was rebuilt from the events before this checkpoint (empty: it only grew):
    # the events no longer matched the tree, so the checkpoints before it no longer match the log.
    rewrite_found = models.TextField(blank=True, default="", db_default="")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["tree_size"], name="audit_checkpoint_size")]

    def __str__(self) -> str:
        return f"checkpoint of {self.tree_size} events"


# --- Failures of the log's verification (audit.integrity, docs/transparency-log.md) ---------


class LogFailure(models.Model):
    """A rewrite of the log that a verification found: the hourly walk of the chain or
    ``audit_verify`` (audit.verify), or the checkpoint's growth of the Merkle tree
    (audit.checkpoints). Kept once per rewrite found (audit.integrity.log_failure_record), and
    told to the board, the department's administrators and everyone who reads the public page
    or an owner's pages, until and after the board records it resolved (LogFailureResolution).
    Rows are only inserted (a trigger, migration 0034)."""

    found_at = models.DateTimeField()
    found_by = models.CharField(max_length=60)  # which check found it, in words
    # The first event whose stored contents (or hash) no longer match what was written, and the
    # last; None when the check could not tell which (then ``problem`` says what it found).
    first_seq = models.BigIntegerField(null=True, blank=True)
    last_seq = models.BigIntegerField(null=True, blank=True)
    events = models.BigIntegerField(default=0)  # how many events in that range no longer match
    # When the last event still intact before ``first_seq`` was recorded: the affected events
    # were recorded after it (their own times may be what was changed).
    since = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=1000)

    class Meta:
        ordering = ["-found_at", "-pk"]

    def __str__(self) -> str:
        return f"log failure {self.pk} at #{self.first_seq}"


class LogFailureResolution(models.Model):
    """The oversight board's record that it reviewed a failure and what it concluded: published
    with the failure, which stays on every page, marked resolved. One per failure; rows are only
    inserted (a trigger, migration 0034), each logged as ``log_failure_resolve``."""

    failure = models.OneToOneField(LogFailure, on_delete=models.PROTECT, related_name="resolution")
    note = models.TextField()
    resolved_at = models.DateTimeField()
    reviewer_id = models.BigIntegerField(null=True, blank=True)
    reviewer_label = models.CharField(max_length=200, blank=True)
    event_seq = models.BigIntegerField()  # the log_failure_resolve event that logged it

    def __str__(self) -> str:
        return f"resolution of log failure {self.failure_id}"


# --- The anomaly queue (docs/anomalies.md) ---------------------------------------------------


class AnomalyRule(models.TextChoices):
    OFF_HOURS = "off_hours", _("Live view outside working hours")
    REPEAT_CAMERA = "repeat_camera", _("Same officer, same camera, again and again")
    WEEKLY_VOLUME = "weekly_volume", _("Weekly volume far above the officer's own")
    VAGUE_PURPOSE = "vague_purpose", _("Search with a vague purpose")
    SENSITIVE_PLACE = "sensitive_place", _("Search near a sensitive place")
    DENIALS_THEN_SUCCESS = "denials_then_success", _("Repeated denials, then a success")
    EXIGENT_NO_REPORT = "exigent_no_report", _("Exigent access without a later case report")


class AnomalyFlag(models.Model):
    """One finding of a rule (computed above the log by cameras.anomalies, stored here so the
    board's page never scans the log). ``key`` makes each finding once: the engine inserts
    with ON CONFLICT DO NOTHING, so running it twice changes nothing."""

    rule = models.CharField(max_length=32, choices=AnomalyRule.choices)
    key = models.CharField(max_length=200)
    seqs = ArrayField(models.BigIntegerField(), default=list)  # the events, oldest first
    occurred_at = models.DateTimeField()  # when the deciding event happened
    officer_id = models.BigIntegerField(null=True, blank=True)
    officer_label = models.CharField(max_length=200, blank=True)
    officer_badge = models.CharField(max_length=32, blank=True)
    details = models.JSONField(default=dict, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="audit_anomalyflag_key")]
        indexes = [models.Index(fields=["rule", "occurred_at"], name="audit_anomalyflag_rule_time")]

    def __str__(self) -> str:
        return f"{self.rule} {self.key}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The one change allowed (audit.anomalies.anomaly_flags_accumulate); the trigger of
        # migration 0031 also refuses it once the flag is reviewed, or if events are dropped.
        if self.pk is not None and list(kwargs.get("update_fields") or ()) != ["seqs"]:
            raise ValueError("An anomaly flag is never changed; only its events grow until it is reviewed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("An anomaly flag is never deleted.")


class AnomalyReview(models.Model):
    """A board member's note on a flag. Rows are only inserted (a trigger, migration 0018, and
    ``save``/``delete`` refuse a change); a later note adds to an earlier one."""

    flag = models.ForeignKey(AnomalyFlag, on_delete=models.PROTECT, related_name="reviews")
    note = models.TextField()
    reviewer_id = models.BigIntegerField(null=True, blank=True)
    reviewer_label = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateTimeField()
    event_seq = models.BigIntegerField()  # the anomaly_review event that logged it

    class Meta:
        ordering = ["reviewed_at", "pk"]

    def __str__(self) -> str:
        return f"review of flag {self.flag_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A review note is never changed: add another.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("A review note is never deleted.")


# --- Complaints and public-records requests entered by the oversight board (audit.board_records)


class BoardRecordKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint or concern")
    RECORDS_REQUEST = "records_request", _("Public-records request")


class BoardRecordStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("board record", "Received")  # a complaint or request: "Recibida"
    IN_PROGRESS = "in_progress", _("Under review")
    CLOSED = "closed", _("Closed")
    # A correction: the entry stays, with its history, and is no longer counted.
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


# Each kind's categories and outcomes (a short list: the summary says the rest, without names).
COMPLAINT_CATEGORIES = {
    "improper_access": _("Improper access or search"),
    "privacy": _("Privacy of residents or bystanders"),
    "data_sharing": _("Sharing of data outside the department"),
    "consent_owner": _("Camera owner's consent or notice"),
    "protected_activity": _("Protest, religion or other protected activity"),
    "retention": _("Retention or deletion of footage"),
    "other": _("Other"),
}
RECORDS_CATEGORIES = {
    "access_logs": _("Access logs or audit data"),
    "policy": _("Policies, ordinance and reports"),
    "footage": _("Footage or evidence"),
    "contracts": _("Contracts, acquisitions and costs"),
    "sharing": _("Sharing agreements and requests from other agencies"),
    "other": _("Other"),
}
COMPLAINT_OUTCOMES = {
    "sustained": _("Sustained"),
    "not_sustained": _("Not sustained"),
    "unfounded": _("Unfounded"),
    "policy_change": _("Led to a policy change"),
    "referred": _("Referred elsewhere"),
    "withdrawn": _("Withdrawn"),
}
RECORDS_OUTCOMES = {
    "fulfilled": _("Fulfilled"),
    "partly_fulfilled": _("Partly fulfilled"),
    "denied": _("Denied"),
    "no_records": _("No records held"),
    "withdrawn": _("Withdrawn"),
}
BOARD_RECORD_CATEGORIES = {
    BoardRecordKind.COMPLAINT: COMPLAINT_CATEGORIES,
    BoardRecordKind.RECORDS_REQUEST: RECORDS_CATEGORIES,
}
BOARD_RECORD_OUTCOMES = {
    BoardRecordKind.COMPLAINT: COMPLAINT_OUTCOMES,
    BoardRecordKind.RECORDS_REQUEST: RECORDS_OUTCOMES,
}


class BoardRecord(models.Model):
    """A complaint or public-records request as the oversight board entered it: when it was
    received, its category, a summary without personal data, its status and outcome.

    Written only by audit.board_records (each entry and change is a ``board_record`` event,
    whose number is kept in ``event_seq``); never deleted: a mistake is corrected by a change
    (the history keeps every version) or marked "entered in error"."""

    kind = models.CharField(_("kind"), max_length=20, choices=BoardRecordKind.choices)
    received_on = models.DateField(_("received on"))
    category = models.CharField(_("category"), max_length=32)
    summary = models.TextField(_("summary"), max_length=1000)
    status = models.CharField(
        _("status"), max_length=20, choices=BoardRecordStatus.choices, default=BoardRecordStatus.RECEIVED
    )
    outcome = models.CharField(_("outcome"), max_length=32, blank=True)
    disposed_on = models.DateField(_("closed on"), null=True, blank=True)
    entered_at = models.DateTimeField()
    event_seq = models.BigIntegerField()  # the board_record event of this version

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("A board record is never deleted: mark it entered in error.")

    def category_label(self) -> str:
        return str(BOARD_RECORD_CATEGORIES.get(self.kind, {}).get(self.category, self.category))  # type: ignore[call-overload]

    def outcome_label(self) -> str:
        return str(BOARD_RECORD_OUTCOMES.get(self.kind, {}).get(self.outcome, self.outcome))  # type: ignore[call-overload]
