"""Writes on messages: an officer's message goes through the gate; an owner's reply does not
(it is not police access) and is only kept in the thread."""

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from cameras import access
from cameras.addresses import address_for_police
from cameras.consent import Reason
from cameras.models import Camera, Purpose
from core.errors import AccessRefused, NotFound
from notifications.services import owner_reply_notify
from tenants.outbox import enqueue_on_commit

from . import selectors
from .models import MESSAGE_MAX_CHARS, THREAD_BLOCK, Message, MessagingPreference, Sender, Thread

if TYPE_CHECKING:
    from accounts.models import User

# Refusals after which a staff member is told nothing but "not found": the camera is not in
# this department, or its owner gave no consent at all (police may not even locate it).
HIDDEN_REASONS = frozenset({access.Refusal.NOT_FOUND, Reason.NO_GRANT})
_HOUR = dt.timedelta(hours=1)


class MessageRefused(AccessRefused):
    """The gate refused an officer's message (the refusal is already logged and committed)."""

    def __init__(self, decision: access.Decision) -> None:
        super().__init__(decision.message, code=decision.reason)
        self.decision = decision

    @property
    def hidden(self) -> bool:
        """Whether the caller must answer as for a camera that does not exist (404)."""
        return self.decision.reason in HIDDEN_REASONS


class MessageHidden(NotFound, MessageRefused):
    """A refusal the officer is told nothing of but "not found": the camera is missing, another
    department's, or its owner gave no consent at all."""


def message_body_clean(body: str, *, field: str = "body") -> str:
    """The text of a message as it will be stored, or a ValidationError on ``field`` that
    says what is wrong with it (empty, too long, a character PostgreSQL cannot store)."""
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({field: [_("Write a message first: it is empty.")]})
    if "\x00" in text:
        raise ValidationError({field: [_("A message may not contain the NUL character.")]})
    if len(text) > MESSAGE_MAX_CHARS:
        raise ValidationError(
            {
                field: [
                    _("A message may be at most %(max)d characters long; this one has %(count)d.")
                    % {"max": MESSAGE_MAX_CHARS, "count": len(text)}
                ]
            }
        )
    return text


def _sent_last_hour(**where: Any) -> int:
    return Message.objects.filter(created_at__gte=timezone.now() - _HOUR, **where).count()


def _thread_for(*, officer: "User", camera: Camera) -> Thread:
    """The officer's thread about ``camera``, locked; a new one the first time."""
    thread = Thread.objects.select_for_update().filter(officer=officer, camera=camera).first()
    if thread is not None:
        return thread
    try:
        with transaction.atomic():  # a savepoint: two first messages at once make one thread
            return Thread.objects.create(
                officer=officer,
                owner_id=camera.site.owner_id,
                camera=camera,
                camera_ref=f"camera:{camera.public_id}",
                last_message_at=timezone.now(),
            )
    except IntegrityError:
        return Thread.objects.select_for_update().get(officer=officer, camera=camera)


def _camera_words_keep(thread: Thread, camera: Camera) -> None:
    """Keep on the thread what the gate just let the officer see of the camera (its type,
    placement, and address as police may see it), for their message pages to name it."""
    thread.camera_type = camera.camera_type
    thread.camera_placement = camera.placement
    thread.camera_address = address_for_police(
        camera.site.address, share_contact=camera.site.share_contact, template=THREAD_BLOCK
    )


def message_send(*, actor: access.Actor, purpose: Purpose | None, camera_public_id: Any, body: str) -> Message:
    """An officer's message to the owner of one camera, through Porchlight.

    The text is checked first (ValidationError, nothing logged: nothing was attempted).
    Then the gate decides ``message_send`` (role, MFA, purpose, the owner's consent in force:
    ``registered`` or above, not revoked, expired or paused; and the officer's hourly cap),
    and records the decision. A refusal is committed and then raised as MessageRefused. An
    allowed message is stored in the officer's thread about that camera with the event's
    number, in the same transaction as the event, and e-mailed to the owner after the commit
    (through the outbox) unless they turned that off. The officer learns nothing of who the
    owner is.
    """
    text = message_body_clean(body)
    with transaction.atomic():
        too_many = _sent_last_hour(thread__officer=actor.user, sender=Sender.OFFICER)
        decision, camera = access.camera_lookup(
            actor=actor,
            purpose=purpose,
            public_id=camera_public_id,
            action=Action.MESSAGE_SEND,
            extra_denial=access.Refusal.TOO_MANY_MESSAGES
            if too_many >= settings.PORCHLIGHT_MESSAGES_PER_HOUR
            else None,
            # The message itself is e-mailed to an owner who wants messages by e-mail: no access
            # notice besides. One who turned those e-mails off still gets the notice they asked for.
            owner_told=lambda camera: selectors.email_on_message(owner=camera.site.owner),
        )
        message = None
        if camera is not None:
            assert purpose is not None  # the gate allowed it
            thread = _thread_for(officer=actor.user, camera=camera)
            message = Message.objects.create(
                thread=thread,
                sender=Sender.OFFICER,
                body=text,
                purpose=purpose,
                case_number=purpose.case_number,
                access_event_seq=decision.event_seq,
            )
            thread.last_message_at = message.created_at
            _camera_words_keep(thread, camera)
            thread.save(update_fields=["last_message_at", "camera_type", "camera_placement", "camera_address"])
            from .tasks import message_email_owner as message_email_owner_task

            enqueue_on_commit(message_email_owner_task, message_id=message.pk)
    if message is None:
        raise (MessageHidden if decision.reason in HIDDEN_REASONS else MessageRefused)(decision)
    return message


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _contact_now(owner: "User", thread: Thread) -> dict[str, str]:
    """The owner's contact details as the reply shares them: name, e-mail, and the address of
    the property the camera is on (none once the camera is deleted)."""
    site = thread.camera.site if thread.camera is not None else None
    return {"name": owner.full_name or "", "email": owner.email, "address": site.address if site else ""}


def message_reply(*, owner: "User", thread_public_id: Any, body: str, share_contact: bool = False) -> Message:
    """The owner answers a thread of theirs (another owner's, or a missing one, raises
    Thread.DoesNotExist: the same to the caller).

    With ``share_contact`` the reply carries the owner's contact details for this officer
    alone; without it, the officer sees the text only. Owners may send at most
    PORCHLIGHT_REPLIES_PER_HOUR replies an hour. Not police access: no event is written.
    """
    text = message_body_clean(body)
    public_id = _uuid(thread_public_id)
    if public_id is None:
        raise Thread.DoesNotExist
    with transaction.atomic():
        thread = (
            Thread.objects.select_for_update(of=("self",))
            .select_related("camera__site")
            .get(owner=owner, public_id=public_id)
        )
        if _sent_last_hour(thread__owner=owner, sender=Sender.OWNER) >= settings.PORCHLIGHT_REPLIES_PER_HOUR:
            raise ValidationError({"body": [_("You have sent many replies in the last hour; try again later.")]})
        message = Message.objects.create(
            thread=thread,
            sender=Sender.OWNER,
            body=text,
            shares_contact=share_contact,
            shared_contact=_contact_now(owner, thread) if share_contact else {},
        )
        thread.last_message_at = message.created_at
        thread.save(update_fields=["last_message_at"])
        # The officer is told in the same transaction, by case only: who answered and what
        # they said are on the thread's page, where only what the owner shared is shown.
        last_officer_message = thread.messages.filter(sender=Sender.OFFICER).order_by("-created_at").first()
        owner_reply_notify(
            officer=thread.officer,
            case_number=last_officer_message.case_number if last_officer_message else "",
            link=reverse("messaging-console-thread", args=[thread.public_id]),
        )
    return message


def thread_read(*, thread: Thread, reader: str) -> int:
    """Mark the other side's messages of ``thread`` read by ``reader`` (a Sender); returns
    how many were unread. The caller has scoped ``thread`` to the reader."""
    other = Sender.OWNER if reader == Sender.OFFICER else Sender.OFFICER
    return Message.objects.filter(thread=thread, sender=other, read_at__isnull=True).update(read_at=timezone.now())


def messaging_preference_set(*, owner: "User", email_on_message: bool) -> MessagingPreference:
    """The owner's choice of e-mails for messages (history kept, on the owner's name)."""
    with transaction.atomic():
        preference = MessagingPreference.objects.select_for_update().filter(owner=owner).first()
        preference = preference or MessagingPreference(owner=owner)
        preference.email_on_message = email_on_message
        preference._history_user = owner  # type: ignore[attr-defined]
        preference.save()
    return preference


def message_emailed(*, message: Message) -> None:
    """Record that an officer's message was e-mailed to the owner (in the task's transaction)."""
    Message.objects.filter(pk=message.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
