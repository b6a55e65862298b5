"""What a staff member is told: one row per recipient, shown in the app and e-mailed.

Notifications live in the department's schema with their recipient, so one never crosses
departments. They name cases, purposes and staff, never an owner (no owner PII): what an
owner said or sent is read on the page the link leads to, through the gate.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    EXIGENT_AWAITING = "exigent_awaiting", _("Exigent purpose awaits approval")
    EXIGENT_APPROVED = "exigent_approved", _("Exigent purpose approved")
    EXIGENT_DENIED = "exigent_denied", _("Exigent purpose denied")
    CLIP_ARRIVED = "clip_arrived", _("Footage arrived")
    OWNER_REPLIED = "owner_replied", _("An owner replied")
    LOG_INTEGRITY_FAILED = "log_integrity_failed", _("Access log integrity check failed")
    LOG_TREE_REBUILT = "log_tree_rebuilt", _("Access log's Merkle tree rebuilt (the log was rewritten)")
    # To a site's owner (compliance): the department's notice, its decision on a request, a reminder.
    COMPLIANCE_NOTICE = "compliance_notice", _("Notice of non-compliance")
    APPEAL_DECIDED = "appeal_decided", _("Decision on your request")
    COMPLIANCE_REMINDER = "compliance_reminder", _("Compliance reminder")
    # To the department's compliance staff: an owner asked for an exemption or appealed.
    APPEAL_REQUESTED = "appeal_requested", _("An exemption or appeal request awaits a decision")
    # ... or a property left an ordinance's coverage through its owner's own edit.
    COVERAGE_LEFT = "coverage_left", _("A property left an ordinance's coverage after an owner edit")
    # To a site's owner: their compliance certificate was revoked (the site stopped complying).
    CERTIFICATE_REVOKED = "certificate_revoked", _("Your compliance certificate was revoked")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # In the recipient's language, as the e-mail is (notifications.services.notification_send).
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # A path on the department's own host (never another site): where the recipient acts.
    link = models.CharField(max_length=500, blank=True)
    # Set where the same alert must reach a recipient once only (the hourly log check
    # finding the same break again): one row per recipient and key.
    once_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "once_key"],
                condition=~models.Q(once_key=""),
                name="notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.recipient_id}"
