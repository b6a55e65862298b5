"""The e-mail that brings an officer's message to its owner. Runs in the tenant's schema."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.language import in_language_of
from core.mail import mail_send
from tenants.outbox import OutboxTask
from tenants.selectors import department_base_url, department_current

from . import selectors, services
from .models import Message, Sender

logger = logging.getLogger("porchlight.messaging")


@shared_task(
    name="messaging.tasks.message_email_owner",
    base=OutboxTask,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=60,  # as the access notices: a mail server that is down is tried again
    retry_backoff_max=30 * 60,
    max_retries=8,
)
def message_email_owner(*, message_id: int) -> bool:
    """E-mail an officer's message to the camera's owner, in the owner's language, unless
    they turned these e-mails off (then the message waits in their portal inbox). Sent once:
    the message records when (and the outbox row is marked in the same transaction)."""
    message = (
        Message.objects.select_related("thread__owner", "thread__officer", "thread__camera__site")
        .filter(pk=message_id, sender=Sender.OFFICER)
        .first()
    )
    if message is None or message.emailed_at is not None:
        return False
    thread = message.thread
    owner = thread.owner
    if not owner.is_active or not selectors.email_on_message(owner=owner):
        return False
    department = department_current()
    link = department_base_url(department) + reverse("messaging-owner-thread", args=[thread.public_id])
    # The owner's own language (else the department's): the worker has no request to take it from.
    with in_language_of(owner):
        officer = selectors.officer_words(thread.officer)
        subject = _("[Porchlight] %(department)s sent you a message") % {"department": department.name}
        body = render_to_string(
            "messaging/email/message.txt",
            {
                "department": department,
                "officer": officer,
                "camera": thread.camera,
                "message": message,
                "link": link,
                "settings_link": department_base_url(department) + reverse("messaging-owner-inbox"),
            },
        )
    mail_send(kind="message", about=[message.pk], subject=subject, body=body, to=[owner.email])
    services.message_emailed(message=message)
    logger.info("message e-mailed to its owner", extra={"message_id": message.pk, "owner_id": owner.pk})
    return True
