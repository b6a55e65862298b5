"""A Celery worker killed (SIGKILL) in the middle of its work, then started again: each task's
effect happens exactly once. Real processes: a private redis-server as the broker, a worker
(with its beat, as `make run` starts it) that the test kills at a point it waits for (the first
e-mail written, the first clip file deleted), and a second worker that takes over."""

import datetime as dt
import email
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from footage.models import Clip
from tenants.models import OutboxMessage
from tests.test_notice_outbox import PrivateRedis, Worker, committed, worker_with_beat
from tests.videos import make_video

pytestmark = [pytest.mark.django_db, pytest.mark.worker]

# The sweep takes up notices published but not delivered 2 s ago (3 hours in production,
# beyond the broker's one-hour visibility timeout): what a killed worker had taken is
# published again within seconds, and copies of it reach the workers more than once.
REDELIVER_SOON = ("PORCHLIGHT_OUTBOX_REDELIVER_SECONDS", "2")


def _wait(condition: Callable[[], Any], timeout: float, what: str, poll: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(poll)
    return result


def _mails(folders: list[Path]) -> list[email.message.Message]:
    """Every e-mail Django's file backend wrote: a file per connection, named by the second and
    the backend object's id, so two sends can share a file (each mail ends with a line of 79 '-')."""
    return [
        email.message_from_string(text)
        for folder in folders
        if folder.exists()
        for path in sorted(folder.iterdir())
        for text in path.read_text().split("-" * 79 + "\n")
        if text.strip()
    ]


def _killed(worker: Worker) -> None:
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)


def _undelivered(task_name: str, key: str, ids: list[int]) -> int:
    return committed(
        lambda: OutboxMessage.objects.filter(
            task_name=task_name, delivered_at__isnull=True, **{f"kwargs__{key}__in": ids}
        ).count()
    )


# --- Notices -----------------------------------------------------------------------------------


def _staff_told(count: int, tag: str) -> list[int]:
    """``count`` staff members, each sent one notification (its e-mail enqueued after the commit)."""
    from notifications.models import Kind
    from notifications.services import notification_send
    from tests.factories import UserFactory

    ids = []
    for n in range(count):
        user = UserFactory(role=Role.SUPERVISOR, email=f"told-{tag}-{n:02d}@example.org")
        notice = notification_send(recipient=user, kind=Kind.LOG_INTEGRITY_FAILED, subject=f"Notice {tag}", body="x")
        assert notice is not None
        ids.append(notice.pk)
    return ids


def test_a_worker_killed_while_sending_notices_leaves_each_sent_exactly_once_after_restart(
    broker: PrivateRedis, workers: list[Worker], tmp_path: Path
) -> None:
    # given 20 notices waiting in the broker for their e-mails
    tag = os.urandom(4).hex()
    ids = committed(lambda: _staff_told(20, tag))
    task = "notifications.tasks.notification_email_send"

    # when a worker starts sending them and is killed once the first e-mail is written
    workers.append(worker_with_beat(broker.url, tmp_path / "first", REDELIVER_SOON))
    _wait(lambda: _mails([workers[0].mail_dir]), 60, "the first e-mail", poll=0.005)
    _killed(workers[0])
    sent_before = len(_mails([workers[0].mail_dir]))
    workers.append(worker_with_beat(broker.url, tmp_path / "second", REDELIVER_SOON))
    _wait(lambda: _undelivered(task, "notification_id", ids) == 0, 90, "every notice delivered")
    time.sleep(3)  # more sweeps, each of which could send one again

    # then every staff member got exactly one e-mail, part before and part after the kill: a
    # notice the killed worker had handed over but not yet marked delivered was handed over
    # again as the same message (its Message-ID), which a mailbox keeps once
    folders = [worker.mail_dir for worker in workers]
    mails = [mail for mail in _mails(folders) if f"told-{tag}-" in mail["To"]]
    messages = {(mail["To"], mail["Message-ID"]) for mail in mails}
    assert Counter(to for to, _ in messages) == {f"told-{tag}-{n:02d}@example.org": 1 for n in range(20)}
    assert all(message_id.startswith("<notification.") for _, message_id in messages)
    assert 1 <= sent_before < 20


# --- Clip purge --------------------------------------------------------------------------------


def _expired_clips(count: int, video: bytes, tag: str) -> list[int]:
    """One owner's ``count`` cameras, a footage request for all of them, a clip uploaded for
    each, all past the department's retention period."""
    from io import BytesIO

    from cameras import access
    from cameras import services as cameras
    from footage import services as footage
    from footage.models import CameraAnswer
    from tenants.models import Department, DepartmentPolicy
    from tests.factories import UserFactory

    department = Department.objects.get(schema_name="rialto")
    policy = DepartmentPolicy.objects.get(department=department)
    owner = UserFactory(role=Role.BUSINESS, email=f"purged-{tag}@example.org")
    site = cameras.site_create(owner=owner, department=department, lon=-117.37, lat=34.11, kind="business", address="9")
    camera_ids = []
    for n in range(count):
        camera = cameras.camera_register(owner=owner, site=site, label=f"Cam {n}")
        cameras.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")
        camera_ids.append(camera.public_id)
    officer = UserFactory(role=Role.OFFICER)
    actor = access.Actor(user=officer, mfa=True)
    purpose = access.purpose_declare(actor=actor, case_number="RPD-PURGE", category="property_crime", text="x")
    end = timezone.now() - dt.timedelta(hours=1)
    footage.footage_request_send(
        actor=actor,
        purpose=purpose,
        camera_ids=camera_ids,
        window_start=end - dt.timedelta(hours=1),
        window_end=end,
        message="Footage please.",
    )
    clip_ids = []
    for n, answer in enumerate(CameraAnswer.objects.filter(owner_request__owner=owner).order_by("pk")):
        content = video + n.to_bytes(4, "big")  # each file its own
        receipt = footage.clip_upload(
            owner=owner, answer_id=answer.pk, upload=BytesIO(content), name=f"{tag}-{n:02d}.mp4", size=len(content)
        )
        clip_ids.append(receipt.clip.pk)
    long_ago = timezone.now() - dt.timedelta(days=policy.footage_retention_days + 1)
    Clip.objects.filter(pk__in=clip_ids).update(uploaded_at=long_ago)
    return clip_ids


# Enough clips that the kill falls in the middle of the purge, few enough to keep CI short.
CLIPS = 12


def _clips_purge() -> None:
    from footage.tasks import clips_purge

    clips_purge.delay()  # in Rialto (the schema travels in the message), as the beat sends it


def test_a_worker_killed_while_purging_clips_purges_each_exactly_once_after_restart(
    broker: PrivateRedis, workers: list[Worker], tmp_path: Path, settings: Any
) -> None:
    # given 12 clips past retention, stored under a media folder the workers share
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    shared_media = ("PORCHLIGHT_MEDIA_ROOT", str(media))
    tag = os.urandom(4).hex()
    video = make_video(tmp_path / "clip.mp4", seconds=1, size="64x48", rate=2)
    clip_ids = committed(lambda: _expired_clips(CLIPS, video, tag))
    keys = committed(lambda: list(Clip.objects.filter(pk__in=clip_ids).values_list("storage_key", flat=True)))
    files = [media / key for key in keys]
    names = [f"{tag}-{n:02d}.mp4" for n in range(CLIPS)]
    assert all(path.exists() for path in files)

    # when the retention purge runs on a worker that is killed once the first file is deleted,
    # and the next run (the beat's next tick) goes to a new worker
    workers.append(worker_with_beat(broker.url, tmp_path / "first", REDELIVER_SOON, shared_media))
    committed(_clips_purge)
    _wait(lambda: not all(path.exists() for path in files), 60, "the first clip deleted", poll=0.002)
    _killed(workers[0])
    left = sum(path.exists() for path in files)
    workers.append(worker_with_beat(broker.url, tmp_path / "second", REDELIVER_SOON, shared_media))
    committed(_clips_purge)
    _wait(
        lambda: committed(lambda: not Clip.objects.filter(pk__in=clip_ids, purged_at__isnull=True).exists()),
        90,
        "every clip purged",
    )
    _wait(lambda: _undelivered("footage.tasks.clip_purged_notify", "clip_id", clip_ids) == 0, 90, "every notice")
    time.sleep(3)  # more sweeps, each of which could send a notice again

    # then the kill came in the middle, and now every clip is purged once: its file gone, one
    # "purged" custody event, and its owner told once (one message, as for the notices above)
    purged_events = committed(
        lambda: Counter(Clip.objects.filter(pk__in=clip_ids, custody__action="purged").values_list("pk", flat=True))
    )
    mails = [
        m
        for m in _mails([w.mail_dir for w in workers])
        if m["To"] == f"purged-{tag}@example.org" and "deleted" in m["Subject"]
    ]
    told = Counter(
        name for name, _ in {(name, m["Message-ID"]) for m in mails for name in names if name in m.get_payload()}
    )
    assert 0 < left < CLIPS
    assert [path for path in files if path.exists()] == []
    assert purged_events == dict.fromkeys(clip_ids, 1)
    assert told == dict.fromkeys(names, 1)
