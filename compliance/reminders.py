"""Reminders to owners (beat: compliance.tasks.reminders_send, every department's schema):
30 and 7 days before a yearly attestation is due, and on a notice's cure deadline. Each is an
in-app notice and an e-mail (notifications.services.notification_send) to the site's owner.

Once per site, ordinance, due date and kind (``Reminder``'s unique key), whatever happens to
beat: the row and the notice are written in one transaction, and a second run at the same
moment waits on the unique index for the first one's commit, then finds the key taken and
sends nothing. A run that failed sends on the next one."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cameras.models import Site
from notifications.models import Kind
from notifications.services import notification_send
from notifications.services import text as notice_text
from tenants.selectors import policy_current

from .models import Notice, Ordinance, Reminder, ReminderKind
from .rules import Status
from .selectors import ordinance_kinds_in_force, rules_of, sites_compliance, versions_in_force
from .services import local_today

if TYPE_CHECKING:
    from django.utils.functional import Promise

__all__ = ["CURE_GRACE_DAYS", "SITES_PER_BATCH", "reminder_kind", "reminders_send"]

logger = logging.getLogger("porchlight.compliance")

# Judged this many sites at a time: a fixed number of queries per batch (selectors.sites_compliance).
SITES_PER_BATCH = 500
# A cure deadline reminder still goes out this many days late if beat did not run on the day
# (a worker down over a weekend); an older deadline is not news any more.
CURE_GRACE_DAYS = 3


def reminder_kind(*, due_on: dt.date, today: dt.date) -> ReminderKind | None:
    """Which attestation reminder a due date calls for today: the 7-day one in its last week,
    the 30-day one from 30 days to 8 days before (so a run missed on the exact day still
    reminds), none otherwise."""
    left = (due_on - today).days
    if 0 <= left <= 7:
        return ReminderKind.ATTESTATION_7
    if 7 < left <= 30:
        return ReminderKind.ATTESTATION_30
    return None


def _site_label(site: Site) -> str:
    return site.business_name or site.name or site.address


def _remind(
    *,
    site: Site,
    ordinance: Ordinance,
    kind: ReminderKind,
    due_on: dt.date,
    subject: Promise | str,
    body: Promise | str,
) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(site=site, ordinance=ordinance, kind=kind, due_on=due_on)
            notification_send(
                recipient=site.owner,
                kind=Kind.COMPLIANCE_REMINDER,
                subject=subject,
                body=body,
                link=f"{reverse('portal-obligations')}#site-{site.public_id}",
            )
    except IntegrityError:  # sent already, or by a run at this very moment
        return False
    return True


def _attestation_reminders(*, today: dt.date, now: dt.datetime) -> int:
    versions = [v for v in versions_in_force(on=today) if rules_of(v).needs_attestation]
    if not versions:
        return 0
    ordinances = {str(v.ordinance.public_id): v.ordinance for v in versions}
    policy = policy_current()
    schema = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' connection
    sites = Site.objects.filter(kind__in=ordinance_kinds_in_force(on=today)).select_related("owner").order_by("pk")
    sent, last = 0, 0
    while batch := list(sites.filter(pk__gt=last)[:SITES_PER_BATCH]):
        last = batch[-1].pk
        for compliance in sites_compliance(sites=batch, policy=policy, schema=schema, now=now).values():
            for result in compliance.covering:
                due_on = result.judgement.next_attestation_due
                ordinance = ordinances.get(result.rules.key)
                if ordinance is None or due_on is None or result.status is Status.EXEMPT:
                    continue
                kind = reminder_kind(due_on=due_on, today=today)
                if kind is None:
                    continue
                site = compliance.site
                sent += _remind(
                    site=site,
                    ordinance=ordinance,
                    kind=kind,
                    due_on=due_on,
                    subject=notice_text(
                        gettext_lazy("Your yearly attestation is due on %(date)s"), date=due_on.isoformat()
                    ),
                    body=notice_text(
                        gettext_lazy(
                            "The yearly attestation for %(site)s under %(ordinance)s is due on %(date)s. "
                            "File it on your obligations page, or ask for an exemption there."
                        ),
                        site=_site_label(site),
                        ordinance=ordinance.name,
                        date=due_on.isoformat(),
                    ),
                )
    return sent


def _cure_reminders(*, today: dt.date) -> int:
    notices = Notice.objects.filter(
        resolved_on__isnull=True, cure_by__lte=today, cure_by__gte=today - dt.timedelta(days=CURE_GRACE_DAYS)
    ).select_related("site__owner", "ordinance")
    sent = 0
    for notice in notices:
        sent += _remind(
            site=notice.site,
            ordinance=notice.ordinance,
            kind=ReminderKind.CURE_DEADLINE,
            due_on=notice.cure_by,
            subject=notice_text(
                gettext_lazy("The cure deadline of a notice is %(date)s"), date=notice.cure_by.isoformat()
            ),
            body=notice_text(
                gettext_lazy(
                    "The department's notice about %(site)s under %(ordinance)s asked you to fix this by "
                    "%(date)s:\n\n%(text)s\n\nIf it is fixed, tell the department; otherwise you may ask for an "
                    "exemption or appeal on your obligations page."
                ),
                site=_site_label(notice.site),
                ordinance=notice.ordinance.name,
                date=notice.cure_by.isoformat(),
                text=notice.text,
            ),
        )
    return sent


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Send the reminders due in this department today (its own date); returns how many."""
    now = now or timezone.now()
    today = local_today(now)
    sent = _attestation_reminders(today=today, now=now) + _cure_reminders(today=today)
    if sent:
        logger.info("compliance reminders sent", extra={"event": "compliance_reminders", "sent": sent})
    return sent
