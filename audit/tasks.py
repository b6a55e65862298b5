"""Periodic work on the access log, per department (the tenant-aware beat runs it in each)."""

import logging

from celery import shared_task
from django.db import connection
from django.utils import timezone

from core.mail import mail_admins_send

from .checkpoints import checkpoint_make
from .selectors import guard_triggers_weakened
from .verify import ChainReport, chain_verify_in_full

logger = logging.getLogger(__name__)


@shared_task(name="audit.tasks.chain_verify_hourly")
def chain_verify_hourly() -> str:
    """chain_verify_and_alert as a task (the department's own staff are told by the beat
    task above the log that calls it: footage.tasks.access_log_verify_hourly)."""
    return chain_verify_and_alert().sentence()


def chain_verify_and_alert() -> ChainReport:
    """Walk the department's whole chain, held to the head verified before, and keep the
    outcome; a broken chain is logged as an error and mailed to the platform's
    administrators (the oversight page shows it too). So is a guarding trigger that no
    longer fires in every session (missing, or re-enabled without ALWAYS)."""
    report = chain_verify_in_full(by="hourly task")
    schema = connection.schema_name  # type: ignore[attr-defined]
    # Told every hour while it lasts, each hour's e-mail one message however often its
    # task runs (a worker lost after sending runs it again).
    hour = timezone.now().strftime("%Y%m%d%H")
    if not report.ok:
        logger.error("access log chain broken", extra={"schema": schema, "seq": report.broken_seq})
        mail_admins_send(
            kind="log-broken",
            about=[report.broken_seq, hour],
            subject=f"Porchlight: the access log of {schema} is broken",
            body=report.sentence(),
        )
    if weakened := guard_triggers_weakened():
        logger.error("access log triggers weakened", extra={"schema": schema, "triggers": weakened})
        mail_admins_send(
            kind="log-unguarded",
            about=[",".join(weakened), hour],
            subject=f"Porchlight: the access log of {schema} is no longer guarded in every session",
            body=" ".join(weakened)
            + " Switch them back on with ALTER TABLE <table> ENABLE ALWAYS TRIGGER <name> (docs/audit-events.md).",
        )
    return report


@shared_task(name="audit.tasks.log_checkpoint")
def log_checkpoint() -> str:
    """Every 15 minutes, in every department (the tenant-aware beat): grow the log's Merkle
    tree and keep a signed checkpoint of it (audit.checkpoints), published at
    /api/v1/log/checkpoint/ for witnesses. Made even when no event was added, so a witness can
    tell a log that stands still from one that stopped signing."""
    checkpoint = checkpoint_make()
    return f"checkpoint of {checkpoint.tree_size} events"
