"""H.264 passthrough through Channels (docs/bridge-protocol.md, "H.264 units"): a bridge that
says its camera's codec and sends access units reaches the viewer as it is, a viewer who joins
late starts at the last keyframe (the GOP cache), the policy's bitrate caps what a camera may
send, garbage closes the bridge with a documented code, and the view ends as a JPEG view does."""

import base64
import json
import struct
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from bridge.h264 import AccessUnit, avcc_record
from bridge.sources import TestPatternSource, Unit
from cameras import services
from cameras.models import Camera
from live.consumers import UNIT_DROPS_BEFORE_CLOSE
from live.models import LiveSession
from tenants.models import Department, DepartmentPolicy
from tests.factories import UserFactory
from tests.live.test_consumers import (
    Scene,
    bridge,
    closed_with,
    committed,
    frame,
    json_of,
    last_event,
    scene,
    viewer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def units() -> list[Unit]:
    """Two seconds of a real H.264 stream (libx264, a keyframe every second, 320x180 at 10 fps)."""
    source = TestPatternSource(width=320, height=180, rate=10, h264=True)
    source.encoded = True
    source.open()
    try:
        return [source.read() for _ in range(20)]  # type: ignore[misc]
    finally:
        source.close()


def codec_message(camera_id: str, unit: Unit | AccessUnit) -> str:
    assert unit.codec is not None
    return json.dumps(unit.codec.message(camera_id))


def unit_message(camera_id: str, unit: Unit, *, captured_us: int | None = None) -> bytes:
    header = struct.pack(">16sQB", uuid.UUID(camera_id).bytes, captured_us or int(time.time() * 1e6), unit.keyframe)
    return header + unit.data


async def streaming(scene: Scene, units: list[Unit]) -> Any:
    """A bridge connected and told its camera's codec."""
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)
    await cam.send_to(text_data=codec_message(scene.camera_id, units[0]))
    return cam


async def binary_of(comm: Any, timeout: float = 5) -> bytes:
    while True:
        message = await comm.receive_output(timeout=timeout)
        assert message["type"] == "websocket.send", message
        if message.get("bytes") is not None:
            return bytes(message["bytes"])


async def test_the_hello_says_the_server_takes_h264_within_the_policys_bitrate(scene: Scene) -> None:
    cam = bridge(scene.bridge_token)
    await cam.connect()

    hello = await json_of(cam)

    assert (hello["protocol"], hello["codecs"], hello["max_bitrate"]) == (2, ["jpeg", "h264"], 8_000_000)
    await cam.disconnect()


async def test_units_reach_the_viewer_unchanged_after_the_codec(scene: Scene, units: list[Unit]) -> None:
    cam = await streaming(scene, units)
    view = viewer(scene)
    await view.connect()
    await json_of(view)  # session
    await json_of(cam)  # start

    for unit in units[:3]:
        await cam.send_to(bytes_data=unit_message(scene.camera_id, unit))
    codec = await json_of(view)
    got = [await binary_of(view) for _ in range(3)]

    assert (codec["type"], codec["codec"], codec["width"], codec["height"]) == ("codec", "avc1.42c00b", 320, 180)
    assert [g[8] for g in got] == [1, 0, 0]
    assert [g[9:] for g in got] == [u.data for u in units[:3]]
    await view.disconnect()
    ended = committed(lambda: LiveSession.objects.get(officer_id=scene.officer_id))
    assert (ended.frames, ended.bytes_sent) == (3, sum(len(u.data) + 1 for u in units[:3]))
    await cam.disconnect()


async def test_a_viewer_who_joins_late_starts_at_the_last_keyframe_from_the_cache(
    scene: Scene, units: list[Unit]
) -> None:
    cam = await streaming(scene, units)
    first = viewer(scene)
    await first.connect()
    await json_of(first)
    # Units 0-9 are one GOP, 10-14 the start of the next: a late viewer needs 10-14.
    for unit in units[:15]:
        await cam.send_to(bytes_data=unit_message(scene.camera_id, unit))
    for _ in range(16):  # the codec, then the 15 units
        message = await first.receive_output(timeout=5)
        assert message["type"] == "websocket.send", message

    late = viewer(scene)  # a second view (the same officer's, on another screen)
    started = time.monotonic()
    await late.connect()
    session = await json_of(late)
    codec = await json_of(late)
    replayed = [await binary_of(late) for _ in range(5)]
    waited = time.monotonic() - started
    await cam.send_to(bytes_data=unit_message(scene.camera_id, units[15]))
    live = await binary_of(late)

    assert (session["type"], codec["type"]) == ("session", "codec")
    assert units[10].keyframe
    assert [r[9:] for r in replayed] == [u.data for u in units[10:15]]
    assert live[9:] == units[15].data
    assert waited < 1.0
    await late.disconnect()
    await first.disconnect()
    await cam.disconnect()


async def test_units_above_the_policys_bitrate_are_dropped_up_to_the_next_keyframe(
    scene: Scene, units: list[Unit], policy_low_bitrate: None
) -> None:
    cam = await streaming(scene, units)
    view = viewer(scene)
    await view.connect()
    await json_of(view)
    big = Unit(captured_us=0, data=units[1].data + b"\x00" * 200_000, keyframe=False)

    # 250 kbit/s holds 62,500 bytes for two seconds: the keyframe passes, the 200 KB unit
    # does not, and nothing after it until the next keyframe.
    for unit in [units[0], big, units[2], units[3], units[10]]:
        await cam.send_to(bytes_data=unit_message(scene.camera_id, unit))
    await json_of(view)  # codec
    got = [await binary_of(view) for _ in range(2)]

    assert [g[9:] for g in got] == [units[0].data, units[10].data]
    await view.disconnect()
    await cam.disconnect()


async def test_a_bridge_cannot_dodge_the_bitrate_cap_with_a_new_connection(
    scene: Scene, units: list[Unit], policy_low_bitrate: None
) -> None:
    first = await streaming(scene, units)
    second = bridge(scene.bridge_token)  # the same bridge, restarted: its new connection
    await second.connect()
    await json_of(second)
    view = viewer(scene)
    await view.connect()
    await json_of(view)
    # 250 kbit/s holds 62,500 bytes for two seconds: one such keyframe fits, two do not.
    big_key = Unit(captured_us=0, data=units[0].data + b"\x00" * (60_000 - len(units[0].data)), keyframe=True)

    await first.send_to(bytes_data=unit_message(scene.camera_id, big_key))
    await json_of(view)  # codec
    passed = await binary_of(view)
    await first.disconnect()
    await second.send_to(text_data=codec_message(scene.camera_id, units[0]))
    await second.send_to(bytes_data=unit_message(scene.camera_id, big_key))
    await second.send_to(bytes_data=frame(scene.camera_id))  # a JPEG frame: not under the bitrate cap
    await json_of(view)  # codec again
    after = await binary_of(view)

    assert passed[9:] == big_key.data
    assert after[8:10] == b"\xff\xd8"  # the JPEG: the second keyframe was dropped
    await view.disconnect()
    await second.disconnect()


async def test_a_camera_that_keeps_exceeding_the_cap_closes_its_bridge_with_4429_naming_it(
    scene: Scene, units: list[Unit], policy_low_bitrate: None
) -> None:
    cam = await streaming(scene, units)
    big_key = Unit(captured_us=0, data=units[0].data + b"\x00" * 70_000, keyframe=True)

    # A keyframe over the cap, then a camera's units that cannot be played without it.
    await cam.send_to(bytes_data=unit_message(scene.camera_id, big_key))
    for _ in range(UNIT_DROPS_BEFORE_CLOSE + 1):
        await cam.send_to(bytes_data=unit_message(scene.camera_id, units[1]))
    while (closed := await cam.receive_output(timeout=5))["type"] != "websocket.close":
        pass

    assert closed["code"] == 4429
    assert scene.camera_id in closed.get("reason", "")
    assert "250 kbit/s" in closed.get("reason", "")


@pytest.fixture
def policy_low_bitrate() -> Any:
    def set_to(kbps: int) -> int:
        policy = DepartmentPolicy.objects.get(department__schema_name="rialto")
        before = policy.live_max_bitrate_kbps
        DepartmentPolicy.objects.filter(pk=policy.pk).update(live_max_bitrate_kbps=kbps)
        return before

    before = committed(set_to, 250)
    yield
    committed(set_to, before)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        # A unit before its camera's codec description: the viewer could not play it.
        (lambda s, u: [unit_message(s.camera_id, u[0])], 4408),
        # Truncated: the flags byte and no access unit.
        (lambda s, u: [codec_message(s.camera_id, u[0]), unit_message(s.camera_id, u[0])[:26]], 4408),
        # Not Annex B.
        (lambda s, u: [codec_message(s.camera_id, u[0]), unit_message(s.camera_id, u[0])[:25] + b"GIF89a" * 10], 4415),
        # A keyframe without its SPS and PPS.
        (
            lambda s, u: [
                codec_message(s.camera_id, u[0]),
                unit_message(s.camera_id, Unit(0, u[1].data, keyframe=True)),
            ],
            4415,
        ),
        # An absurd size.
        (
            lambda s, u: [
                codec_message(s.camera_id, u[0]),
                unit_message(s.camera_id, Unit(0, u[1].data + b"\x00" * (1024 * 1024), keyframe=False)),
            ],
            4413,
        ),
        # A flags byte that is neither a unit's nor a JPEG's.
        (
            lambda s, u: [codec_message(s.camera_id, u[0]), unit_message(s.camera_id, u[0])[:24] + b"\x07" + b"x" * 9],
            4415,
        ),
        # Codec descriptions that are not one.
        (lambda s, u: [json.dumps({"type": "codec", "camera": s.camera_id})], 4408),
        (lambda s, u: [json.dumps({**json.loads(codec_message(s.camera_id, u[0])), "codec": "hvc1.1"})], 4408),
        (lambda s, u: [json.dumps({**json.loads(codec_message(s.camera_id, u[0])), "avcc": "!!"})], 4408),
        (lambda s, u: [json.dumps({**json.loads(codec_message(s.camera_id, u[0])), "width": 10**9})], 4408),
        # Another bridge's camera (here: unknown to this one).
        (lambda s, u: [codec_message(str(uuid.uuid4()), u[0])], 4409),
    ],
    ids=[
        "unit-before-codec",
        "truncated",
        "not-annex-b",
        "keyframe-without-sps",
        "absurd-size",
        "bad-flags",
        "codec-missing-fields",
        "codec-not-h264",
        "codec-bad-avcc",
        "codec-absurd-size",
        "codec-foreign-camera",
    ],
)
async def test_h264_garbage_closes_the_bridge_with_a_documented_code(
    scene: Scene, units: list[Unit], make: Any, code: int
) -> None:
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)

    for message in make(scene, units):
        if isinstance(message, str):
            await cam.send_to(text_data=message)
        else:
            await cam.send_to(bytes_data=message)

    assert await closed_with(cam, within=2.0) == code


def _fontana_camera() -> str:
    department = Department.objects.get(schema_name="fontana")
    with tenant_context(department):
        from accounts.models import Role

        owner = UserFactory(role=Role.RESIDENT, email=f"fontana-{uuid.uuid4().hex[:8]}@example.org")
        site = services.site_create(
            owner=owner, department=department, lon=-117.43, lat=34.09, kind="business", address="2 Elm"
        )
        camera = services.camera_register(owner=owner, site=site, label="Porch")
        return str(camera.public_id)


async def test_a_bridge_cannot_send_h264_for_another_departments_camera(scene: Scene, units: list[Unit]) -> None:
    def make() -> str:
        try:
            return _fontana_camera()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        foreign = pool.submit(make).result()
    cam = await streaming(scene, units)

    await cam.send_to(text_data=codec_message(foreign, units[0]))

    assert await closed_with(cam, within=2.0) == 4409


async def test_revoking_consent_ends_an_h264_view_within_one_second(scene: Scene, units: list[Unit]) -> None:
    cam = await streaming(scene, units)
    view = viewer(scene)
    await view.connect()
    session = await json_of(view)
    for unit in units[:3]:
        await cam.send_to(bytes_data=unit_message(scene.camera_id, unit))
    for _ in range(4):
        await view.receive_output(timeout=5)

    committed(
        lambda: services.consent_revoke(
            owner=Camera.objects.get(pk=scene.camera_pk).site.owner, camera=Camera.objects.get(pk=scene.camera_pk)
        )
    )
    # Units still coming from the bridge do not keep the view open.
    for unit in units[3:6]:
        await cam.send_to(bytes_data=unit_message(scene.camera_id, unit))

    assert await closed_with(view, within=1.0) == 4410
    assert (last_event(scene).action, last_event(scene).reason) == ("live_end", "consent")
    ended = committed(lambda: LiveSession.objects.get(public_id=session["session"]))
    assert (ended.end_reason, ended.frames >= 3) == ("consent", True)
    await cam.disconnect()


async def test_a_viewer_whose_browser_cannot_play_h264_asks_the_bridge_for_jpeg(scene: Scene) -> None:
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)
    view = viewer(scene, purpose=f"{scene.purpose_id}&codecs=jpeg")
    await view.connect()
    await json_of(view)

    start = await json_of(cam)

    assert (start["type"], start["codecs"]) == ("start", ["jpeg"])
    await view.disconnect()
    await cam.disconnect()


@pytest.mark.parametrize("codecs", ["&codecs=jpeg", ""], ids=["browser-without-mse", "jpeg-camera"])
async def test_a_jpeg_viewer_gets_frames_again_after_its_bridge_reconnects(scene: Scene, codecs: str) -> None:
    first = bridge(scene.bridge_token)
    await first.connect()
    await json_of(first)
    view = viewer(scene, purpose=f"{scene.purpose_id}{codecs}")
    await view.connect()
    await json_of(view)
    started = await json_of(first)
    await first.send_to(bytes_data=frame(scene.camera_id))
    await binary_of(view)

    # The bridge's connection drops; the bridge comes back on a new one, the view stays open.
    await first.disconnect()
    second = bridge(scene.bridge_token)
    await second.connect()
    await json_of(second)
    restarted = await json_of(second)
    await second.send_to(bytes_data=frame(scene.camera_id))
    got = await binary_of(view)

    assert (restarted["type"], restarted.get("codecs")) == ("start", started.get("codecs"))
    assert got[8:10] == b"\xff\xd8"
    await view.disconnect()
    await second.disconnect()


def test_the_codec_message_carries_an_avcc_record_of_the_streams_parameter_sets(units: list[Unit]) -> None:
    codec = units[0].codec
    assert codec is not None

    message = codec.message("cam")

    assert base64.b64decode(str(message["avcc"])) == avcc_record(codec.sps, codec.pps)
    assert units[0].data.startswith(b"\x00\x00\x00\x01" + codec.sps + b"\x00\x00\x00\x01" + codec.pps)


_ = scene  # a fixture, imported for the tests above
