"""Periodic work on the access log, per department (the tenant-aware beat runs it in each)."""

import logging

from celery import shared_task
from django.core.mail import mail_admins
from django.db import connection

from .verify import chain_verify_in_full

logger = logging.getLogger(__name__)


@shared_task(name="audit.tasks.chain_verify_hourly")
def chain_verify_hourly() -> str:
    """Walk the department's whole chain, held to the head verified before, and keep the
    outcome; a broken chain is logged as an error and mailed to the platform's
    administrators (the oversight page shows it too)."""
    report = chain_verify_in_full(by="hourly task")
    if not report.ok:
        schema = connection.schema_name  # type: ignore[attr-defined]
        logger.error("access log chain broken", extra={"schema": schema, "seq": report.broken_seq})
        mail_admins(f"Porchlight: the access log of {schema} is broken", report.sentence())
    return report.sentence()
