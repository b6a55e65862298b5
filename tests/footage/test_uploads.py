"""Resumable clip uploads: pieces, resuming from the server's offset, refusals, purging."""

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from footage.models import Clip, ClipUpload, OwnerRequest
from footage.tasks import clip_uploads_purge
from tests.conftest import TenantClient
from tests.factories import UserFactory
from tests.footage import test_requests
from tests.footage.test_requests import _owner_client, _send
from tests.tenancy import connection
from tests.videos import make_video

# The request tests' fixtures: an owner's request for one camera, a temporary MEDIA_ROOT.
media = test_requests.media
owner_request = test_requests.owner_request

PIECE = 4096  # the smallest piece the server allows: a few pieces of a short test video


@pytest.fixture(scope="session")
def video(tmp_path_factory: Any) -> bytes:
    """A real MP4 of some kilobytes: several pieces of PIECE bytes."""
    data = make_video(tmp_path_factory.mktemp("video") / "long.mp4", seconds=3, size="320x240", rate=10)
    assert len(data) > 3 * PIECE
    return data


@pytest.fixture(autouse=True)
def staging(settings: Any, tmp_path_factory: Any) -> Path:
    root = tmp_path_factory.mktemp("staging")
    settings.STORAGES = {
        **settings.STORAGES,
        "clip_staging": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    settings.PORCHLIGHT_UPLOAD_CHUNK_BYTES = PIECE
    return root


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _start(client: TenantClient, owner_request: OwnerRequest, size: int, name: str = "driveway.mp4") -> Any:
    return client.post(
        f"/my/requests/{owner_request.public_id}/uploads/",
        {"answer_id": owner_request.answers.get().pk, "name": name, "size": size},
    )


def _piece(client: TenantClient, url: str, data: bytes, offset: int) -> Any:
    piece = data[offset : offset + PIECE]
    return client.put(
        url,
        piece,
        content_type="application/octet-stream",
        headers={"content-range": f"bytes {offset}-{offset + len(piece) - 1}/{len(data)}"},
    )


def _send_pieces(client: TenantClient, url: str, data: bytes, start: int = 0, stop: int | None = None) -> int:
    offset = start
    while offset < (len(data) if stop is None else stop):
        response = _piece(client, url, data, offset)
        assert response.status_code == 200, response.content
        offset = response.json()["offset"]
    return offset


def test_a_clip_sent_in_pieces_gets_a_receipt_with_the_sha256_of_its_bytes(
    owner_request: OwnerRequest, video: bytes, media: Path, staging: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()

    _send_pieces(client, started["url"], video)
    with django_capture_on_commit_callbacks(execute=True):
        finished = client.post(started["finish_url"])

    clip = Clip.objects.get(request=owner_request.request)
    receipt = finished.json()["receipt"]
    assert started["chunk_size"] == PIECE
    assert finished.status_code == 200
    assert receipt["sha256"] == hashlib.sha256(video).hexdigest() == clip.sha256
    assert (receipt["name"], receipt["size"]) == ("driveway.mp4", len(video))
    assert (media / clip.storage_key).read_bytes() == video
    assert clip.storage_key.startswith("rialto/clips/")
    assert list(clip.custody.values_list("action", flat=True)) == ["uploaded"]
    assert clip.sha256 in mail.outbox[-1].body
    assert _files(staging) == []


def test_an_upload_interrupted_half_way_resumes_from_the_servers_offset(
    owner_request: OwnerRequest, video: bytes, media: Path
) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()
    _send_pieces(client, started["url"], video, stop=len(video) // 2)

    # The connection drops; later (a new client, as after the laptop is opened again) it asks where it stands.
    resumed = _owner_client(owner_request)
    offset = resumed.get(started["url"]).json()["offset"]
    _send_pieces(resumed, started["url"], video, start=offset)
    finished = resumed.post(started["finish_url"])

    assert len(video) // 2 <= offset < len(video)
    assert finished.json()["receipt"]["sha256"] == hashlib.sha256(video).hexdigest()
    assert Clip.objects.filter(request=owner_request.request).count() == 1
    assert len(_files(media)) == 1


def test_finishing_twice_gives_the_same_receipt_and_one_clip(owner_request: OwnerRequest, video: bytes) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()
    _send_pieces(client, started["url"], video)

    first = client.post(started["finish_url"]).json()
    again = client.post(started["finish_url"]).json()
    state = client.get(started["url"]).json()

    assert first == again
    assert state["complete"] is True
    assert state["receipt"] == first["receipt"]
    assert Clip.objects.filter(request=owner_request.request).count() == 1


def test_a_file_that_is_not_video_is_refused_on_its_first_piece_and_nothing_is_kept(
    owner_request: OwnerRequest, media: Path, staging: Path
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * (3 * PIECE)
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(png), name="holiday.mp4").json()

    refused = _piece(client, started["url"], png, 0)

    assert refused.status_code == 400
    assert "not a video" in refused.json()["error"]
    assert client.get(started["url"]).status_code == 404
    assert not ClipUpload.objects.filter(answer__owner_request=owner_request).exists()
    assert _files(staging) == _files(media) == []


@pytest.mark.parametrize(("size", "message"), [(10**6, "too large"), (0, "empty")])
def test_a_declared_size_out_of_policy_is_refused_before_any_byte_is_sent(
    owner_request: OwnerRequest, settings: Any, size: int, message: str
) -> None:
    settings.PORCHLIGHT_CLIP_MAX_BYTES = 1000

    response = _start(_owner_client(owner_request), owner_request, size)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not ClipUpload.objects.filter(answer__owner_request=owner_request).exists()


def test_a_file_name_with_a_nul_character_is_refused_naming_it(owner_request: OwnerRequest) -> None:
    response = _start(_owner_client(owner_request), owner_request, 5000, name="door\x00.mp4")

    assert response.status_code == 400
    assert response.json()["error"] == "The file name may not contain the NUL character."
    assert not ClipUpload.objects.filter(answer__owner_request=owner_request).exists()


def test_a_piece_at_the_wrong_offset_is_refused_and_nothing_received_is_lost(
    owner_request: OwnerRequest, video: bytes
) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()
    _send_pieces(client, started["url"], video, stop=2 * PIECE)

    ahead = _piece(client, started["url"], video, 3 * PIECE)
    behind = _piece(client, started["url"], video, 0)
    state = client.get(started["url"]).json()
    _send_pieces(client, started["url"], video, start=state["offset"])
    finished = client.post(started["finish_url"])

    assert (ahead.status_code, ahead.json()["offset"]) == (409, 2 * PIECE)
    assert (behind.status_code, behind.json()["offset"]) == (409, 2 * PIECE)
    assert state["offset"] == 2 * PIECE
    assert finished.json()["receipt"]["sha256"] == hashlib.sha256(video).hexdigest()


@pytest.mark.parametrize(
    ("content_range", "body_length", "status", "message"),
    [
        ("bytes 0-4095/999999999", PIECE, 400, "beyond the size"),
        ("bytes 0-99/{size}", 100, 400, f"should be {PIECE} bytes"),
        ("bytes 0-4095/{size}", 100, 400, "does not match its Content-Range"),
        ("bytes 0-65535/{size}", 65536, 413, "at most"),
        ("", PIECE, 400, "Content-Range"),
    ],
)
def test_a_malformed_piece_is_refused_with_a_clear_message(
    owner_request: OwnerRequest, video: bytes, content_range: str, body_length: int, status: int, message: str
) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()

    response = client.put(
        started["url"],
        video[:body_length],
        content_type="application/octet-stream",
        headers={"content-range": content_range.format(size=len(video))},
    )

    assert response.status_code == status
    assert message in response.json()["error"]
    assert client.get(started["url"]).json()["offset"] == 0


def test_an_upload_started_before_the_piece_size_was_lowered_still_finishes(
    owner_request: OwnerRequest, video: bytes, settings: Any
) -> None:
    # given an upload started with pieces of 2 * PIECE bytes, then the setting lowered
    settings.PORCHLIGHT_UPLOAD_CHUNK_BYTES = 2 * PIECE
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()
    settings.PORCHLIGHT_UPLOAD_CHUNK_BYTES = PIECE

    # when the owner's page sends the pieces the upload was started with
    offset = 0
    while offset < len(video):
        piece = video[offset : offset + started["chunk_size"]]
        response = client.put(
            started["url"],
            piece,
            content_type="application/octet-stream",
            headers={"content-range": f"bytes {offset}-{offset + len(piece) - 1}/{len(video)}"},
        )
        assert response.status_code == 200, response.content
        offset = response.json()["offset"]
    finished = client.post(started["finish_url"])

    # then the clip arrives whole
    assert started["chunk_size"] == 2 * PIECE
    assert finished.json()["receipt"]["sha256"] == hashlib.sha256(video).hexdigest()


def test_a_piece_beyond_the_declared_end_is_refused(owner_request: OwnerRequest, video: bytes) -> None:
    head = video[: 2 * PIECE]
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(head)).json()
    _send_pieces(client, started["url"], head)

    response = client.put(
        started["url"],
        video[2 * PIECE : 3 * PIECE],
        content_type="application/octet-stream",
        headers={"content-range": f"bytes {2 * PIECE}-{3 * PIECE - 1}/{2 * PIECE}"},
    )

    assert response.status_code == 400
    assert "beyond the size" in response.json()["error"]
    assert client.get(started["url"]).json()["offset"] == 2 * PIECE


def test_a_piece_after_completion_is_refused(owner_request: OwnerRequest, video: bytes) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()
    _send_pieces(client, started["url"], video)
    client.post(started["finish_url"])

    response = _piece(client, started["url"], video, 0)

    assert response.status_code == 409
    assert "already complete" in response.json()["error"]


def test_finishing_before_every_byte_arrived_is_refused_with_the_offset(
    owner_request: OwnerRequest, video: bytes
) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()
    _send_pieces(client, started["url"], video, stop=PIECE)

    response = client.post(started["finish_url"])

    assert (response.status_code, response.json()["offset"]) == (409, PIECE)
    assert not Clip.objects.filter(request=owner_request.request).exists()


def test_another_owners_upload_is_not_found(owner_request: OwnerRequest, video: bytes) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()
    _send_pieces(client, started["url"], video, stop=PIECE)
    stranger = TenantClient("rialto.localhost")
    stranger.force_login(UserFactory(role=Role.RESIDENT))

    responses = [
        stranger.get(started["url"]),
        _piece(stranger, started["url"], video, PIECE),
        stranger.post(started["finish_url"]),
        _start(stranger, owner_request, len(video)),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert client.get(started["url"]).json()["offset"] == PIECE


def test_an_upload_id_of_another_department_is_not_found(
    owner_request: OwnerRequest, video: bytes, rialto: Any, fontana: Any
) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()
    connection.set_tenant(fontana)
    fontana_owner = UserFactory(role=Role.RESIDENT)
    other = TenantClient("fontana.localhost")
    other.force_login(fontana_owner)
    connection.set_tenant(rialto)

    responses = [other.get(started["url"]), _piece(other, started["url"], video, 0), other.post(started["finish_url"])]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert client.get(started["url"]).json()["offset"] == 0


def test_the_same_file_twice_is_refused_and_stored_once(
    owner_request: OwnerRequest, video: bytes, media: Path, staging: Path
) -> None:
    client = _owner_client(owner_request)
    first = _start(client, owner_request, len(video)).json()
    _send_pieces(client, first["url"], video)
    client.post(first["finish_url"])
    second = _start(client, owner_request, len(video)).json()
    _send_pieces(client, second["url"], video)

    refused = client.post(second["finish_url"])

    assert refused.status_code == 400
    assert "already sent" in refused.json()["error"]
    assert Clip.objects.filter(request=owner_request.request).count() == 1
    assert len(_files(media)) == 1
    assert _files(staging) == []
    assert client.get(second["url"]).status_code == 404


@pytest.fixture(scope="session")
def other_video(tmp_path_factory: Any) -> bytes:
    """Another real MP4 of the same camera, of a different length."""
    data = make_video(tmp_path_factory.mktemp("video") / "other.mp4", seconds=2, size="320x240", rate=10)
    assert len(data) > 2 * PIECE
    return data


def test_two_uploads_for_the_same_camera_at_once_both_finish(
    owner_request: OwnerRequest, video: bytes, other_video: bytes, staging: Path
) -> None:
    # given a clip half sent from one browser tab
    client = _owner_client(owner_request)
    first = _start(client, owner_request, len(video)).json()
    _send_pieces(client, first["url"], video, stop=2 * PIECE)

    # when another tab starts a second clip of the same camera, and both carry on
    second = _start(client, owner_request, len(other_video), name="back-yard.mp4").json()
    _send_pieces(client, second["url"], other_video)
    _send_pieces(client, first["url"], video, start=2 * PIECE)
    finished = [client.post(u["finish_url"]) for u in (first, second)]

    # then the first is not dropped: both become clips
    assert [f.status_code for f in finished] == [200, 200]
    assert sorted(Clip.objects.filter(request=owner_request.request).values_list("sha256", flat=True)) == sorted(
        hashlib.sha256(v).hexdigest() for v in (video, other_video)
    )
    assert _files(staging) == []


def test_starting_more_uploads_of_a_camera_than_may_be_in_progress_is_refused_naming_them(
    owner_request: OwnerRequest, video: bytes
) -> None:
    from footage.uploads import UPLOADS_IN_PROGRESS_MAX

    client = _owner_client(owner_request)
    started = [_start(client, owner_request, len(video)).json() for _ in range(UPLOADS_IN_PROGRESS_MAX)]

    refused = _start(client, owner_request, len(video))

    assert refused.status_code == 409
    assert "in progress" in refused.json()["error"]
    assert [client.get(u["url"]).status_code for u in started] == [200] * UPLOADS_IN_PROGRESS_MAX


def test_a_piece_sent_after_the_request_expired_is_refused_at_once_and_nothing_received_is_lost(
    owner_request: OwnerRequest, video: bytes, staging: Path
) -> None:
    client = _owner_client(owner_request)
    started = _start(client, owner_request, len(video)).json()
    _send_pieces(client, started["url"], video, stop=PIECE)
    type(owner_request.request).objects.filter(pk=owner_request.request_id).update(expires_at=timezone.now())

    refused = _piece(client, started["url"], video, PIECE)

    assert refused.status_code == 400
    assert "expired" in refused.json()["error"]
    assert client.get(started["url"]).json()["offset"] == PIECE
    assert [p.name for p in _files(staging)] == [f"{started['id']}.000000"]


def test_an_abandoned_upload_is_purged_with_its_pieces_by_the_beat_task(
    owner_request: OwnerRequest, video: bytes, staging: Path, make_camera: Any, actor: Any, purpose: Any
) -> None:
    client = _owner_client(owner_request)
    abandoned = _start(client, owner_request, len(video)).json()
    _send_pieces(client, abandoned["url"], video, stop=2 * PIECE)
    ClipUpload.objects.filter(public_id=abandoned["id"]).update(touched_at=timezone.now() - dt.timedelta(hours=25))
    camera = make_camera("on_request")
    _send(actor, purpose, [camera])
    other_request = OwnerRequest.objects.get(owner=camera.site.owner)
    other = _owner_client(other_request)
    fresh = _start(other, other_request, len(video)).json()
    _send_pieces(other, fresh["url"], video, stop=PIECE)

    purged = clip_uploads_purge.apply().get()

    assert purged == 1
    assert client.get(abandoned["url"]).status_code == 404
    assert other.get(fresh["url"]).json()["offset"] == PIECE
    assert [p.name for p in _files(staging)] == [f"{fresh['id']}.000000"]


def test_the_answer_page_loads_the_uploader_as_a_static_script(owner_request: OwnerRequest) -> None:
    page = _owner_client(owner_request).get(f"/my/requests/{owner_request.public_id}/").content.decode()

    assert "footage/upload.js" in page
    assert f"/my/requests/{owner_request.public_id}/uploads/" in page
    assert "<script>" not in page
