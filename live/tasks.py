"""Periodic work on live views, per department (the tenant-aware beat runs it in each)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger("porchlight.live")


@shared_task(name="live.tasks.live_sessions_sweep")
def live_sessions_sweep() -> int:
    """End the live views a dead process left open (services.live_sessions_sweep)."""
    sweep = services.live_sessions_sweep()
    if sweep.ended:
        logger.warning("live sweep ended views left open", extra={"ended": sweep.ended})
    return sweep.ended
