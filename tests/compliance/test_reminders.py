"""Owners are reminded 30 and 7 days before a yearly attestation is due and on a notice's cure
deadline, in Porchlight and by e-mail, once per site, ordinance, due date and kind however
often beat runs, in each department's own schema."""

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from cameras.access import Actor
from cameras.models import Site
from compliance import reminders, services
from compliance.models import Reminder, ReminderKind
from compliance.tasks import compliance_reminders_send
from notifications.models import Kind, Notification
from tenants.models import DepartmentPolicy
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@pytest.fixture
def gas_station(in_rialto: Any) -> Site:
    owner = UserFactory(role=Role.BUSINESS)
    return site_make(owner, in_rialto, kind="business", business_name="Reminder Gas", business_category="gas_station")


@pytest.fixture
def dekalb(policy: DepartmentPolicy) -> Any:
    """Attestation due every 1 May (DEKALB_AFFIDAVIT), cure period 60 days."""
    return ordinance_make(policy, DEKALB_AFFIDAVIT, name="Reminder ordinance", cure_days=60).ordinance


def _mine(site: Site) -> list[tuple[str, dt.date]]:
    return sorted(Reminder.objects.filter(site=site).values_list("kind", "due_on"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2027, 3, 31), []),  # 31 days before
        (dt.date(2027, 4, 1), [("attestation_30", dt.date(2027, 5, 1))]),
        (dt.date(2027, 4, 20), [("attestation_30", dt.date(2027, 5, 1))]),  # a missed day still reminds
        (dt.date(2027, 4, 24), [("attestation_7", dt.date(2027, 5, 1))]),
    ],
)
def test_an_attestation_due_is_reminded_30_and_7_days_before(
    gas_station: Site, dekalb: Any, day: dt.date, expected: list[tuple[str, dt.date]]
) -> None:
    reminders.reminders_send(now=_noon(day))

    assert _mine(gas_station) == expected


def test_each_reminder_is_sent_once_however_often_beat_runs(
    gas_station: Site, dekalb: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for day in (dt.date(2027, 4, 1), dt.date(2027, 4, 1), dt.date(2027, 4, 2), dt.date(2027, 4, 24)):
            reminders.reminders_send(now=_noon(day))
            reminders.reminders_send(now=_noon(day))

    told = Notification.objects.filter(recipient=gas_station.owner, kind=Kind.COMPLIANCE_REMINDER)
    assert _mine(gas_station) == [("attestation_30", dt.date(2027, 5, 1)), ("attestation_7", dt.date(2027, 5, 1))]
    assert told.count() == 2
    assert [m.to for m in mail.outbox] == [[gas_station.owner.email]] * 2
    assert "2027-05-01" in mail.outbox[0].subject
    assert "Reminder ordinance" in mail.outbox[0].body


def test_an_attestation_filed_in_time_stops_the_reminders(gas_station: Site, dekalb: Any) -> None:
    services.attestation_file(
        owner=gas_station.owner,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        signed_name="Ana Ruiz",
        confirmed=["night_vision", "retention", "signage"],
        ip_address=None,
        now=_noon(dt.date(2027, 3, 20)),
    )

    reminders.reminders_send(now=_noon(dt.date(2027, 4, 24)))

    assert _mine(gas_station) == []


def test_an_exempt_site_is_not_reminded(gas_station: Site, dekalb: Any) -> None:
    appeal = services.appeal_request(
        owner=gas_station.owner,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        kind="exemption",
        reason="Closed.",
    )
    services.appeal_decide(
        actor=Actor(user=UserFactory(role=Role.DEPT_ADMIN), mfa=True),
        appeal_public_id=appeal.public_id,
        decision="granted",
        reasons="Closed.",
    )

    reminders.reminders_send(now=_noon(dt.date(2027, 4, 24)))

    assert _mine(gas_station) == []


def test_the_owner_is_reminded_on_the_cure_deadline_once(gas_station: Site, dekalb: Any) -> None:
    staff = Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    notice = services.notice_issue(
        actor=staff,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        text="Put up the sign.",
        cure_by=dt.date(2027, 2, 10),
        today=dt.date(2027, 1, 5),
    )

    before = reminders.reminders_send(now=_noon(dt.date(2027, 2, 9)))
    on_the_day = reminders.reminders_send(now=_noon(dt.date(2027, 2, 10)))
    again = reminders.reminders_send(now=_noon(dt.date(2027, 2, 11)))

    told = Notification.objects.get(recipient=gas_station.owner, kind=Kind.COMPLIANCE_REMINDER)
    assert (before, on_the_day, again) == (0, 1, 0)
    assert _mine(gas_station) == [(ReminderKind.CURE_DEADLINE, notice.cure_by)]
    assert "Put up the sign." in told.body


def test_a_resolved_notice_is_not_reminded(gas_station: Site, dekalb: Any) -> None:
    staff = Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    notice = services.notice_issue(
        actor=staff,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        text="Sign.",
        cure_by=dt.date(2027, 2, 10),
        today=dt.date(2027, 1, 5),
    )
    services.notice_resolve(actor=staff, notice_id=notice.pk, resolution="Done", today=dt.date(2027, 1, 20))

    reminders.reminders_send(now=_noon(dt.date(2027, 2, 10)))

    assert _mine(gas_station) == []


def test_reminders_run_by_beat_every_hour_in_every_department() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["compliance-reminders"]

    assert entry == {"task": "compliance.tasks.reminders_send", "schedule": 3600.0}  # no tenant_schemas: each one


def test_the_task_sends_todays_reminders(gas_station: Site, dekalb: Any) -> None:
    today = timezone.localdate()
    ordinance_make(
        None,
        DEKALB_AFFIDAVIT,
        name="Due in a week",
        attestation_month=(today + dt.timedelta(days=5)).month,
        attestation_day=(today + dt.timedelta(days=5)).day,
    )

    sent = compliance_reminders_send.apply().get()

    assert sent >= 1
    assert Reminder.objects.filter(site=gas_station, kind=ReminderKind.ATTESTATION_7).exists()
