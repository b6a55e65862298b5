"""The whole footage flow with a real Celery worker and Redis: request → e-mail in the
outbox → upload → receipt e-mail → officer download → export → offline verification."""

import datetime as dt
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from cameras import access
from footage import services
from footage.models import OwnerRequest
from tenants.models import Department
from tests.live.test_consumers import _scene
from tests.videos import make_video

pytestmark = [pytest.mark.django_db, pytest.mark.worker]


def committed(fn: Any) -> Any:
    def run() -> Any:
        try:
            with tenant_context(Department.objects.get(schema_name="rialto")):
                return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _mails(folder: Path, needle: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = "".join(p.read_text() for p in folder.iterdir())
        if needle in text:
            return text
        time.sleep(0.2)
    raise AssertionError(f"no e-mail containing {needle!r} arrived")


def test_request_upload_download_export_verify(
    celery_worker: Path, not_eager: None, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    video = tmp_path / "door.mp4"
    make_video(video, seconds=1, size="160x120", rate=5)
    scene = committed(lambda: _scene(level="on_request"))

    def send() -> Any:
        from accounts.models import User

        officer = User.objects.get(pk=scene.officer_id)
        actor = access.Actor(user=officer, mfa=True)
        purpose = access.purpose_lookup(actor=actor, public_id=scene.purpose_id)
        end = timezone.now() - dt.timedelta(hours=1)
        return services.footage_request_send(
            actor=actor,
            purpose=purpose,
            camera_ids=[scene.camera_id],
            window_start=end - dt.timedelta(hours=1),
            window_end=end,
            message="A car was broken into on your street.",
        )

    sent = committed(send)
    request_mail = _mails(celery_worker, "asks for footage")
    link = re.search(r"http://rialto\.localhost:\d+/my/requests/", request_mail)

    def upload() -> Any:
        owner_request = OwnerRequest.objects.get(request=sent.request)
        answer = owner_request.answers.get()
        assert owner_request.owner is not None
        data = video.read_bytes()
        return services.clip_upload(
            owner=owner_request.owner, answer_id=answer.pk, upload=BytesIO(data), name="door.mp4", size=len(data)
        )

    receipt = committed(upload)
    receipt_mail = _mails(celery_worker, receipt.sha256)

    def download_and_export() -> Any:
        from accounts.models import User

        officer = User.objects.get(pk=scene.officer_id)
        actor = access.Actor(user=officer, mfa=True)
        purpose = access.purpose_lookup(actor=actor, public_id=scene.purpose_id)
        _, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=receipt.clip.public_id)
        download = services.download_link_redeem(actor=actor, purpose=purpose, raw_token=token or "")
        from footage.storage import clip_store

        downloaded = clip_store().open(download.clip.storage_key, "rb").read()
        services.clip_download_record(link=download)
        export = services.request_export(
            actor=actor, purpose=purpose, request_public_id=sent.request.public_id, directory=str(tmp_path)
        )
        return downloaded, export

    downloaded, export = committed(download_and_export)
    # Offline: a separate Python process that loads no Django and no database.
    verified = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from footage.export import export_verify; r = export_verify({export.path!r}); print(r.ok, r.files)",
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin"},
        check=True,
    )

    assert link is not None
    assert "door.mp4" in receipt_mail
    assert downloaded == video.read_bytes()
    assert verified.stdout.split() == ["True", "1"]


def test_an_owner_who_asked_for_notices_is_emailed_within_a_minute_of_a_search_when_told_at_once(
    celery_worker: Path, not_eager: None
) -> None:
    from tests.test_notice_outbox import notice_window

    # given an owner who asked to be told of every access, and an officer with a purpose
    def given() -> Any:
        from cameras.models import Camera
        from cameras.services import consent_set
        from tenants.models import DepartmentPolicy

        scene = _scene(level="on_request")
        camera = Camera.objects.select_related("site__owner").get(pk=scene.camera_pk)
        policy = DepartmentPolicy.objects.get(department__schema_name="rialto")
        consent_set(owner=camera.site.owner, camera=camera, policy=policy, level="on_request", notify_on_access=True)
        return scene, camera.site.owner.email

    scene, owner_email = committed(given)

    # when the officer searches around the camera (committed: the notice is queued on commit)
    def search() -> Any:
        from django.contrib.gis.geos import Point

        from accounts.models import User
        from cameras.search_sql import Area

        actor = access.Actor(user=User.objects.get(pk=scene.officer_id), mfa=True)
        purpose = access.purpose_lookup(actor=actor, public_id=scene.purpose_id)
        return access.camera_search(
            actor=actor, purpose=purpose, area=Area(center=Point(-117.38, 34.10, srid=4326), radius_m=200), mode="pin"
        )

    def stop_notices() -> None:  # committed rows outlive the test: later searches must not e-mail this owner
        from cameras.models import Camera
        from cameras.services import consent_set
        from tenants.models import DepartmentPolicy

        camera = Camera.objects.select_related("site__owner").get(pk=scene.camera_pk)
        policy = DepartmentPolicy.objects.get(department__schema_name="rialto")
        consent_set(owner=camera.site.owner, camera=camera, policy=policy, level="on_request")

    try:
        with notice_window(0):  # the department tells owners of each access at once
            result = committed(search)
        assert result.decision.allowed
        assert result.total >= 1

        # then the real worker sends them an e-mail naming the case, well within a minute
        mail = _mails(celery_worker, f"To: {owner_email}", timeout=60)
        assert "RPD-7" in mail.split(f"To: {owner_email}")[1]
    finally:
        committed(stop_notices)
