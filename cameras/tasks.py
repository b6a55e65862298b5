"""Periodic work on the registry, per department (the tenant-aware beat runs it in each)."""

from celery import shared_task

from . import suspensions

# The owner's access digest tasks live beside the notices they send (cameras/digest.py);
# importing them here registers them with the worker, which loads every app's tasks module.
from .digest import access_digest_send, access_notice_send

__all__ = ["access_digest_send", "access_notice_send", "suspensions_expire"]


@shared_task(name="cameras.tasks.suspensions_expire")
def suspensions_expire() -> int:
    """Resume the timed pauses whose end has come (suspensions.suspensions_expire)."""
    return suspensions.suspensions_expire()
