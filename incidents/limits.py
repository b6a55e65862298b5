"""Per-integration counters in Redis (the Django cache, whose keys carry the schema): the
rate limit on accepted deliveries, the signatures of recent deliveries (a replay is refused
before the rate counts it), and the refusals shown on the integration's page.

Refusals are counted here and logged to the application log, not written to the access log:
the access log is hash-chained and read by the oversight board, and a flood of unsigned posts
must neither flood it nor make the database write a row per post. The counts live as long as
Redis keeps them (a Redis without persistence forgets them on restart; the log lines stay).
"""

import contextlib
import time

from django.conf import settings
from django.core.cache import cache

from .models import Integration

__all__ = [
    "REFUSAL_REASONS",
    "delivery_seen",
    "delivery_seen_mark",
    "rate_limit_hit",
    "rate_limit_refund",
    "refusal_count",
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


def _refusal_key(integration: Integration, reason: str) -> str:
    return f"incidents:refused:{integration.public_id}:{reason}"


def refusal_count(*, integration: Integration, reason: str) -> None:
    key = _refusal_key(integration, reason)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


def refusals_of(*, integration: Integration) -> dict[str, int]:
    """The integration's refusals by reason (only those that happened), in REFUSAL_REASONS order."""
    keys = {_refusal_key(integration, reason): reason for reason in REFUSAL_REASONS}
    found = cache.get_many(list(keys))
    return {keys[key]: int(found[key]) for key in keys if found.get(key)}


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
