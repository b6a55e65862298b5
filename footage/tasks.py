"""Footage's beat jobs: retention, reminders, the integrity checks, abandoned uploads. Each runs
in every department's schema. The owner's e-mails are in footage.notices (see below)."""

import hashlib
import logging

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from audit.tasks import chain_verify_and_alert
from core.mail import mail_admins_send
from notifications.models import Kind
from notifications.services import notification_send_to_role, text
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


def log_tree_rebuilt_tell_admins(*, problem: str, size: int) -> None:
    """audit.checkpoints.tree_rebuilt_listen: the log's Merkle tree is being rebuilt because its
    events no longer match it (rewritten, or restored from elsewhere). Every administrator of
    the department is told in Porchlight and by e-mail (through the outbox, after the rebuild
    commits), once per rebuild; the oversight pages' banner says it too (audit.checkpoints).
    Here for the reason access_log_verify_hourly is."""
    fingerprint = hashlib.sha256(f"{size}:{problem}".encode()).hexdigest()[:32]
    notification_send_to_role(
        role=Role.DEPT_ADMIN,
        kind=Kind.LOG_TREE_REBUILT,
        subject=text(gettext_lazy("The access log was rewritten: its Merkle tree was rebuilt")),
        body=text(
            gettext_lazy(
                "The events of %(department)s's access log no longer matched its Merkle tree (%(problem)s), so "
                "the tree was rebuilt from the events as they are now. Checkpoints signed before no longer "
                "match the log, and the oversight board's witness will refuse the next one: find out who "
                "changed the database. The oversight page shows what was found; the platform's operators "
                "were e-mailed too."
            ),
            department=department_current().name,
            problem=problem,
        ),
        link=reverse("oversight-log"),
        once_key=f"log-rebuilt:{fingerprint}",
    )


@shared_task(name="footage.tasks.requests_remind")
def requests_remind() -> int:
    return services.requests_remind()


@shared_task(name="footage.tasks.clip_uploads_purge")
def clip_uploads_purge() -> int:
    """Delete abandoned resumable uploads and their staged pieces (beat, in every department)."""
    return uploads.clip_uploads_purge()
