"""Periodic work on live views, per department (the tenant-aware beat runs it in each)."""

import logging

from celery import shared_task

from tenants.periodic import sql_probe, work_probe_register

from . import positions, presence, services
from .liveness import bridges_expired_sweep
from .models import LiveSession

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


@shared_task(name="live.tasks.bridge_liveness_sweep")
def bridge_liveness_sweep() -> int:
    """Bridges whose process died without a disconnect: what depends on their liveness (the
    stored compliance) is told they went (live.liveness.bridges_expired_sweep)."""
    gone = bridges_expired_sweep()
    if gone:
        logger.info("bridges expired without a disconnect", extra={"bridges": gone})
    return gone


# Beat asks these first, once for every department (tenants.periodic): a department without an
# open view, a view whose end is pending, or a bridge announced as connected is not entered.
_SESSIONS = LiveSession._meta.db_table
work_probe_register(
    "live.tasks.live_sessions_sweep",
    # Both conditions are partial indexes (live_session_open, live_session_end_pending).
    sql_probe(
        f"EXISTS (SELECT 1 FROM {{schema}}.{_SESSIONS} WHERE ended_at IS NULL) "  # noqa: S608 (a model's table, no input)
        f"OR EXISTS (SELECT 1 FROM {{schema}}.{_SESSIONS} WHERE end_pending)"
    ),
)
work_probe_register("live.tasks.bridge_liveness_sweep", presence.schemas_with_announced_bridges)
