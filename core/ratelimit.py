"""Rate limits: how many attempts one client may make in a window, counted in Redis.

A limit has a name (:class:`Limit`) and one or more rates, each ``amount/window/per`` as
allauth writes them (``"60/m/user,120/m/token"``): at most *amount* attempts every *window*
(``s``, ``m``, ``h``, ``d``, optionally with a count: ``15m``) per *subject* — the client's
address (``ip``), the signed-in account (``user``), the API or bridge token (``token``) or
another key such as an e-mail address (``key``, hashed). The rates come from
``settings.PORCHLIGHT_RATE_LIMITS`` (environment variables, docs/rate-limits.md). An attempt
counts against every rate whose subject the caller gives; a rate whose subject is not known
(no token in a browser session) does not apply.

Counting is a fixed window: one Redis key per subject and window, ``INCR`` and ``EXPIRE`` in
one transaction (one round trip, atomic however many server processes count at once). The
answer to an attempt over the limit is the seconds until its window ends (``Retry-After``).
The price of a fixed window: a client can make up to twice the amount across the boundary of
two windows; in exchange a check costs one round trip and one small key, and a flood of
refused attempts costs Redis no more than allowed ones. Refused attempts count too, so a
client that keeps hammering is not let through early.

Every key carries the department's schema, given explicitly (not through the cache's key
function, which reads the schema of the current thread's database connection: in a Channels
consumer that is not the department's), so one department's flood never limits another's.

When Redis cannot be reached, each limit does what :data:`FAILS_OPEN` says: the staff actions
(search, footage requests, messages) go on unlimited, with a warning in the log, because they
are signed in, second-factored and each one is written to the access log, and stopping police
work because a counter is gone costs more than one unlimited minute; the bridge's connection
attempts are refused (the relay needs Redis anyway). Sign-in, sign-up and password reset are
allauth's limits (``ACCOUNT_RATE_LIMITS``) and fail closed (config.middleware).
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import math
import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from redis import asyncio as aioredis

from .errors import RateLimited, Unavailable

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "FAILS_OPEN",
    "Limit",
    "Rate",
    "RateLimited",
    "alimit_take",
    "duration_words",
    "limit_check",
    "limit_check_request",
    "limit_take",
    "rates_of",
    "rates_parse",
]

logger = logging.getLogger("porchlight.ratelimit")

PREFIX = "porchlight:rl"
# A check sits in front of every search: a Redis slower than this is treated as unreachable
# (a Redis on the same network answers in well under a millisecond).
REDIS_TIMEOUT_SECONDS = 1.0
PER = ("ip", "user", "token", "key")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Limit(enum.StrEnum):
    """The limits of docs/rate-limits.md; the value is the key of PORCHLIGHT_RATE_LIMITS."""

    SEARCH = "search"  # the API's and the console's area searches (one count for both)
    FOOTAGE_REQUEST = "footage_request"  # sending footage requests to owners
    MESSAGE = "message"  # officers' messages and owners' answers
    BRIDGE_CONNECT = "bridge_connect"  # connection attempts on /ws/bridge/, before the token is checked
    BRIDGE_PAIR = "bridge_pair"  # pairing codes tried on /ws/bridge/pair/ (live.pairing)


#: What each limit counts, for the sentence that answers a refusal.
_WHAT = {
    Limit.SEARCH: _("searches"),
    Limit.FOOTAGE_REQUEST: _("footage requests"),
    Limit.MESSAGE: _("messages"),
    Limit.BRIDGE_CONNECT: _("bridge connection attempts"),
    Limit.BRIDGE_PAIR: _("pairing attempts"),
}

#: Whether the limit lets attempts through (True) or refuses them (False) while Redis is unreachable.
FAILS_OPEN: dict[Limit, bool] = {
    Limit.SEARCH: True,
    Limit.FOOTAGE_REQUEST: True,
    Limit.MESSAGE: True,
    Limit.BRIDGE_CONNECT: False,
    Limit.BRIDGE_PAIR: False,  # a guessing attack must not get unlimited tries while Redis is down
}


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    per: str

    def __str__(self) -> str:
        return f"{self.amount}/{self.seconds}s/{self.per}"


def rates_parse(text: str) -> tuple[Rate, ...]:
    """``"20/m/ip,5/15m/key"`` as rates; an empty text is no limit. Refuses what it cannot read."""
    rates = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        pieces = part.split("/")
        if len(pieces) != 3:
            raise ImproperlyConfigured(f"rate {part!r}: write amount/window/per, e.g. 60/m/user")
        amount, window, per = pieces
        unit = window[-1:]
        count = window[:-1] or "1"
        if not amount.isdigit() or unit not in _UNITS or not count.isdigit() or int(count) < 1:
            raise ImproperlyConfigured(f"rate {part!r}: the amount is a whole number, the window e.g. 30s, m, 15m, h")
        if per not in PER:
            raise ImproperlyConfigured(f"rate {part!r}: per is one of {', '.join(PER)}")
        rates.append(Rate(int(amount), int(count) * _UNITS[unit], per))
    return tuple(rates)


def rates_of(limit: Limit) -> tuple[Rate, ...]:
    return rates_parse(settings.PORCHLIGHT_RATE_LIMITS.get(str(limit), ""))


def duration_words(seconds: int) -> str:
    """``seconds`` as people say it, rounded up: "40 seconds", "2 minutes", "1 hour"."""
    if seconds < 120:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    if seconds < 7200:
        minutes = math.ceil(seconds / 60)
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = math.ceil(seconds / 3600)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def _refusal(limit: Limit, rate: Rate, retry_after: int) -> RateLimited:
    message = _("Too many %(what)s: at most %(amount)d every %(window)s. Try again in %(wait)s.") % {
        "what": _WHAT[limit],
        "amount": rate.amount,
        "window": duration_words(rate.seconds),
        "wait": duration_words(retry_after),
    }
    return RateLimited(str(message), code="rate_limited", retry_after=retry_after)


def _unavailable() -> Unavailable:
    return Unavailable(
        str(_("Porchlight cannot count attempts for a moment, and lets none through without that. Try again soon.")),
        code="rate_limit_unavailable",
    )


def _subject(rate: Rate, subjects: dict[str, Any]) -> str | None:
    value = subjects.get(rate.per)
    if value is None or value == "":
        return None
    text = str(value)
    if rate.per == "key":  # an e-mail address: never stored as it is, in any case
        text = hashlib.sha256(text.lower().encode()).hexdigest()[:32]
    elif rate.per == "token":  # a bridge's raw token or an API token's id: never stored as it is
        text = hashlib.sha256(text.encode()).hexdigest()[:32]
    return text


def _keys(limit: Limit, schema: str, subjects: dict[str, Any], now: float) -> list[tuple[Rate, str, int]]:
    """(rate, Redis key, window end) for every rate of ``limit`` whose subject is known."""
    found = []
    for rate in rates_of(limit):
        subject = _subject(rate, subjects)
        if subject is None:
            continue
        window = int(now // rate.seconds)
        key = f"{PREFIX}:{schema}:{limit}:{rate.per}:{rate.amount}/{rate.seconds}:{subject}:{window}"
        found.append((rate, key, (window + 1) * rate.seconds))
    return found


def _verdict(limit: Limit, keys: list[tuple[Rate, str, int]], counts: list[Any], now: float) -> RateLimited | None:
    """The refusal for the rate that frees up last, if any count is over its amount."""
    over = [
        (math.ceil(ends - now), rate)
        for (rate, _key, ends), count in zip(keys, counts, strict=True)
        if int(count) > rate.amount
    ]
    if not over:
        return None
    retry_after, rate = max(over, key=lambda item: item[0])
    return _refusal(limit, rate, max(1, retry_after))


# --- Redis (or, without it, this process) ------------------------------------------------------

_sync_clients: dict[str, redis.Redis] = {}
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, aioredis.Redis]] = (
    weakref.WeakKeyDictionary()
)
_local: dict[str, int] = {}
_local_lock = threading.Lock()


def _redis() -> redis.Redis:
    url = settings.REDIS_URL
    client = _sync_clients.get(url)
    if client is None:
        client = _sync_clients[url] = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
    return client


def _aredis() -> aioredis.Redis:
    """One client per event loop and URL: redis.asyncio connections belong to a loop."""
    clients = _async_clients.setdefault(asyncio.get_running_loop(), {})
    url = settings.REDIS_URL
    client = clients.get(url)
    if client is None:
        client = clients[url] = aioredis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
    return client


def _local_count(keys: list[tuple[Rate, str, int]]) -> list[int]:
    """Without Redis (the embedded default: one process), the counts live here."""
    with _local_lock:
        counts = []
        for _rate, key, _ends in keys:
            _local[key] = _local.get(key, 0) + 1
            counts.append(_local[key])
        if len(_local) > 100_000:  # old windows: forget them all rather than grow without end
            _local.clear()
        return counts


def _unreachable(limit: Limit, error: Exception) -> None:
    """Redis is gone: let the attempt through (FAILS_OPEN) or refuse it."""
    logger.warning("rate limit not counted: redis unreachable", extra={"limit": str(limit), "error": str(error)})
    if not FAILS_OPEN[limit]:
        raise _unavailable() from error


def limit_take(*, limit: Limit, schema: str, now: float | None = None, **subjects: Any) -> RateLimited | None:
    """Count one attempt of ``limit`` in department ``schema`` by the given subjects
    (``ip=``, ``user=``, ``token=``, ``key=``); the refusal to answer with when it is over any
    rate, else None. Raises :class:`core.errors.Unavailable` when Redis cannot be reached and
    the limit fails closed."""
    now = time.time() if now is None else now
    keys = _keys(limit, schema, subjects, now)
    if not keys:
        return None
    if not settings.REDIS_URL:
        counts = _local_count(keys)
    else:
        try:
            with _redis().pipeline(transaction=True) as pipe:
                for _rate, key, ends in keys:
                    pipe.incr(key)
                    pipe.expire(key, math.ceil(ends - now) + 1)
                counts = pipe.execute()[::2]
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            _unreachable(limit, exc)
            return None
    return _verdict(limit, keys, counts, now)


async def alimit_take(*, limit: Limit, schema: str, now: float | None = None, **subjects: Any) -> RateLimited | None:
    """:func:`limit_take` for a consumer's event loop (redis.asyncio, no thread)."""
    now = time.time() if now is None else now
    keys = _keys(limit, schema, subjects, now)
    if not keys:
        return None
    if not settings.REDIS_URL:
        counts = _local_count(keys)
    else:
        try:
            async with _aredis().pipeline(transaction=True) as pipe:
                for _rate, key, ends in keys:
                    pipe.incr(key)
                    pipe.expire(key, math.ceil(ends - now) + 1)
                counts = (await pipe.execute())[::2]
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            _unreachable(limit, exc)
            return None
    return _verdict(limit, keys, counts, now)


def limit_check(*, limit: Limit, schema: str, **subjects: Any) -> None:
    """:func:`limit_take`, raising its refusal (:class:`RateLimited`)."""
    refusal = limit_take(limit=limit, schema=schema, **subjects)
    if refusal is not None:
        raise refusal


def limit_check_request(request: HttpRequest, *, limit: Limit, **subjects: Any) -> None:
    """:func:`limit_check` for a request on a department's host, by its client address too.

    The address is REMOTE_ADDR, as everywhere else (the gate, allauth's sign-in limits): the
    ASGI server sets it from X-Forwarded-For only for a connection from a trusted proxy
    (uvicorn's --proxy-headers, FORWARDED_ALLOW_IPS), so a header a client sends is never read.
    """
    schema = str(request.tenant.schema_name)  # type: ignore[attr-defined]
    limit_check(limit=limit, schema=schema, ip=request.META.get("REMOTE_ADDR") or "unknown", **subjects)
