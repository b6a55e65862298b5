"""The department's own days: every date compliance compares (a version's effective day, a
cure date, an attestation's due day, an exemption's end) is a day where the department is.

An ordinance version in force "from 1 July" is in force from midnight on 1 July in the
department's time zone: in California that is 07:00 UTC, so the UTC date (``now.date()`` on an
aware UTC instant, or ``timezone.localdate()`` outside a request, where the active zone is
UTC) would put it in force seven or eight hours early, and a deadline would end as early. The
zone comes from the current department (audit.rollups.department_time_zone), in requests and
in Celery tasks alike."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

from audit.rollups import department_time_zone

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["department_zone", "local_date", "local_today"]


def department_zone() -> ZoneInfo:
    """The current department's time zone (UTC when none is known)."""
    return ZoneInfo(department_time_zone())


def local_date(instant: dt.datetime) -> dt.date:
    """The department's date at the aware ``instant``."""
    return timezone.localtime(instant, department_zone()).date()


def local_today(now: dt.datetime | None = None) -> dt.date:
    """The department's date now (or at ``now``)."""
    return local_date(now or timezone.now())
