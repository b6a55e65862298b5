"""Compliance's beat job, run in every department's schema (config/settings: CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .reminders import reminders_send

__all__ = ["compliance_reminders_send"]


@shared_task(name="compliance.tasks.reminders_send")
def compliance_reminders_send() -> int:
    """Attestations due in 30 and 7 days, and notices at their cure deadline (compliance.reminders)."""
    return reminders_send()
