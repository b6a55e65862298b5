"""The invitation to register, as a letter's text and as an e-mail the worker sends.

Apart from the services so that the task can be imported by them (enqueue_on_commit takes the
task itself) and by compliance.tasks (which registers it under that module's name)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from celery import shared_task
from django.utils import translation
from django.utils.translation import gettext as _

from core.mail import mail_send
from tenants.outbox import OutboxTask

from ..models import LicenceInvitation

if TYPE_CHECKING:
    from tenants.models import DepartmentPolicy

    from ..models import Licence

__all__ = [
    "DepartmentContact",
    "contact_problems",
    "invitation_subject",
    "invitation_text",
    "licence_invitation_email_send",
    "licence_mailing_lines",
    "mailing_problems",
]


@dataclass(frozen=True)
class DepartmentContact:
    """Who the invited business answers: the department's name and its compliance contact
    (DepartmentPolicy.compliance_*), as the letter and the e-mail print it."""

    name: str
    mailing_address: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def of(cls, *, name: str, policy: DepartmentPolicy) -> DepartmentContact:
        return cls(
            name=name,
            mailing_address=policy.compliance_mailing_address.strip(),
            phone=policy.compliance_phone.strip(),
            email=policy.compliance_reply_email.strip(),
        )

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.mailing_address.splitlines() if line.strip()]


def contact_problems(contact: DepartmentContact, *, letter: bool) -> list[str]:
    """What the department's policy lacks for an invitation to be answerable, one sentence per
    field (the reply e-mail and telephone always; the mailing address for a letter, with at
    least its street line and its city, state and ZIP line)."""
    problems = []
    where = _("Department policy")
    if letter and len(contact.address_lines) < 2:
        problems.append(
            _(
                "%(where)s: the department's mailing address is missing or has no city, state and ZIP line; "
                "a letter cannot be mailed without a return address."
            )
            % {"where": where}
        )
    if not contact.phone:
        problems.append(_("%(where)s: the telephone for businesses is missing.") % {"where": where})
    if not contact.email:
        problems.append(_("%(where)s: the e-mail address businesses reply to is missing.") % {"where": where})
    return problems


def licence_mailing_lines(licence: Licence) -> list[str]:
    """The address block of the envelope window: name, street, "City, ST 12345"."""
    return [licence.name, licence.address, f"{licence.city}, {licence.state} {licence.postal_code}"]


def mailing_problems(licence: Licence) -> str:
    """Why ``licence`` cannot be mailed a letter ("" when it can): which of its city, state and
    ZIP code the city's file did not give."""
    missing = [
        label
        for label, value in (
            (_("city"), licence.city),
            (_("state"), licence.state),
            (_("ZIP code"), licence.postal_code),
        )
        if not value.strip()
    ]
    if not missing:
        return ""
    return _(
        "%(number)s (%(name)s): the %(missing)s is missing; map the column that holds it and import the file again."
    ) % {"number": licence.number, "name": licence.name, "missing": ", ".join(missing)}


def invitation_subject(*, department_name: str) -> str:
    return _("%(department)s: please register your business's cameras") % {"department": department_name}


def invitation_text(*, licence: Licence, register_url: str, department_name: str, contact: DepartmentContact) -> str:
    """The letter's and the e-mail's text (compliance.licences.letters lays it out)."""
    from ..days import local_today
    from .selectors import category_ordinances

    found = category_ordinances(category=licence.category, on=local_today())
    named = [
        name + ("" if not conditions else " " + _("if %(conditions)s") % {"conditions": _(" and ").join(conditions)})
        for name, conditions in found
    ]
    if found and all(not conditions for _name, conditions in found):
        covers = _("that %(ordinances)s covers") % {"ordinances": _(" and ").join(named)}
    elif found:
        covers = _("that may be covered by %(ordinances)s") % {"ordinances": _("; or by ").join(named)}
    else:
        covers = _("that an ordinance on security cameras may cover")
    # The greeting names the business (its address is in the address block above it).
    text = _(
        "To %(name)s:\n\n"
        "The city's records (licence or permit %(number)s) show a business %(covers)s, "
        "and it is not registered with %(department)s yet.\n\n"
        "Please register your property and its cameras at:\n%(url)s\n\n"
        "Registering tells you what the ordinance requires and whether it applies to you, and lets you "
        "show that you comply. If the business has closed or the record is wrong, reply to let us know.\n\n"
        "%(department)s"
    ) % {
        "name": licence.name,
        "covers": covers,
        "number": licence.number,
        "department": department_name,
        "url": register_url,
    }
    lines = [text]
    if contact.phone and contact.email:
        lines.append(
            _("Questions or corrections: call %(phone)s or write to %(email)s.")
            % {"phone": contact.phone, "email": contact.email}
        )
    lines += contact.address_lines
    return "\n".join(lines)


# Named in compliance.tasks, where the worker registers it (the outbox finds a task by name).
@shared_task(name="compliance.tasks.licence_invitation_email_send", base=OutboxTask)
def licence_invitation_email_send(
    *,
    invitation_id: int,
    register_url: str,
    department_name: str,
    language: str,
    reply_email: str = "",
    phone: str = "",
    mailing_address: str = "",
) -> None:
    """E-mail one recorded invitation (once per outbox row: OutboxTask), its replies going to
    the department's compliance address."""
    invitation = LicenceInvitation.objects.select_related("licence").filter(pk=invitation_id).first()
    if invitation is None or not invitation.email:
        return
    contact = DepartmentContact(name=department_name, mailing_address=mailing_address, phone=phone, email=reply_email)
    with translation.override(language):
        mail_send(
            kind="licence-invitation",
            about=[invitation.pk],
            subject=invitation_subject(department_name=department_name),
            body=invitation_text(
                licence=invitation.licence, register_url=register_url, department_name=department_name, contact=contact
            ),
            to=[invitation.email],
            reply_to=[reply_email] if reply_email else [],
        )
