"""The owner's footage e-mails, sent through the outbox (tenants.outbox): a request, a reminder,
a receipt, a purged clip. Each runs in its tenant's schema.

The Celery names keep the ``footage.tasks.`` prefix the outbox rows, the beat schedule and
docs/notices-and-tasks.md use, and footage.tasks re-exports them under those names (the
outbox resolves a task by module path and attribute; the worker's autodiscovery imports it).
Nothing here imports the services: the services enqueue these, and the beat jobs
(footage.tasks) call the services."""

import datetime as dt
from zoneinfo import ZoneInfo

from celery import shared_task
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from accounts.language import in_language_of
from core.mail import mail_send
from tenants.models import Department
from tenants.outbox import OutboxTask
from tenants.selectors import department_base_url, department_current

from .models import Clip, OwnerRequest


def _local_time(value: dt.datetime, department: Department, pattern: str = "Y-m-d H:i T") -> str:
    """A time as the owner reads it: in the department's zone (as the answer page shows it),
    so that they look for the right hours on their recorder."""
    return dateformat.format(timezone.localtime(value, ZoneInfo(department.time_zone)), pattern)


@shared_task(name="footage.tasks.footage_request_notify", base=OutboxTask)
def footage_request_notify(*, owner_request_id: int) -> None:
    owner_request = OwnerRequest.objects.select_related("owner", "request__purpose").filter(pk=owner_request_id).first()
    # None: an owner who deleted their account meanwhile (the request stays without them).
    if owner_request is None or owner_request.notified_at is not None or owner_request.owner is None:
        return
    department = department_current()
    link = department_base_url(department) + reverse("footage-inbox")
    with in_language_of(owner_request.owner):
        _footage_request_mail(owner_request, department, link, email=owner_request.owner.email)
    OwnerRequest.objects.filter(pk=owner_request.pk).update(notified_at=timezone.now())


def _footage_request_mail(owner_request: OwnerRequest, department: Department, link: str, *, email: str) -> None:
    request = owner_request.request
    deadline = ""
    if owner_request.deliver_by is not None:
        deadline = "\n\n" + _(
            "An ordinance covering your property asks you to answer by %(deadline)s (footage, or that you have none)."
        ) % {"deadline": _local_time(owner_request.deliver_by, department)}
        deadline += " " + _(
            "The department sees whether footage arrived by the deadline. If you decline or do not answer, it "
            "only counts the request, without your name: police are not told who declined."
        )
    mail_send(
        kind="footage-request",
        about=[owner_request.pk],
        subject=_("[Porchlight] %(department)s asks for footage from your camera") % {"department": department.name},
        body=_(
            "%(department)s asks whether your camera recorded anything between %(start)s and %(end)s "
            "(case %(case)s).\n\n"
            "%(message)s\n\nAnswer here; you may send footage, say you have none, or decline (police are not told "
            "who declined):\n%(link)s\n"
        )
        % {
            "department": department.name,
            "start": _local_time(request.window_start, department),
            "end": _local_time(request.window_end, department),
            "case": request.purpose.case_number,
            "message": request.message,
            "link": link,
        }
        + deadline,
        to=[email],
    )


@shared_task(name="footage.tasks.clip_receipt_send", base=OutboxTask)
def clip_receipt_send(*, clip_id: int) -> None:
    clip = Clip.objects.select_related("answer__owner_request__owner").get(pk=clip_id)
    owner = clip.answer.owner_request.owner
    if owner is None:  # the owner deleted their account meanwhile
        return
    with in_language_of(owner):
        # To the second, as the receipt on the answer page gives it.
        at = _local_time(clip.uploaded_at, department_current(), "Y-m-d H:i:s T")
        mail_send(
            kind="clip-receipt",
            about=[clip.pk],
            subject=_("[Porchlight] Receipt for your footage"),
            body=_("We received %(name)s (%(size)d bytes) at %(at)s.\nSHA-256 fingerprint: %(sha)s\n")
            % {"name": clip.original_name, "size": clip.size, "at": at, "sha": clip.sha256},
            to=[owner.email],
        )


@shared_task(name="footage.tasks.clip_purged_notify", base=OutboxTask)
def clip_purged_notify(*, clip_id: int) -> None:
    clip = Clip.objects.select_related("answer__owner_request__owner").get(pk=clip_id)
    owner = clip.answer.owner_request.owner
    if owner is None:  # a clip kept as evidence after its owner left
        return
    with in_language_of(owner):
        mail_send(
            kind="clip-purged",
            about=[clip.pk],
            subject=_("[Porchlight] Your footage was deleted"),
            body=_("The footage %(name)s you sent was deleted at the end of the retention period.\n")
            % {"name": clip.original_name},
            to=[owner.email],
        )


@shared_task(name="footage.tasks.footage_request_remind", base=OutboxTask)
def footage_request_remind(*, owner_request_id: int) -> None:
    owner_request = OwnerRequest.objects.select_related("owner", "request__purpose").get(pk=owner_request_id)
    if owner_request.owner is None:  # the owner deleted their account meanwhile
        return
    department = department_current()
    with in_language_of(owner_request.owner):
        _footage_remind_mail(owner_request, department, email=owner_request.owner.email)


def _footage_remind_mail(owner_request: OwnerRequest, department: Department, *, email: str) -> None:
    mail_send(
        kind="footage-reminder",
        about=[owner_request.pk],
        subject=_("[Porchlight] Reminder: your recorder may soon overwrite the requested footage"),
        body=_(
            "%(department)s asked for footage of %(start)s (case %(case)s). Your recorder will soon overwrite it.\n"
            "If you want to help, answer here:\n%(link)s\n"
        )
        % {
            "department": department.name,
            "start": _local_time(owner_request.request.window_start, department),
            "case": owner_request.request.purpose.case_number,
            "link": department_base_url(department) + reverse("footage-answer", args=[owner_request.public_id]),
        },
        to=[email],
    )
