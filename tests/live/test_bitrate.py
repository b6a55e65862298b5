"""The policy's H.264 bitrate cap holds per camera (live.bitrate), whatever connection or
process sends its units: a bridge's cameras each get the whole cap, one camera cannot exceed
it, and a new connection does not start with a fresh allowance."""

import uuid

from live import bitrate

CAP = 8_000_000  # bits a second: the policy's default 8,000 kbit/s
FPS = 30
SECONDS = 10


async def _send(camera: str, *, bits_per_second: int, start: float) -> tuple[int, int]:
    """A camera at ``bits_per_second`` for SECONDS, unit by unit on a made-up clock: (units
    taken, bytes taken)."""
    size = bits_per_second // 8 // FPS
    taken = taken_bytes = 0
    for i in range(FPS * SECONDS):
        if await bitrate.camera_bitrate_take(
            schema="bitrate-test", camera=camera, size=size, bits_per_second=CAP, now=start + i / FPS
        ):
            taken += 1
            taken_bytes += size
    return taken, taken_bytes


async def test_three_cameras_at_3_mbits_each_fit_a_cap_of_8000_kbits() -> None:
    cameras = [str(uuid.uuid4()) for _ in range(3)]

    results = [await _send(camera, bits_per_second=3_000_000, start=1_000.0) for camera in cameras]

    assert [taken for taken, _ in results] == [FPS * SECONDS] * 3


async def test_one_camera_at_12_mbits_is_capped_at_8000_kbits() -> None:
    camera = str(uuid.uuid4())

    taken, taken_bytes = await _send(camera, bits_per_second=12_000_000, start=1_000.0)

    # The cap's rate for the whole window, plus the bucket's burst at the start; no more.
    most = CAP / 8 * (SECONDS + bitrate.BURST_SECONDS)
    assert CAP / 8 * SECONDS * 0.95 <= taken_bytes <= most
    assert taken < FPS * SECONDS


async def test_the_allowance_is_the_cameras_not_the_callers() -> None:
    camera = str(uuid.uuid4())
    full = int(CAP / 8 * bitrate.BURST_SECONDS)

    first = await bitrate.camera_bitrate_take(
        schema="bitrate-test", camera=camera, size=full, bits_per_second=CAP, now=5_000.0
    )
    # Another connection (a bridge that reconnected, another process) right after.
    second = await bitrate.camera_bitrate_take(
        schema="bitrate-test", camera=camera, size=full // 2, bits_per_second=CAP, now=5_000.1
    )

    assert (first, second) == (True, False)
