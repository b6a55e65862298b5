"""The outbox in one process (tasks run eagerly): recorded with the access, swept when its
publish never happened, delivered once. tests/test_notice_outbox.py does the same with a
broker that is really down and a real worker."""

import re
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.db import transaction

from audit.models import AccessEvent, Action
from cameras import access
from cameras.digest import access_digest_send as access_digest_send_task
from tenants.models import Department, OutboxMessage
from tenants.outbox import OUTBOX_HEADER, OutboxTask, outbox_sweep
from tenants.services import policy_update

DOC = Path(__file__).resolve().parents[2] / "docs" / "notices-and-tasks.md"


class Rollback(Exception):
    pass


def _view(actor: access.Actor, purpose: Any, camera: Any) -> int:
    decision, _ = access.camera_lookup(
        actor=actor, purpose=purpose, public_id=camera.public_id, action=Action.CAMERA_VIEW
    )
    return decision.event_seq


@pytest.fixture(autouse=True)
def notices_at_once(in_rialto: Department) -> None:
    """Each access's notice is published after its commit (window 0), as every task owed at
    once is; a notice owed later is the last test's."""
    policy_update(department=in_rialto, actor=None, notice_digest_minutes=0)


def _notices() -> Any:
    # (Rows committed by the session's set-up and by worker tests are in the table too.)
    return OutboxMessage.objects.filter(task_name="cameras.digest.access_digest_send")


def _notice_of(camera: Any) -> Any:
    return _notices().filter(department__schema_name="rialto", kwargs__owner_id=camera.site.owner_id)


def _mails_to(email: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [email]]


def test_an_access_records_the_notice_it_owes_in_its_own_transaction(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    camera = make_camera(notify_on_access=True)

    with transaction.atomic():
        _view(actor, purpose, camera)
        recorded = list(_notice_of(camera).values_list("kwargs", "published_at", "delivered_at", "not_before"))

    assert recorded == [({"owner_id": camera.site.owner_id, "case_number": purpose.case_number}, None, None, None)]


def test_an_access_rolled_back_leaves_no_notice_behind(make_camera: Any, actor: access.Actor, purpose: Any) -> None:
    camera = make_camera(notify_on_access=True)
    events, notices = AccessEvent.objects.count(), _notices().count()

    with pytest.raises(Rollback), transaction.atomic():  # noqa: PT012 (an access, then a failure in its transaction)
        _view(actor, purpose, camera)
        raise Rollback

    assert AccessEvent.objects.count() == events
    assert _notices().count() == notices


def test_a_notice_whose_publish_never_ran_is_delivered_once_by_the_sweep(
    make_camera: Any, actor: access.Actor, purpose: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an access whose process died between its commit and the publish (hooks not run)
    camera = make_camera(notify_on_access=True)
    settings.PORCHLIGHT_OUTBOX_GRACE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=False):
        _view(actor, purpose, camera)

    # when the sweep runs twice
    outbox_sweep()
    outbox_sweep()

    # then the owner got one notice and the row is delivered, published once
    assert len(_mails_to(camera.site.owner.email)) == 1
    assert _notice_of(camera).values_list("publish_count", flat=True).get() == 1
    assert _notice_of(camera).get().delivered_at is not None


def test_the_sweep_leaves_a_notice_to_its_own_publish_during_the_grace(
    make_camera: Any, actor: access.Actor, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    camera = make_camera(notify_on_access=True)
    with django_capture_on_commit_callbacks(execute=False):
        _view(actor, purpose, camera)

    outbox_sweep()

    assert _notice_of(camera).get().published_at is None
    assert _mails_to(camera.site.owner.email) == []


def test_the_sweep_never_publishes_a_delivered_notice_again(
    make_camera: Any, actor: access.Actor, purpose: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    camera = make_camera(notify_on_access=True)
    with django_capture_on_commit_callbacks(execute=True):
        _view(actor, purpose, camera)
    settings.PORCHLIGHT_OUTBOX_GRACE_SECONDS = settings.PORCHLIGHT_OUTBOX_REDELIVER_SECONDS = 0

    outbox_sweep()

    assert _notice_of(camera).values_list("publish_count", flat=True).get() == 1
    assert len(_mails_to(camera.site.owner.email)) == 1


def test_a_late_copy_of_a_delivered_notice_sends_nothing(
    make_camera: Any, actor: access.Actor, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a notice delivered after the commit, and the portal's own memory of the owners
    # told forgotten (so that only the outbox can stop a second e-mail)
    camera = make_camera(notify_on_access=True)
    with django_capture_on_commit_callbacks(execute=True):
        _view(actor, purpose, camera)
    message = _notice_of(camera).get()
    cache.clear()

    # when the broker hands a worker the same message again
    again = access_digest_send_task.apply(
        kwargs=message.kwargs, headers={"_schema_name": "rialto", OUTBOX_HEADER: message.pk}
    )

    # then it is skipped
    assert again.result is None
    assert len(_mails_to(camera.site.owner.email)) == 1


def test_a_notice_owed_later_is_published_by_the_sweep_once_its_time_has_come_not_before(
    make_camera: Any, actor: access.Actor, purpose: Any, in_rialto: Department, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    policy_update(department=in_rialto, actor=None, notice_digest_minutes=15)
    camera = make_camera(notify_on_access=True)
    with django_capture_on_commit_callbacks(execute=True):
        _view(actor, purpose, camera)
    after_commit = _notice_of(camera).get().published_at

    outbox_sweep(now=timezone.now() + dt.timedelta(minutes=14))
    before = _notice_of(camera).get().published_at
    outbox_sweep(now=timezone.now() + dt.timedelta(minutes=15, seconds=1))

    assert (after_commit, before) == (None, None)
    assert _notice_of(camera).get().delivered_at is not None
    assert len(_mails_to(camera.site.owner.email)) == 1


def test_the_doc_lists_every_task_enqueued_after_a_commit_and_every_beat_entry() -> None:
    from celery import current_app

    current_app.loader.import_default_modules()
    doc = DOC.read_text()

    outbox_tasks = {name for name, task in current_app.tasks.items() if isinstance(task, OutboxTask)}
    documented = set(re.findall(r"^\| `([a-z_.]+)` \| (?:an?|the) ", doc, flags=re.M))
    entries = django_settings.CELERY_BEAT_SCHEDULE.values()
    # A dispatch entry runs its task (its argument) in each department with work (tenants.periodic).
    beat = {entry["task"] for entry in entries} | {
        str(cast("list[str]", entry["args"])[0])
        for entry in entries
        if entry["task"] == "tenants.tasks.periodic_dispatch"
    }
    in_beat_table = set(re.findall(r"^\| `([a-z_.]+)` \| \d+ (?:s|h|days) \|", doc, flags=re.M))

    assert outbox_tasks == documented
    assert beat == in_beat_table
