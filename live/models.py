"""Bridges at owners' premises and the live-view sessions officers open through them."""

import uuid

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Bridge(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey("cameras.Site", on_delete=models.CASCADE, related_name="bridges")
    cameras = models.ManyToManyField("cameras.Camera", related_name="bridges", blank=True)
    name = models.CharField(_("name"), max_length=100)
    token_prefix = models.CharField(max_length=12)
    token_digest = models.CharField(max_length=64, unique=True)  # SHA-256; the token is shown once
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When a connection of the bridge was last seen, for its owner's page; it changes often
    # and is left out of history on purpose. Whether the bridge is connected *now* is not
    # stored here: it is a heartbeat with an expiry in live.presence, which a process that
    # dies outright cannot leave behind.
    last_seen_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_seen_at"])

    def __str__(self) -> str:
        return self.name


class BridgePairing(models.Model):
    """A one-time code that lets a bridge program fetch its bridge's token (live.pairing).

    The code is never stored, only an HMAC of it keyed with the server's SECRET_KEY: eight
    characters of a 27-letter alphabet are 38 bits, which a plain SHA-256 of a leaked row would
    give up in seconds; with the key, the database alone reveals nothing. Good once
    (``used_at``) and until ``expires_at``; rows stay as the record of who paired from where.
    """

    bridge = models.ForeignKey(Bridge, on_delete=models.CASCADE, related_name="pairings")
    code_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_from = models.GenericIPAddressField(null=True, blank=True)
    used_name = models.CharField(max_length=100, blank=True)  # the computer's name the bridge gave

    def __str__(self) -> str:
        return f"pairing of {self.bridge_id}"


class EndReason(models.TextChoices):
    VIEWER_LEFT = "viewer_left", _("The officer closed the view")
    TIME_LIMIT = "time_limit", _("The time limit was reached")
    CONSENT = "consent", _("The owner's consent no longer allows it")
    OWNER_ENDED = "owner_ended", _("The owner ended it")
    ACCOUNT = "account", _("The officer's account was deactivated")
    RELAY = "relay", _("The relay became unavailable")
    BRIDGE = "bridge", _("The camera's bridge disconnected")
    PURPOSE = "purpose", _("The stated purpose expired")
    ROLE = "role", _("The officer's role no longer allows it")
    SESSION = "session", _("The officer signed out, or the session ended")
    MFA = "mfa", _("The officer's account no longer has two-factor authentication")
    POLICY = "policy", _("Department policy no longer allows it")
    ERROR = "error", _("The view failed on the server")
    LOST = "lost", _("The view's server connection was lost")


class LiveSession(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="live_sessions")
    camera = models.ForeignKey("cameras.Camera", on_delete=models.SET_NULL, null=True, related_name="live_sessions")
    camera_ref = models.CharField(max_length=80)  # "camera:<uuid>", survives the camera's deletion
    purpose = models.ForeignKey("cameras.Purpose", on_delete=models.PROTECT, related_name="live_sessions")
    started_at = models.DateTimeField(auto_now_add=True)
    limit_seconds = models.PositiveIntegerField()
    ends_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    frames = models.BigIntegerField(default=0)
    bytes_sent = models.BigIntegerField(default=0)
    start_event_seq = models.BigIntegerField()
    extensions = models.PositiveSmallIntegerField(default=0)
    # Written by the viewer's consumer every few seconds (with frames and bytes_sent); a view
    # whose heartbeat stopped lost its process, and live.tasks ends it.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Ended (by the owner) but its live_end not yet logged: the viewer's consumer logs it with
    # the real counters when it closes, or live.tasks does if no consumer is left.
    end_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["camera", "ended_at"], name="live_session_active"),
            # For live.tasks, every minute in every department: the few open or pending rows.
            models.Index(fields=["ends_at"], condition=models.Q(ended_at__isnull=True), name="live_session_open"),
            models.Index(fields=["ended_at"], condition=models.Q(end_pending=True), name="live_session_end_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.camera_ref} by {self.officer_id}"


class PositionSample(models.Model):
    """One point of a mobile camera's track, kept only while a live view of it is open
    (live.positions): the console draws the track of the view, and nobody else sees it.
    Purged after the department's footage retention (live.tasks.position_samples_purge)."""

    camera = models.ForeignKey("cameras.Camera", on_delete=models.CASCADE, related_name="track")
    at = models.DateTimeField()  # the position's time, as the bridge reported it
    point = gis_models.PointField(geography=True, srid=4326)
    heading = models.PositiveSmallIntegerField(null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["camera", "at"]
        indexes = [
            models.Index(fields=["camera", "at"], name="position_sample_track"),
            models.Index(fields=["at"], name="position_sample_age"),  # the purge
        ]

    def __str__(self) -> str:
        return f"{self.camera_id} at {self.at:%Y-%m-%d %H:%M:%S}"
