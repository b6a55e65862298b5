"""Footage requests to owners, the clips they send, and each clip's chain of custody.

Police see per request only how many owners sent footage and the clips themselves; who
declined or ignored a request is kept from them (OwnerRequest and CameraAnswer are read
by the owner's pages only).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class FootageRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="footage_requests")
    purpose = models.ForeignKey("cameras.Purpose", on_delete=models.PROTECT, related_name="footage_requests")
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    message = models.TextField(_("message to owners"), max_length=2000)
    area = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Request {self.public_id} ({self.purpose.case_number})"


class OwnerRequest(models.Model):
    """The request as one owner receives it, listing their cameras concerned."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(FootageRequest, on_delete=models.CASCADE, related_name="owner_requests")
    # None once the owner deleted their account: the request stays, without them, so that
    # police's counts stay true and the clips kept as evidence keep their request
    # (footage.services.owner_footage_release).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="footage_inbox"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    notified_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # When an ordinance asks this owner to deliver requested footage (footage.deadlines), set
    # when the request is sent; None when none does.
    deliver_by = models.DateTimeField(_("deliver by"), null=True, blank=True)
    # The ordinance that set deliver_by ("Name (citation)"), fixed at sending as the deadline is,
    # so that the request page names it (review of issue 16).
    deliver_by_ordinance = models.CharField(_("deadline set by"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["request", "owner"], name="footage_one_request_per_owner")]

    def __str__(self) -> str:
        return f"{self.request} for owner {self.owner_id}"


class Answer(models.TextChoices):
    PENDING = "pending", _("Not answered yet")
    UPLOADED = "uploaded", _("Footage sent")
    NO_FOOTAGE = "no_footage", _("No relevant footage")
    DECLINED = "declined", _("Declined")
    NO_ANSWER = "no_answer", _("No answer (the owner deleted their account)")


class CameraAnswer(models.Model):
    owner_request = models.ForeignKey(OwnerRequest, on_delete=models.CASCADE, related_name="answers")
    camera = models.ForeignKey("cameras.Camera", on_delete=models.SET_NULL, null=True, related_name="footage_answers")
    camera_ref = models.CharField(max_length=80)
    answer = models.CharField(max_length=12, choices=Answer.choices, default=Answer.PENDING)
    decline_reason = models.TextField(blank=True, max_length=1000)  # the owner's, never shown to police
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.camera_ref}: {self.answer}"


class Clip(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    answer = models.ForeignKey(CameraAnswer, on_delete=models.PROTECT, related_name="clips")
    request = models.ForeignKey(FootageRequest, on_delete=models.PROTECT, related_name="clips")
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    container = models.CharField(max_length=32)  # detected from the content, not the name
    storage_key = models.CharField(max_length=300, unique=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    held = models.BooleanField(default=False)
    hold_reason = models.CharField(max_length=500, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "sha256"], name="footage_clip_not_twice"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class CustodyAction(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    VIEWED = "viewed", _("viewed")
    DOWNLOADED = "downloaded", _("downloaded")
    EXPORTED = "exported", _("exported")
    HELD = "held", _("held")
    RELEASED = "released", _("released")
    PURGED = "purged", _("purged")
    INTEGRITY_FAILED = "integrity_failed", _("integrity check failed")
    OWNER_DELETED = "owner_deleted", _("owner's account deleted")


class CustodyEvent(models.Model):
    clip = models.ForeignKey(Clip, on_delete=models.PROTECT, related_name="custody")
    action = models.CharField(max_length=20, choices=CustodyAction.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    case_number = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class DownloadLink(models.Model):
    """A short-lived link bound to one user."""

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    purpose = models.ForeignKey("cameras.Purpose", on_delete=models.PROTECT)
    token_digest = models.CharField(max_length=64, unique=True)
    # The gate's clip_download event that issued the link (empty for links issued before it
    # was recorded); the 'downloaded' custody event, made when the link serves the clip, names it.
    access_event_seq = models.BigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"link for clip {self.clip_id}"


class StreamLink(models.Model):
    """The console player's video address for one viewing, bound to the officer who opened it.

    Unlike a DownloadLink it serves many requests until it expires: a browser fetches a
    video in HTTP ranges while it plays and seeks. The viewing was logged once, when the
    link was made; its id is not a secret (the session must belong to ``user``).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clip = models.ForeignKey(Clip, on_delete=models.PROTECT, related_name="stream_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.ForeignKey("cameras.Purpose", on_delete=models.PROTECT, related_name="+")
    access_event_seq = models.BigIntegerField()  # the gate's clip_view event of this viewing
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"stream link for clip {self.clip_id}"


class IntegrityNotice(models.Model):
    """A stored clip no longer hashes to what was taken at upload (the weekly re-hash).

    Department admins and supervisors see it as a banner until one of them acknowledges
    it; the acknowledgement records who and when, and the notice itself is never deleted
    (a database trigger refuses DELETE). One open notice per clip; a state of the stored
    bytes that was already acknowledged is not raised again.
    """

    clip = models.ForeignKey(Clip, on_delete=models.PROTECT, related_name="integrity_notices")
    expected_sha256 = models.CharField(max_length=64)
    actual_sha256 = models.CharField(max_length=64)  # "missing" if the stored file is gone
    detected_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_by_label = models.CharField(max_length=200, blank=True)  # as the person was named then
    acknowledgement_note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clip"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="footage_one_open_integrity_notice_per_clip",
            ),
            models.UniqueConstraint(fields=["clip", "actual_sha256"], name="footage_integrity_notice_once_per_state"),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True) | models.Q(acknowledged_by__isnull=False),
                name="footage_integrity_notice_acknowledged_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"integrity notice for clip {self.clip_id}"


class ClipUpload(models.Model):
    """A resumable upload of one clip, received in pieces of ``chunk_size`` bytes.

    The pieces are staged outside the clip store (storage "clip_staging") until the owner
    finishes the upload; then they are read in order, as one stream, through the same
    service as a whole-file upload, which makes the Clip. Unfinished uploads left alone
    for PORCHLIGHT_UPLOAD_ABANDON_SECONDS are deleted with their pieces.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.ForeignKey(CameraAnswer, on_delete=models.CASCADE, related_name="uploads")
    name = models.CharField(max_length=255)
    size = models.BigIntegerField()  # declared when the upload starts
    chunk_size = models.IntegerField()  # fixed for the upload's life
    received = models.BigIntegerField(default=0)  # bytes staged, always a multiple of chunk_size until complete
    container = models.CharField(max_length=32, blank=True)  # from the first piece's bytes
    staging_prefix = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    touched_at = models.DateTimeField()  # the last piece received (or the start)
    clip = models.OneToOneField(Clip, on_delete=models.PROTECT, null=True, blank=True, related_name="upload")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["completed_at", "touched_at"], name="footage_upload_abandoned")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received__gte=0, received__lte=models.F("size")), name="footage_upload_in_size"
            ),
        ]

    def __str__(self) -> str:
        return f"upload {self.public_id} ({self.received}/{self.size})"
