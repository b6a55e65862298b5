"""The 30- and 7-day attestation reminders seen running live: a real Celery worker with its
embedded beat (the tenant-aware scheduler `make run` starts, on its own Redis) sends the
`compliance-reminders` entry of CELERY_BEAT_SCHEDULE to every department, and the owners'
e-mails arrive, each in the language the owner chose."""

import datetime as dt
import email
import time
import uuid
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from tenants.models import Department
from tests.test_notice_outbox import PrivateRedis, Worker, broker, committed, private_redis, worker_with_beat, workers  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.worker]


def _scene(tag: str, *, days: int, language: str) -> tuple[Any, Any, Any]:
    from accounts.models import Role
    from compliance.services import ordinance_version_add
    from tests.factories import UserFactory, site_make

    owner = UserFactory(role=Role.BUSINESS, email=f"beat-{days}-{tag}@example.org", language=language)
    site = site_make(owner, Department.objects.get(schema_name="rialto"), kind="school", lon=-117.41, lat=34.07)
    due = timezone.localdate() + dt.timedelta(days=days)
    version = ordinance_version_add(
        actor=None,
        policy=None,
        effective_on=dt.date(2020, 1, 1),
        name=f"Beat reminder ordinance {days} {tag}",
        property_kinds=["school"],
        signage=True,
        attestation_month=due.month,
        attestation_day=due.day,
    )
    return owner, site, version


def _cleanup(owner: Any, site: Any, version: Any) -> None:
    from compliance.models import Ordinance, OrdinanceVersion, Reminder
    from notifications.models import Notification

    Reminder.objects.filter(site=site).delete()
    Notification.objects.filter(recipient=owner).delete()
    OrdinanceVersion.objects.filter(pk=version.pk).delete()
    Ordinance.objects.filter(pk=version.ordinance_id).delete()
    site.delete()
    owner.delete()


def _wait_for_mails(worker: Worker, address: str, *, count: int, timeout: float = 120) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(mails := worker.mails_to(address)) >= count:
            return mails
        time.sleep(0.5)
    raise AssertionError(f"{len(worker.mails_to(address))} of {count} e-mails to {address} arrived")


def _subject_and_body(text: str) -> tuple[str, str]:
    message = email.message_from_string(text)
    subject = str(make_header(decode_header(message["Subject"])))
    if message["Content-Transfer-Encoding"] in (None, "7bit", "8bit"):  # read as text already
        return subject, str(message.get_payload())
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    return subject, body.decode()


def test_the_beat_entry_is_the_reminders_task_in_every_department_hourly() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["compliance-reminders"]

    assert entry["task"] == "compliance.tasks.reminders_send"
    assert "tenant_schemas" not in entry  # every department's schema
    assert entry["schedule"] == 3600.0


def test_beat_and_a_worker_send_the_30_and_7_day_reminders_by_e_mail_in_the_owner_s_language(
    broker: PrivateRedis,  # noqa: F811
    workers: list[Worker],  # noqa: F811
    tmp_path: Path,
) -> None:
    tag = uuid.uuid4().hex[:8]
    week = committed(lambda: _scene(tag, days=5, language="es"))
    month = committed(lambda: _scene(tag, days=20, language="en"))
    try:
        workers.append(worker_with_beat(broker.url, tmp_path, ("PORCHLIGHT_COMPLIANCE_REMINDERS_SECONDS", "2")))

        worker = workers[0]
        # Both sites are schools, so each ordinance reminds both owners: two e-mails each.
        spanish = _wait_for_mails(worker, week[0].email, count=2)
        english = _wait_for_mails(worker, month[0].email, count=2)

        def kinds() -> list[tuple[str, str]]:
            from compliance.models import Reminder

            return sorted(
                Reminder.objects.filter(site=scene[1], ordinance_id=scene[2].ordinance_id).values_list(
                    "site__owner__email", "kind"
                )[0]
                for scene in (week, month)
            )

        week_due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
        month_due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
        assert committed(kinds) == sorted([(week[0].email, "attestation_7"), (month[0].email, "attestation_30")])
        subjects = {_subject_and_body(text)[0] for text in spanish}
        assert subjects == {
            f"[Porchlight] Su declaración anual vence el {week_due}",
            f"[Porchlight] Su declaración anual vence el {month_due}",
        }
        assert all("Recibe esto porque registró una propiedad" in _subject_and_body(text)[1] for text in spanish)
        assert {_subject_and_body(text)[0] for text in english} == {
            f"[Porchlight] Your yearly attestation is due on {week_due}",
            f"[Porchlight] Your yearly attestation is due on {month_due}",
        }
        time.sleep(4)  # two more beats: still once each
        assert len(worker.mails_to(week[0].email)) == 2
    finally:
        committed(lambda: _cleanup(*week))
        committed(lambda: _cleanup(*month))
