"""The invitation to register, as a letter's text and as an e-mail the worker sends.

Apart from the services so that the task can be imported by them (enqueue_on_commit takes the
task itself) and by compliance.tasks (which registers it under that module's name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from celery import shared_task
from django.utils import translation
from django.utils.translation import gettext as _

from core.mail import mail_send
from tenants.outbox import OutboxTask

from ..models import LicenceInvitation

if TYPE_CHECKING:
    from ..models import Licence

__all__ = ["invitation_subject", "invitation_text", "licence_invitation_email_send"]


def invitation_subject(*, department_name: str) -> str:
    return _("%(department)s: please register your business's cameras") % {"department": department_name}


def invitation_text(*, licence: Licence, register_url: str, department_name: str) -> str:
    """The letter's and the e-mail's text (compliance.licences.letters lays it out)."""
    return _(
        "To %(name)s, %(address)s\n\n"
        "The city's records (licence or permit %(number)s) show a business that an ordinance "
        "on security cameras covers, and it is not registered with %(department)s yet.\n\n"
        "Please register your property and its cameras at:\n%(url)s\n\n"
        "Registering tells you what the ordinance requires and lets you show that you comply. "
        "If the business has closed or the record is wrong, reply to let us know.\n\n"
        "%(department)s"
    ) % {
        "name": licence.name,
        "address": licence.address,
        "number": licence.number,
        "department": department_name,
        "url": register_url,
    }


# Named in compliance.tasks, where the worker registers it (the outbox finds a task by name).
@shared_task(name="compliance.tasks.licence_invitation_email_send", base=OutboxTask)
def licence_invitation_email_send(
    *, invitation_id: int, register_url: str, department_name: str, language: str
) -> None:
    """E-mail one recorded invitation (once per outbox row: OutboxTask)."""
    invitation = LicenceInvitation.objects.select_related("licence").filter(pk=invitation_id).first()
    if invitation is None or not invitation.email:
        return
    with translation.override(language):
        mail_send(
            kind="licence-invitation",
            about=[invitation.pk],
            subject=invitation_subject(department_name=department_name),
            body=invitation_text(
                licence=invitation.licence, register_url=register_url, department_name=department_name
            ),
            to=[invitation.email],
        )
