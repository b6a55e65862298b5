"""Footage e-mails and the retention/integrity jobs. Each runs in its tenant's schema."""

import datetime as dt
import hashlib
import logging
from zoneinfo import ZoneInfo

from celery import shared_task
from django.core.mail import mail_admins, send_mail
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.language import in_language_of
from accounts.models import Role
from audit.tasks import chain_verify_and_alert
from notifications.models import Kind
from notifications.services import notification_send_to_role, text
from tenants.models import Department
from tenants.outbox import OutboxTask
from tenants.selectors import department_base_url, department_current

from . import services
from .models import Clip, OwnerRequest

logger = logging.getLogger("porchlight.footage")


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
    send_mail(
        subject=_("[Porchlight] %(department)s asks for footage from your camera") % {"department": department.name},
        message=_(
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
        },
        from_email=None,
        recipient_list=[email],
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
        send_mail(
            subject=_("[Porchlight] Receipt for your footage"),
            message=_("We received %(name)s (%(size)d bytes) at %(at)s.\nSHA-256 fingerprint: %(sha)s\n")
            % {"name": clip.original_name, "size": clip.size, "at": at, "sha": clip.sha256},
            from_email=None,
            recipient_list=[owner.email],
        )


@shared_task(name="footage.tasks.clip_purged_notify", base=OutboxTask)
def clip_purged_notify(*, clip_id: int) -> None:
    clip = Clip.objects.select_related("answer__owner_request__owner").get(pk=clip_id)
    owner = clip.answer.owner_request.owner
    if owner is None:  # a clip kept as evidence after its owner left
        return
    with in_language_of(owner):
        send_mail(
            subject=_("[Porchlight] Your footage was deleted"),
            message=_("The footage %(name)s you sent was deleted at the end of the retention period.\n")
            % {"name": clip.original_name},
            from_email=None,
            recipient_list=[owner.email],
        )


@shared_task(name="footage.tasks.clips_purge")
def clips_purge() -> int:
    return services.clips_purge_expired()


@shared_task(name="footage.tasks.clips_rehash")
def clips_rehash() -> int:
    broken = services.clips_rehash()
    for clip in broken:
        logger.error("clip integrity check failed", extra={"clip": str(clip.public_id), "sha256": clip.sha256})
    if broken:
        mail_admins(
            _("Porchlight: stored footage failed its integrity check"),
            "\n".join(f"{c.public_id} {c.original_name} expected {c.sha256}" for c in broken),
        )
    return len(broken)


@shared_task(name="footage.tasks.access_log_verify_hourly")
def access_log_verify_hourly() -> str:
    """The access log's hourly verification (audit.tasks.chain_verify_and_alert: the walk,
    the error log, the platform operators' e-mail), and, when it fails, the department's
    administrators told in Porchlight and by e-mail, once per break found.

    Here rather than in audit: the log knows nothing above accounts, and the staff
    notifications sit above it; footage is the lowest app that knows both, and already
    runs the department's other integrity check (clips_rehash, whose notices stay on the
    integrity page, not duplicated as notifications)."""
    report = chain_verify_and_alert()
    if not report.ok:
        fingerprint = hashlib.sha256(f"{report.broken_seq}:{report.problem}".encode()).hexdigest()[:32]
        notification_send_to_role(
            role=Role.DEPT_ADMIN,
            kind=Kind.LOG_INTEGRITY_FAILED,
            subject=text(gettext_lazy("The access log failed its integrity check")),
            body=text(
                gettext_lazy(
                    "The hourly check of %(department)s's access log found it changed (event #%(seq)s): "
                    "%(problem)s. The oversight page shows what was found; the platform's operators were "
                    "e-mailed too."
                ),
                department=department_current().name,
                seq=report.broken_seq if report.broken_seq is not None else "?",
                problem=report.problem,
            ),
            link=reverse("oversight-log"),
            once_key=f"log-broken:{fingerprint}",
        )
    return report.sentence()


@shared_task(name="footage.tasks.footage_request_remind", base=OutboxTask)
def footage_request_remind(*, owner_request_id: int) -> None:
    owner_request = OwnerRequest.objects.select_related("owner", "request__purpose").get(pk=owner_request_id)
    if owner_request.owner is None:  # the owner deleted their account meanwhile
        return
    department = department_current()
    with in_language_of(owner_request.owner):
        _footage_remind_mail(owner_request, department, email=owner_request.owner.email)


def _footage_remind_mail(owner_request: OwnerRequest, department: Department, *, email: str) -> None:
    send_mail(
        subject=_("[Porchlight] Reminder: your recorder may soon overwrite the requested footage"),
        message=_(
            "%(department)s asked for footage of %(start)s (case %(case)s). Your recorder will soon overwrite it.\n"
            "If you want to help, answer here:\n%(link)s\n"
        )
        % {
            "department": department.name,
            "start": _local_time(owner_request.request.window_start, department),
            "case": owner_request.request.purpose.case_number,
            "link": department_base_url(department) + reverse("footage-answer", args=[owner_request.public_id]),
        },
        from_email=None,
        recipient_list=[email],
    )


@shared_task(name="footage.tasks.requests_remind")
def requests_remind() -> int:
    return services.requests_remind()


@shared_task(name="footage.tasks.clip_uploads_purge")
def clip_uploads_purge() -> int:
    """Delete abandoned resumable uploads and their staged pieces (beat, in every department)."""
    from . import uploads

    return uploads.clip_uploads_purge()
