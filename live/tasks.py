"""Periodic work on live views, per department (the tenant-aware beat runs it in each)."""

import logging

from celery import shared_task

from . import positions, services

logger = logging.getLogger("porchlight.live")


@shared_task(name="live.tasks.live_sessions_sweep")
def live_sessions_sweep() -> int:
    """End the live views a dead process left open (services.live_sessions_sweep)."""
    sweep = services.live_sessions_sweep()
    if sweep.ended:
        logger.warning("live sweep ended views left open", extra={"ended": sweep.ended})
    return sweep.ended


@shared_task(name="live.tasks.position_samples_purge")
def position_samples_purge() -> int:
    """Delete mobile cameras' track points older than the department's footage retention
    (positions.position_samples_purge); idempotent."""
    purged = positions.position_samples_purge()
    if purged:
        logger.info("track points purged", extra={"purged": purged})
    return purged
