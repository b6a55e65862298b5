"""Per-integration counters in Redis (the Django cache, whose keys carry the schema): the
rate limit on accepted deliveries, and the refusals shown on the integration's page.

Refusals are counted here and logged to the application log, not written to the access log:
the access log is hash-chained and read by the oversight board, and a flood of unsigned posts
must neither flood it nor make the database write a row per post. The counts live as long as
Redis keeps them (a Redis without persistence forgets them on restart; the log lines stay).
"""

import time

from django.core.cache import cache

from .models import Integration

__all__ = ["REFUSAL_REASONS", "rate_limit_hit", "refusal_count", "refusals_of"]

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


def rate_limit_hit(*, integration: Integration, now: float | None = None) -> int:
    """Count one delivery against the integration's limit per minute; 0 when within it, else
    the seconds until the current minute's window ends (the answer's Retry-After)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"incidents:rate:{integration.public_id}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count <= integration.rate_per_minute:
        return 0
    return max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
