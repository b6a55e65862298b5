"""Per-integration counters in Redis (the Django cache, whose keys carry the schema): the
rate limit on accepted deliveries, the signatures of recent deliveries (a replay is refused
before the rate counts it), and the refusals shown on the integration's page.

Refusals are counted here and logged to the application log, not written to the access log:
the access log is hash-chained and read by the oversight board, and a flood of unsigned posts
must neither flood it nor make the database write a row per post. Their counts are carried
from Redis into the database (IntegrationRefusal) at most once a minute per integration and
reason, so they outlive a Redis restart but for the refusals not yet carried.
"""

import contextlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import Integration, IntegrationRefusal

__all__ = [
    "REFUSAL_REASONS",
    "delivery_seen",
    "delivery_seen_mark",
    "rate_limit_hit",
    "rate_limit_refund",
    "refusal_carried_key",
    "refusal_count",
    "refusal_pending_key",
    "refusals_by_integration",
    "refusals_of",
]

# Every reason a delivery is refused for, as the answer's ``reason`` and the counters name it.
REFUSAL_REASONS = (
    "timestamp_missing",
    "timestamp_stale",
    "signature_missing",
    "signature_invalid",
    "replayed",
    "inactive",
    "rate_limited",
    "too_large",
    "invalid_json",
)
WINDOW_SECONDS = 60


# Refusals are counted in Redis at once (``pending``); the first refusal of each minute per
# integration and reason (``carried`` is added with a minute's expiry) carries what is pending
# into the database in one upsert. So a flood costs at most one database write a minute per
# reason, and a Redis restart loses at most what was not yet carried (about a minute's worth).
CARRY_SECONDS = 60

_CARRY_SQL = """
INSERT INTO incidents_integrationrefusal (integration_id, reason, count, last_carried_at)
VALUES (%s, %s, %s, %s)
ON CONFLICT (integration_id, reason)
DO UPDATE SET count = incidents_integrationrefusal.count + EXCLUDED.count, last_carried_at = EXCLUDED.last_carried_at
"""


def refusal_pending_key(integration: Integration, reason: str) -> str:
    return f"incidents:refused:{integration.public_id}:{reason}"


def refusal_carried_key(integration: Integration, reason: str) -> str:
    return f"incidents:refused-carried:{integration.public_id}:{reason}"


def refusal_count(*, integration: Integration, reason: str) -> None:
    """Count one refusal; the first of a minute (per integration and reason) also carries the
    pending count into the database."""
    key = refusal_pending_key(integration, reason)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)
    if cache.add(refusal_carried_key(integration, reason), 1, timeout=CARRY_SECONDS):
        _carry(integration, reason)


def _carry(integration: Integration, reason: str) -> None:
    key = refusal_pending_key(integration, reason)
    pending = int(cache.get(key) or 0)
    if pending <= 0:
        return
    # Taken off by decrement, not reset: refusals counted meanwhile stay pending.
    try:
        cache.decr(key, pending)
    except ValueError:  # evicted meanwhile: those counts are lost with it, carry none twice
        return
    with connection.cursor() as cursor:
        cursor.execute(_CARRY_SQL, [integration.pk, reason, pending, timezone.now()])


def refusals_by_integration(*, integrations: list[Integration]) -> dict[int, dict[str, int]]:
    """Each integration's refusals by reason (only those that happened), in REFUSAL_REASONS
    order: the stored counts (one query for all) plus what Redis holds still pending."""
    totals: dict[int, dict[str, int]] = {integration.pk: {} for integration in integrations}
    stored = IntegrationRefusal.objects.filter(integration__in=[i.pk for i in integrations]).values_list(
        "integration_id", "reason", "count"
    )
    for integration_id, reason, count in stored:
        totals[integration_id][reason] = count
    keys = {
        refusal_pending_key(integration, reason): (integration.pk, reason)
        for integration in integrations
        for reason in REFUSAL_REASONS
    }
    for key, value in cache.get_many(list(keys)).items():
        integration_id, reason = keys[key]
        totals[integration_id][reason] = totals[integration_id].get(reason, 0) + int(value)
    return {
        pk: {reason: by_reason[reason] for reason in REFUSAL_REASONS if by_reason.get(reason)}
        for pk, by_reason in totals.items()
    }


def refusals_of(*, integration: Integration) -> dict[str, int]:
    """The integration's refusals by reason (only those that happened), in REFUSAL_REASONS order."""
    return refusals_by_integration(integrations=[integration])[integration.pk]


def _rate_key(integration: Integration, window: int) -> str:
    return f"incidents:rate:{integration.public_id}:{window}"


def rate_limit_hit(*, integration: Integration, now: float | None = None) -> int:
    """Count one delivery against the integration's limit per minute; 0 when within it, else
    the seconds until the current minute's window ends (the answer's Retry-After)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = _rate_key(integration, window)
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count <= integration.rate_per_minute:
        return 0
    return max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))


def rate_limit_refund(*, integration: Integration, now: float | None = None) -> None:
    """Give back one count of the current window: a delivery counted and then found to be a
    replay (its copy won the race to the insert) does not use up the sender's quota."""
    now = time.time() if now is None else now
    # The window turned (or the key was evicted): nothing left to give back.
    with contextlib.suppress(ValueError):
        cache.decr(_rate_key(integration, int(now // WINDOW_SECONDS)))


# A delivery's signature is remembered for twice the timestamp window (settings) (a copy signed longer ago
# is refused as stale before this is asked), so that a replay is refused before the rate counts
# it, without a query. Redis forgetting it (a restart) costs only that: the insert's unique
# constraint still refuses the replay, and the receiver gives the count back.
def _seen_key(integration: Integration, signature: str) -> str:
    return f"incidents:seen:{integration.public_id}:{signature}"


def delivery_seen(*, integration: Integration, signature: str) -> bool:
    return cache.get(_seen_key(integration, signature)) is not None


def delivery_seen_mark(*, integration: Integration, signature: str) -> None:
    """Remember an accepted delivery's signature (after it is stored, never before: a delivery
    refused for its rate or content may be sent again as it was)."""
    cache.set(_seen_key(integration, signature), 1, timeout=2 * settings.PORCHLIGHT_INTEGRATION_WINDOW_SECONDS)
