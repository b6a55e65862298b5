"""The reminders' beat task run by a real Celery worker in the department it was sent for:
sent twice at once (beat overlapping itself), the owner is reminded once, in Porchlight and by
e-mail through the outbox."""

import datetime as dt
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from compliance.tasks import compliance_reminders_send
from tenants.models import Department
from tests.footage.test_flow_with_worker import _mails, committed

pytestmark = [pytest.mark.django_db, pytest.mark.worker]


def _scene(tag: str) -> Any:
    from accounts.models import Role
    from compliance.services import ordinance_version_add
    from tests.factories import UserFactory, site_make

    owner = UserFactory(role=Role.BUSINESS, email=f"reminder-{tag}@example.org")
    # Away from the console map's centre (browser tests share this department).
    site = site_make(owner, Department.objects.get(schema_name="rialto"), kind="school", lon=-117.41, lat=34.07)
    due = timezone.localdate() + dt.timedelta(days=5)
    version = ordinance_version_add(
        actor=None,
        policy=None,
        effective_on=dt.date(2020, 1, 1),
        name=f"Worker reminder ordinance {tag}",
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


def test_a_real_worker_reminds_once_when_beat_sends_the_task_twice(celery_worker: Path, not_eager: None) -> None:
    tag = uuid.uuid4().hex[:8]
    owner, site, version = committed(lambda: _scene(tag))
    try:
        with tenant_context(Department.objects.get(schema_name="rialto")):
            compliance_reminders_send.apply_async()
            compliance_reminders_send.apply_async()

        mail = _mails(celery_worker, f"To: {owner.email}", timeout=30)
        time.sleep(2)  # let the second run finish too

        def sent() -> tuple[list[str], int]:
            from compliance.models import Reminder
            from notifications.models import Notification

            kinds = list(Reminder.objects.filter(site=site).values_list("kind", flat=True))
            return kinds, Notification.objects.filter(recipient=owner).count()

        kinds, told = committed(sent)
        mails = "".join(p.read_text() for p in celery_worker.iterdir())
        assert kinds == ["attestation_7"]
        assert told == 1
        assert mails.count(f"To: {owner.email}") == 1
        assert f"Worker reminder ordinance {tag}" in mail
    finally:
        committed(lambda: _cleanup(owner, site, version))


def test_two_runs_at_the_same_moment_remind_once() -> None:
    tag = uuid.uuid4().hex[:8]
    owner, site, version = committed(lambda: _scene(tag))
    start = threading.Barrier(2)

    def run() -> int:
        from django.db import connection

        from compliance.reminders import reminders_send

        try:
            with tenant_context(Department.objects.get(schema_name="rialto")):
                start.wait(timeout=10)
                return reminders_send()
        finally:
            connection.close()

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = [f.result() for f in [pool.submit(run), pool.submit(run)]]

        def mine() -> int:
            from compliance.models import Reminder

            return Reminder.objects.filter(site=site).count()

        assert committed(mine) == 1
        assert sum(results) >= 1  # other sites of the shared department may be due too
    finally:
        committed(lambda: _cleanup(owner, site, version))
