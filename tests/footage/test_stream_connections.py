"""A clip streamed slowly holds no pooled database connection (real uvicorn, a pool of two)."""

import socket
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from cameras import access
from footage import services
from tests.e2e.test_officer_watches_clip import _received_clip
from tests.live.test_consumers import _scene, committed
from tests.site_client import SiteSession, uvicorn_server
from tests.videos import make_video

pytestmark = [pytest.mark.django_db, pytest.mark.server]

HOST = "rialto.localhost"


def _stream_link(scene: Any, clip_id: str) -> str:
    officer = User.objects.get(pk=scene.officer_id)
    actor = access.Actor(user=officer, mfa=True)
    purpose = access.purpose_lookup(actor=actor, public_id=scene.purpose_id)
    viewing = services.clip_view_open(actor=actor, purpose=purpose, clip_public_id=clip_id)
    assert viewing.link is not None
    return str(viewing.link.public_id)


def _stalled_reader(port: int, path: str, session_key: str) -> socket.socket:
    """A player that asks for the clip and then reads nothing (a tiny receive buffer)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nCookie: sessionid={session_key}\r\n\r\n".encode())
    return sock


def test_two_stalled_clip_streams_leave_the_pool_to_other_requests(tmp_path: Path, django_db_blocker: Any) -> None:
    # Given a clip far larger than the sockets' buffers (noise does not compress: ~35 MB)
    video = tmp_path / "noise.mp4"
    make_video(
        video, seconds=1, size="1280x720", rate=25, extra=("-vf", "noise=alls=100:allf=t", "-c:v", "mpeg4", "-q:v", "2")
    )
    assert video.stat().st_size > 16_000_000
    with django_db_blocker.unblock():
        scene = committed(_scene, level="on_request")
        _request_id, clip_id = committed(_received_clip, scene, video)
        link = committed(_stream_link, scene, clip_id)

    with uvicorn_server(DJANGO_DB_POOL_MAX_SIZE="2", DJANGO_DB_POOL_TIMEOUT="5") as port:
        visitor = SiteSession(port, HOST)
        # When two players stream the clip and stop reading
        readers = [_stalled_reader(port, f"/console/clips/stream/{link}/", scene.session_key) for _ in range(2)]
        try:
            answers = [reader.recv(64) for reader in readers]
            home = visitor.get("/")
        finally:
            for reader in readers:
                reader.close()

        # Then both streams started and the rest of the site is still served (not a 500
        # after waiting for a pooled connection)
        assert [answer.split(b"\r\n")[0] for answer in answers] == [b"HTTP/1.1 200 OK"] * 2
        assert home.status == 200
