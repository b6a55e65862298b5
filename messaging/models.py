"""Messages between an officer and the owner of one camera, through Porchlight.

A Thread is one officer's conversation with the owner of one camera. Officers never learn
who the owner is: their pages name the camera by its type and approximate place, and the
owner's messages by "the owner". An owner may share their contact details with that one
officer by ticking a box on a reply; the reply then carries a copy of the details as they
were at that moment (``shared_contact``), and nothing else ever does.

Each officer message is a gate decision (``message_send``, cameras/access/) recorded in the
same transaction; its number is kept on the message. The owner's replies are not police
access: they are only kept here.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

#: The longest message either side may send, in characters: a page of text is enough to
#: explain a case or answer it, and it caps what one request can make anyone store or read.
MESSAGE_MAX_CHARS = 2000

#: How a thread keeps an address block (cameras.addresses.address_for_police's template):
#: the number and the street, worded in the reader's language when a page shows it.
THREAD_BLOCK = "%(block)s\t%(street)s"


class Thread(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_threads")
    # The camera may be deleted by its owner: the thread stays readable, naming it by reference.
    camera = models.ForeignKey(
        "cameras.Camera", on_delete=models.SET_NULL, null=True, blank=True, related_name="message_threads"
    )
    camera_ref = models.CharField(max_length=80)
    # What the officer was shown of the camera through the gate when they last wrote (each
    # message_send refreshes it), so that their message pages name the camera without reading
    # it again: its type and placement (codes), and its address as police may see it
    # (cameras.addresses.address_for_police), a block kept as "number<TAB>street" so that it
    # reads in the language of whoever opens the page.
    camera_type = models.CharField(max_length=20, blank=True)
    camera_placement = models.CharField(max_length=10, blank=True)
    camera_address = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "camera"], name="messaging_one_thread_per_officer_camera"),
        ]
        indexes = [
            models.Index(fields=["owner", "-last_message_at"], name="messaging_thread_owner"),
            models.Index(fields=["officer", "-last_message_at"], name="messaging_thread_officer"),
        ]

    def __str__(self) -> str:
        return f"thread {self.public_id} ({self.camera_ref})"

    @property
    def camera_words(self) -> str:
        """The camera as the officer's pages name it: "Fixed camera · Outside, 1200 block of
        W Baseline Rd" (never the owner's label or name), in the active language."""
        from cameras.addresses import block_template
        from cameras.models import CameraType, Placement

        kind = " · ".join(
            str(dict(choices.choices).get(code, code))
            for choices, code in ((CameraType, self.camera_type), (Placement, self.camera_placement))
            if code
        )
        block, tab, street = self.camera_address.partition("\t")  # THREAD_BLOCK
        address = block_template() % {"block": block, "street": street} if tab else self.camera_address
        return ", ".join(part for part in (kind, address) if part)

    @property
    def camera_public_id(self) -> str:
        """The camera's id from its reference, without reading the camera (console pages link
        to the camera's page, which asks the gate, rather than show camera data themselves)."""
        return self.camera_ref.removeprefix("camera:")


class Sender(models.TextChoices):
    OFFICER = "officer", _("Officer")
    OWNER = "owner", _("Owner")


class Message(models.Model):
    """One message of a thread, never changed after it is sent (only read_at and emailed_at
    are set later, by the system)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=8, choices=Sender.choices)
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_CHARS)
    # Officer messages: the purpose they were sent under, its case number as it was, and the
    # gate's message_send event.
    purpose = models.ForeignKey("cameras.Purpose", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case_number = models.CharField(max_length=64, blank=True)
    access_event_seq = models.BigIntegerField(null=True, blank=True)
    # Owner replies: whether the owner chose to share their contact details with this officer,
    # and the details as they were then ({"name", "email", "address"}).
    shares_contact = models.BooleanField(default=False)
    shared_contact = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)  # by the other side
    emailed_at = models.DateTimeField(null=True, blank=True)  # officer messages e-mailed to the owner

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "sender", "read_at"], name="messaging_message_unread"),
            models.Index(fields=["sender", "created_at"], name="messaging_message_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sender="owner") | models.Q(purpose__isnull=False, access_event_seq__isnull=False),
                name="messaging_officer_message_is_gated",
            ),
            models.CheckConstraint(
                condition=models.Q(sender="owner") | models.Q(shares_contact=False),
                name="messaging_only_owners_share_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender} message in {self.thread_id}"


class MessagingPreference(models.Model):
    """What the owner chose about messages (edited by the owner, so its history is kept)."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_on_message = models.BooleanField(_("e-mail me when police send me a message"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"messaging preference of {self.owner_id}"
