"""issue 19: an owner sees each camera's live status as its bridge reports it (connected or
not, streaming, the last error with its time); another owner or department never does."""

import asyncio
from typing import Any

import pytest

from accounts.models import Role
from tests.conftest import TenantClient
from tests.factories import UserFactory
from tests.live.test_bridge_liveness import _session_of
from tests.live.test_consumers import Scene, _scene, bridge, committed, json_of
from tests.tenancy import connection

pytestmark = pytest.mark.django_db


def _owner_client(scene: Scene) -> TenantClient:
    client = TenantClient("rialto.localhost")
    client.cookies["sessionid"] = committed(_session_of, scene.owner_id)
    return client


async def _page(client: TenantClient, path: str) -> tuple[int, str]:
    response = await asyncio.to_thread(client.get, path)
    return response.status_code, response.content.decode()


async def _status_sent(scene: Scene, state: str, detail: str = "") -> Any:
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)  # hello
    await cam.send_json_to({"type": "status", "camera": scene.camera_id, "state": state, "detail": detail})
    await asyncio.sleep(0.3)
    return cam


async def test_the_owner_sees_a_camera_error_and_its_words_on_the_camera_and_bridges_pages() -> None:
    # given a connected bridge whose camera fails
    scene: Scene = committed(_scene)
    cam = await _status_sent(scene, "error", "cannot open rtsp://viewer:***@192.168.1.20/stream1: Connection refused")

    # when its owner opens the camera's live page and the bridges page
    code, live_page = await _page(_owner_client(scene), f"/my/cameras/{scene.camera_id}/live/")
    _, bridges_page = await _page(_owner_client(scene), "/my/bridges/")
    _, camera_page = await _page(_owner_client(scene), f"/my/cameras/{scene.camera_id}/")

    # then each says the camera is not responding, with what the bridge said
    assert code == 200
    for page in (live_page, bridges_page, camera_page):
        assert 'data-status="error"' in page
        assert "Camera not responding" in page
        assert "Connection refused" in page
    await cam.disconnect()


async def test_a_recovered_camera_shows_streaming_and_keeps_its_last_error_with_its_time() -> None:
    # given a camera that failed and then streamed again
    scene: Scene = committed(_scene)
    cam = await _status_sent(scene, "error", "reading failed: timed out")
    await cam.send_json_to({"type": "status", "camera": scene.camera_id, "state": "streaming", "detail": ""})
    await asyncio.sleep(0.3)

    # when the owner looks
    _, page = await _page(_owner_client(scene), f"/my/cameras/{scene.camera_id}/live/")

    # then it streams, and the last error is still there with its time
    assert 'data-status="streaming"' in page
    assert "Last error" in page
    assert "reading failed: timed out" in page
    await cam.disconnect()


async def test_the_owner_is_told_when_the_bridge_re_encodes_a_camera() -> None:
    # given a bridge that streams an H.265 camera re-encoded (bridge/transcode.py)
    scene: Scene = committed(_scene)
    detail = "H.265 camera: re-encoded to H.264 at 1280x720 on the bridge"
    cam = await _status_sent(scene, "streaming", detail)

    # when the owner looks at the camera's live page
    _, page = await _page(_owner_client(scene), f"/my/cameras/{scene.camera_id}/live/")

    # then it streams, and the page says what the bridge does with it
    assert 'data-status="streaming"' in page
    assert f"What the bridge does with this camera: “{detail}”." in page
    await cam.disconnect()


async def test_a_bridge_that_goes_away_shows_offline_and_one_that_reconnects_starts_ready() -> None:
    # given a camera reported streaming by a bridge that then disconnects
    scene: Scene = committed(_scene)
    cam = await _status_sent(scene, "streaming")
    await cam.disconnect()
    await asyncio.sleep(0.3)
    _, offline = await _page(_owner_client(scene), f"/my/cameras/{scene.camera_id}/live/")

    # when the bridge connects again
    again = bridge(scene.bridge_token)
    await again.connect()
    await json_of(again)
    await asyncio.sleep(0.3)
    _, ready = await _page(_owner_client(scene), f"/my/cameras/{scene.camera_id}/live/")

    # then the page said offline, and now ready (not "streaming" from the old connection)
    assert 'data-status="offline"' in offline
    assert 'data-status="ready"' in ready
    await again.disconnect()


async def test_a_status_for_a_camera_the_bridge_does_not_serve_is_kept_nowhere() -> None:
    # given two owners' bridges; the first bridge reports an error for the second's camera
    scene: Scene = committed(_scene)
    other: Scene = committed(_scene)
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)
    await cam.send_json_to({"type": "status", "camera": other.camera_id, "state": "error", "detail": "forged"})
    await asyncio.sleep(0.3)

    # when the second camera's owner looks
    _, page = await _page(_owner_client(other), f"/my/cameras/{other.camera_id}/live/")

    # then the forged error is not there
    assert "forged" not in page
    assert 'data-status="offline"' in page
    await cam.disconnect()


async def test_another_owner_never_sees_a_cameras_status() -> None:
    # given a camera in error
    scene: Scene = committed(_scene)
    cam = await _status_sent(scene, "error", "secret detail of the owner's network")
    intruder = TenantClient("rialto.localhost")
    intruder_id = committed(lambda: UserFactory(role=Role.BUSINESS).pk)
    intruder.cookies["sessionid"] = committed(_session_of, intruder_id)

    # when another owner asks for its live page, and looks at their own bridges page
    code, page = await _page(intruder, f"/my/cameras/{scene.camera_id}/live/")
    _, bridges_page = await _page(intruder, "/my/bridges/")

    # then the camera is not found, and nothing of it shows
    assert code == 404
    assert "secret detail" not in page + bridges_page
    await cam.disconnect()


def test_a_camera_of_another_department_is_not_found(fontana: Any, fontana_client: TenantClient, rialto: Any) -> None:
    # given a Rialto camera, and a Fontana owner asking for it on Fontana's host
    scene: Scene = committed(_scene)
    connection.set_tenant(fontana)
    fontana_client.force_login(UserFactory(role=Role.RESIDENT))

    response = fontana_client.get(f"/my/cameras/{scene.camera_id}/live/")

    connection.set_tenant(rialto)
    assert response.status_code == 404
