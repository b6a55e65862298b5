"""The e-mail of a notification, sent by a worker after the commit (through the outbox)."""

from celery import shared_task
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import OWNER_ROLES
from core.mail import mail_send
from tenants.outbox import OutboxTask
from tenants.selectors import department_base_url, department_current

from .models import Notification
from .services import language_of


@shared_task(name="notifications.tasks.notification_email_send", base=OutboxTask)
def notification_email_send(*, notification_id: int) -> None:
    """E-mail one notification to its recipient, in their language (the subject and body were
    rendered in it when the notification was made; the frame around them is rendered here).
    Once per outbox row (OutboxTask); nothing for a notification or a user gone since."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or not notification.recipient.is_active:
        return
    recipient = notification.recipient
    department = department_current()
    base = department_base_url(department)
    with translation.override(language_of(recipient)):
        parts = [notification.body]
        if notification.link:
            # The page where it is decided or read, never an action: a GET changes nothing.
            parts.append(_("Open it in Porchlight:\n%(link)s") % {"link": base + notification.link})
        if recipient.role in OWNER_ROLES:
            # An owner told of a compliance notice or decision (compliance.services): their
            # list is the page the link leads to; the staff list is not theirs.
            parts.append(
                _("You receive this because you registered a property with %(department)s.")
                % {"department": department.name}
            )
        else:
            parts.append(
                _("You receive this as staff of %(department)s. All your notifications:\n%(list)s")
                % {"department": department.name, "list": base + reverse("notification-list")}
            )
        mail_send(
            kind="notification",
            about=[notification.pk],
            subject=_("[Porchlight] %(subject)s") % {"subject": notification.subject},
            body="\n\n".join(parts) + "\n",
            to=[recipient.email],
        )
