"""Footage's beat jobs: retention, reminders, the integrity checks, abandoned uploads. Each runs
in every department's schema. The owner's e-mails are in footage.notices (see below)."""

import logging

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.integrity import failure_statement, log_failure_get
from audit.tasks import chain_verify_and_alert
from core.mail import mail_admins_send
from notifications.models import Kind
from notifications.services import notification_send_to_role, text
from tenants.outbox import OutboxTask, enqueue_on_commit
from tenants.selectors import department_current

from . import services, uploads

# The owner's e-mails live in footage.notices (the services enqueue them; they import no
# service). Their Celery names keep this module's path, and the outbox finds a task by its
# name (tenants.outbox._task_named imports the module and reads the attribute), so they are
# importable from here too; importing them here also has the worker's autodiscovery
# (config/celery.py) register them.
from .notices import clip_purged_notify, clip_receipt_send, footage_request_notify, footage_request_remind

__all__ = [
    "access_log_verify_hourly",
    "clip_purged_notify",
    "clip_receipt_send",
    "clip_uploads_purge",
    "clips_purge",
    "clips_rehash",
    "footage_request_notify",
    "footage_request_remind",
    "log_failure_notify",
    "log_failure_tell",
    "requests_remind",
]

logger = logging.getLogger("porchlight.footage")


@shared_task(name="footage.tasks.clips_purge")
def clips_purge() -> int:
    return services.clips_purge_expired()


@shared_task(name="footage.tasks.clips_rehash")
def clips_rehash() -> int:
    broken = services.clips_rehash()
    for clip in broken:
        logger.error("clip integrity check failed", extra={"clip": str(clip.public_id), "sha256": clip.sha256})
    if broken:
        mail_admins_send(
            kind="clips-integrity",
            # The day's run: sent again by a run that follows a lost worker, the same message.
            about=[",".join(sorted(str(c.public_id) for c in broken)), timezone.now().strftime("%Y%m%d")],
            subject=_("Porchlight: stored footage failed its integrity check"),
            body="\n".join(f"{c.public_id} {c.original_name} expected {c.sha256}" for c in broken),
        )
    return len(broken)


@shared_task(name="footage.tasks.access_log_verify_hourly")
def access_log_verify_hourly() -> str:
    """The access log's hourly verification (audit.tasks.chain_verify_and_alert: the walk,
    the error log, the platform operators' e-mail). A break it finds is kept once as a failure
    of the log (audit.integrity), which the board and the administrators are told of by
    log_failure_notify below.

    Here rather than in audit: the log knows nothing above accounts, and the staff
    notifications sit above it; footage is the lowest app that knows both, and already
    runs the department's other integrity check (clips_rehash, whose notices stay on the
    integrity page, not duplicated as notifications)."""
    return chain_verify_and_alert().sentence()


def log_failure_tell(*, failure_id: int) -> None:
    """audit.integrity.log_failure_listen: a failure of the log was just kept (found by the
    hourly walk, ``audit_verify`` or a checkpoint's tree). log_failure_notify runs once it is
    committed, through the outbox (a broker outage delays it, never loses it)."""
    enqueue_on_commit(log_failure_notify, failure_id=failure_id)


@shared_task(name="footage.tasks.log_failure_notify", base=OutboxTask)
def log_failure_notify(*, failure_id: int) -> int:
    """Tell every active member of the oversight board and every active administrator of the
    department that its log failed verification, in Porchlight and by e-mail, in their own
    language: which events, since when, what the check found. Once per failure and recipient
    (the notification's once_key), however often this runs; returns how many were told."""
    notice = log_failure_get(failure_id=failure_id)
    if notice is None:
        return 0
    failure = notice.failure
    statement = lazy(lambda: failure_statement(notice, language=get_language() or "en"), str)()
    told = 0
    for role in (Role.OVERSIGHT, Role.DEPT_ADMIN):
        told += len(
            notification_send_to_role(
                role=role,
                kind=Kind.LOG_INTEGRITY_FAILED,
                subject=text(
                    gettext_lazy("The access log of %(department)s failed verification"),
                    department=department_current().name,
                ),
                body=text(
                    gettext_lazy(
                        "%(statement)s\n\nWhat the check (%(check)s) found: %(problem)s\n\nThe public transparency "
                        "page, its open data and feed, and the camera owners' pages say so now, and keep saying so "
                        "until the oversight board records the failure as resolved on the log's page (and after, "
                        "marked resolved). The platform's operators were e-mailed too."
                    ),
                    statement=statement,
                    check=failure.found_by,
                    problem=failure.problem,
                ),
                link=reverse("oversight-log"),
                once_key=f"log-failure:{failure.pk}",
            )
        )
    return told


@shared_task(name="footage.tasks.requests_remind")
def requests_remind() -> int:
    return services.requests_remind()


@shared_task(name="footage.tasks.clip_uploads_purge")
def clip_uploads_purge() -> int:
    """Delete abandoned resumable uploads and their staged pieces (beat, in every department)."""
    return uploads.clip_uploads_purge()
