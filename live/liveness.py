"""Telling what is derived from a bridge's liveness that the bridge came or went.

Whether a bridge is connected lives in live.presence (Redis heartbeats with an expiry), never in
a column; what is stored from it (compliance's judgement of "live connection required") must be
recomputed when it changes. That happens only when a bridge connects, disconnects or its
heartbeat expires, never on a frame or a renewal:

- the bridge's consumer announces it (live.consumers.BridgeConsumer.connect and _gone), once per
  change (live.presence.bridge_liveness_announce / bridge_liveness_withdraw);
- a process killed outright runs no disconnect: ``bridges_expired_sweep`` (beat,
  ``live.tasks.bridge_liveness_sweep``, every minute in each department) finds the bridges
  announced as connected whose heartbeats expired and announces that they went.

The layers above live that keep something derived (compliance) register a listener here, in
AppConfig.ready(): live must not import them. A listener only owes work after the commit (an
outbox row): it is called inside a transaction and writes nothing of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from tenants.selectors import department_current

from . import presence
from .models import Bridge

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["bridge_liveness_changed", "bridge_liveness_listen", "bridges_expired_sweep"]

_LISTENERS: list[Callable[..., None]] = []


def bridge_liveness_listen(listener: Callable[..., None]) -> None:
    """Call ``listener(site_ids=[...])`` when bridges of those sites connect or go (AppConfig.ready)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def bridge_liveness_changed(*, bridge_public_ids: Iterable[str]) -> None:
    """Bridges (public ids) of the current department connected or went: tell the listeners the
    sites they serve, in one transaction, so that what they owe is enqueued after its commit."""
    with transaction.atomic():
        site_ids = sorted(
            set(Bridge.objects.filter(public_id__in=list(bridge_public_ids)).values_list("site_id", flat=True))
        )
        if site_ids:
            for listener in _LISTENERS:
                listener(site_ids=site_ids)


def bridges_expired_sweep() -> int:
    """The bridges of the current department announced as connected whose every connection
    expired without a disconnect (a killed process): announced as gone. Returns how many."""
    gone = presence.bridges_expired_withdraw(schema=department_current().schema_name)
    if gone:
        bridge_liveness_changed(bridge_public_ids=gone)
    return len(gone)
