"""The footage delivery deadline some ordinances set (DeKalb: 72 hours), and its clock.

Footage sits below compliance and knows nothing of ordinances: compliance registers a provider
here when it starts (``delivery_hours_provider_register``, from ComplianceConfig.ready), which
says, for a set of sites, within how many hours an ordinance in force asks their owner to
deliver requested footage. ``footage_request_send`` asks it once per request and stores the
deadline on each owner's request (``OwnerRequest.deliver_by``), so that the clock a request
started with does not move when an ordinance changes later.

The clock (``delivery_clock``) is pure. An owner's request is *delivered* when every camera it
lists has an answer that delivers what exists (footage sent, or no relevant footage), at the
time of the last such answer. A decline is the owner's right and is never blocked; it simply
does not deliver, so past the deadline it counts with the unanswered ones as "not delivered by
the deadline": police see that count, never which owner declined and which was silent.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from .models import Answer

__all__ = [
    "DeliveryClock",
    "DeliveryState",
    "delivery_clock",
    "delivery_hours_of_sites",
    "delivery_hours_provider_register",
    "delivery_ordinances_of_sites",
    "delivery_ordinances_provider_register",
]

#: site pks and the instant -> {site pk: hours} for the sites an ordinance gives a deadline.
DeliveryHoursProvider = Callable[[Collection[int], dt.datetime], dict[int, int]]
_PROVIDERS: list[DeliveryHoursProvider] = []

#: The answers that deliver what exists: footage, or the statement that there is none.
DELIVERING = frozenset({Answer.UPLOADED, Answer.NO_FOOTAGE})


def delivery_hours_provider_register(provider: DeliveryHoursProvider) -> None:
    """An app above footage (compliance) says which sites must deliver within how many hours."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def delivery_hours_of_sites(site_ids: Collection[int], at: dt.datetime) -> dict[int, int]:
    """The shortest delivery deadline (hours) any provider gives each site; sites without one
    are left out."""
    out: dict[int, int] = {}
    if not site_ids:
        return out
    for provider in _PROVIDERS:
        for site_id, hours in provider(site_ids, at).items():
            out[site_id] = min(hours, out.get(site_id, hours))
    return out


#: site pks and the instant -> {site pk: the name of the ordinance setting its deadline}.
DeliveryOrdinanceProvider = Callable[[Collection[int], dt.datetime], dict[int, tuple[int, str]]]
_ORDINANCE_PROVIDERS: list[DeliveryOrdinanceProvider] = []


def delivery_ordinances_provider_register(provider: DeliveryOrdinanceProvider) -> None:
    """An app above footage (compliance) says, for the sites it gives a deadline, the hours and
    the name of the ordinance setting it, so that the request page can name it."""
    if provider not in _ORDINANCE_PROVIDERS:
        _ORDINANCE_PROVIDERS.append(provider)


def delivery_ordinances_of_sites(site_ids: Collection[int], at: dt.datetime) -> dict[int, tuple[int, str]]:
    """Each site's shortest deadline (hours) and the name of the ordinance setting it."""
    out: dict[int, tuple[int, str]] = {}
    if not site_ids:
        return out
    for provider in _ORDINANCE_PROVIDERS:
        for site_id, (hours, name) in provider(site_ids, at).items():
            if site_id not in out or hours < out[site_id][0]:
                out[site_id] = (hours, name)
    return out


class DeliveryState(StrEnum):
    OPEN = "open"  # not delivered, the deadline not passed
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"  # not delivered, the deadline passed


@dataclass(frozen=True)
class DeliveryClock:
    deliver_by: dt.datetime
    state: DeliveryState
    delivered_at: dt.datetime | None
    #: Whole hours left before the deadline, rounded up (0 once it passed).
    hours_left: int


def delivery_clock(
    *,
    deliver_by: dt.datetime | None,
    answers: Iterable[tuple[str, dt.datetime | None]],
    now: dt.datetime,
) -> DeliveryClock | None:
    """The state of one owner's request against its deadline at ``now``, from its answers
    (answer, answered_at); None when the request carries no deadline."""
    if deliver_by is None:
        return None
    rows = list(answers)
    delivered = bool(rows) and all(answer in DELIVERING and at is not None for answer, at in rows)
    delivered_at = max(at for _answer, at in rows if at is not None) if delivered else None
    if delivered_at is not None:
        state = DeliveryState.ON_TIME if delivered_at <= deliver_by else DeliveryState.LATE
    else:
        state = DeliveryState.OPEN if now <= deliver_by else DeliveryState.OVERDUE
    hours_left = max(0, math.ceil((deliver_by - now).total_seconds() / 3600))
    return DeliveryClock(deliver_by, state, delivered_at, hours_left)
