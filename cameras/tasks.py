"""Periodic work on the registry, per department (the tenant-aware beat runs it in each)."""

from celery import shared_task

from . import suspensions


@shared_task(name="cameras.tasks.suspensions_expire")
def suspensions_expire() -> int:
    """Resume the timed pauses whose end has come (suspensions.suspensions_expire)."""
    return suspensions.suspensions_expire()
