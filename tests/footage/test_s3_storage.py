"""The clip store on S3-compatible object storage, against a local S3 server (moto).

STORAGES is built by the same function the settings use, from PORCHLIGHT_S3_* values.
"""

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.utils import timezone

from config.storage import storages_from_env
from footage import services
from footage.models import Clip, OwnerRequest
from footage.storage import clip_store
from tests.conftest import free_port
from tests.footage import test_requests, test_uploads
from tests.footage.test_requests import _owner_client, _upload
from tests.footage.test_uploads import PIECE, _send_pieces, _start

# The request and upload tests' fixtures: an owner's request for one camera, a temporary
# MEDIA_ROOT (which must stay empty: the clips go to the bucket), test videos.
media = test_requests.media
mp4 = test_requests.mp4
owner_request = test_requests.owner_request
video = test_uploads.video

BUCKET = "porchlight-clips"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_server: str) -> dict[str, str]:
    return {
        "PORCHLIGHT_S3_BUCKET": BUCKET,
        "PORCHLIGHT_S3_ENDPOINT_URL": s3_server,
        "PORCHLIGHT_S3_REGION": "us-east-1",
        "PORCHLIGHT_S3_ACCESS_KEY_ID": "porchlight-test",
        "PORCHLIGHT_S3_SECRET_ACCESS_KEY": "porchlight-test-secret",
        "PORCHLIGHT_S3_ADDRESSING_STYLE": "path",
    }


@pytest.fixture
def bucket(s3_env: dict[str, str], settings: Any, tmp_path: Path) -> Iterator[Any]:
    client = boto3.client(
        "s3",
        endpoint_url=s3_env["PORCHLIGHT_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=s3_env["PORCHLIGHT_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=s3_env["PORCHLIGHT_S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = storages_from_env(s3_env, staging_root=tmp_path / "never-used")
    settings.PORCHLIGHT_UPLOAD_CHUNK_BYTES = PIECE
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client: Any) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_without_s3_variables_clips_are_local_files(tmp_path: Path) -> None:
    storages = storages_from_env({}, staging_root=tmp_path)

    assert storages["clips"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages["clip_staging"]["OPTIONS"] == {"location": str(tmp_path)}


def test_a_clip_sent_in_pieces_is_stored_read_back_rehashed_and_purged_through_s3(
    bucket: Any, owner_request: OwnerRequest, video: bytes, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()
    _send_pieces(client, started["url"], video, stop=2 * PIECE)
    staged = _keys(bucket)
    _send_pieces(client, started["url"], video, start=2 * PIECE)
    receipt = client.post(started["finish_url"]).json()["receipt"]
    clip = Clip.objects.get(request=owner_request.request)

    with clip_store().open(clip.storage_key, "rb") as handle:
        read_back = handle.read()
    broken = services.clips_rehash()
    Clip.objects.filter(pk=clip.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=91))
    with django_capture_on_commit_callbacks(execute=True):
        purged = services.clips_purge_expired()

    assert staged == [f"staging/rialto/uploads/{started['id']}.{i:06d}" for i in range(2)]
    assert receipt["sha256"] == hashlib.sha256(video).hexdigest() == hashlib.sha256(read_back).hexdigest()
    assert clip.storage_key.startswith("rialto/clips/")
    assert clip.pk not in [c.pk for c in broken]  # other tests' committed clips are not in this bucket
    assert purged >= 1
    clip.refresh_from_db()
    assert clip.purged_at is not None
    assert _keys(bucket) == []
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_whole_file_upload_is_stored_read_back_rehashed_and_purged_through_s3(
    bucket: Any, owner_request: OwnerRequest, mp4: bytes, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    response = _upload(_owner_client(owner_request), owner_request, mp4)
    clip = Clip.objects.get(request=owner_request.request)
    in_bucket = bucket.get_object(Bucket=BUCKET, Key=clip.storage_key)["Body"].read()

    with clip_store().open(clip.storage_key, "rb") as handle:
        read_back = handle.read()
    broken = services.clips_rehash()
    Clip.objects.filter(pk=clip.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=91))
    with django_capture_on_commit_callbacks(execute=True):
        services.clips_purge_expired()

    clip.refresh_from_db()
    assert response.status_code == 200
    assert clip.sha256 == hashlib.sha256(mp4).hexdigest() == hashlib.sha256(in_bucket).hexdigest()
    assert hashlib.sha256(read_back).hexdigest() == clip.sha256
    assert clip.storage_key.startswith("rialto/clips/")
    assert clip.pk not in [c.pk for c in broken]  # other tests' committed clips are not in this bucket
    assert clip.purged_at is not None
    assert _keys(bucket) == []
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_changed_object_in_the_bucket_raises_the_integrity_alarm(
    bucket: Any, owner_request: OwnerRequest, mp4: bytes
) -> None:
    _upload(_owner_client(owner_request), owner_request, mp4)
    clip = Clip.objects.get(request=owner_request.request)
    bucket.put_object(Bucket=BUCKET, Key=clip.storage_key, Body=mp4[:-1] + b"\x00")

    broken = services.clips_rehash()

    assert clip.pk in [c.pk for c in broken]


def test_the_player_asks_the_bucket_for_the_range_only(
    bucket: Any, owner_request: OwnerRequest, mp4: bytes, actor: Any, purpose: Any
) -> None:
    # given a clip stored in the bucket, and a record of what is asked of the bucket
    from tests.footage.test_player import _console

    _upload(_owner_client(owner_request), owner_request, mp4)
    clip = Clip.objects.get(request=owner_request.request)
    gets: list[str] = []
    events = clip_store().connection.meta.client.meta.events  # type: ignore[attr-defined]
    events.register("before-call.s3.GetObject", lambda params, **_: gets.append(params["headers"].get("Range", "")))
    officer = _console(actor.user, purpose)
    officer.post(f"/console/clips/{clip.public_id}/play/")
    link = clip.stream_links.get()

    # when the player seeks to the middle
    response = officer.get(f"/console/clips/stream/{link.public_id}/", HTTP_RANGE="bytes=100-199")

    # then it gets exactly those bytes, and only those were fetched from the bucket
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == mp4[100:200]  # type: ignore[attr-defined]  # streamed: the test client's response type does not say so
    assert response["Content-Range"] == f"bytes 100-199/{len(mp4)}"
    assert gets == ["bytes=100-199"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/footage/download/{token}/", 410),
        ("get", "/console/clips/stream/{link}/", 410),
        # the export is refused on the request's page, as for a local file
        ("post", "/console/footage/{request}/export/", 302),
    ],
    ids=["download", "player", "export"],
)
def test_a_clip_missing_from_the_bucket_is_refused_as_a_missing_local_file_is(
    bucket: Any, owner_request: OwnerRequest, mp4: bytes, actor: Any, purpose: Any, method: str, url: str, status: int
) -> None:
    # given a clip whose object was removed from the bucket behind Porchlight's back
    from footage.models import CustodyEvent, IntegrityNotice
    from tests.footage.test_player import _console

    _upload(_owner_client(owner_request), owner_request, mp4)
    clip = Clip.objects.get(request=owner_request.request)
    officer = _console(actor.user, purpose)
    officer.post(f"/console/clips/{clip.public_id}/play/")
    link = clip.stream_links.get()
    _decision, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)
    bucket.delete_object(Bucket=BUCKET, Key=clip.storage_key)

    # when the officer downloads, plays or exports it
    response = getattr(officer, method)(url.format(token=token, link=link.public_id, request=clip.request.public_id))

    # then they are told it is missing, not a server error, and the admins get an integrity notice
    assert response.status_code == status
    assert IntegrityNotice.objects.get(clip=clip).actual_sha256 == "missing"
    assert CustodyEvent.objects.filter(clip=clip, action="integrity_failed").exists()


def test_the_weekly_rehash_reports_a_clip_missing_from_the_bucket(
    bucket: Any, owner_request: OwnerRequest, mp4: bytes
) -> None:
    _upload(_owner_client(owner_request), owner_request, mp4)
    clip = Clip.objects.get(request=owner_request.request)
    bucket.delete_object(Bucket=BUCKET, Key=clip.storage_key)

    broken = services.clips_rehash()

    assert clip.pk in [c.pk for c in broken]
    assert clip.integrity_notices.get().actual_sha256 == "missing"
