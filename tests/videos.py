"""Real video files for tests, made by Debian's ffmpeg from its test sources."""

import subprocess
from pathlib import Path

FFMPEG = "/usr/bin/ffmpeg"


def make_video(
    path: Path, *, seconds: int, size: str, rate: int, source: str = "testsrc", extra: tuple[str, ...] = ()
) -> bytes:
    """Write an MP4 (yuv420p) of ``seconds`` of ffmpeg's ``source`` to ``path``; its bytes.

    ``extra``: more output options, e.g. ``("-c:v", "libx264")`` or a noise filter.
    """
    subprocess.run(
        [
            FFMPEG,
            *("-hide_banner", "-loglevel", "error", "-f", "lavfi"),
            *("-i", f"{source}=duration={seconds}:size={size}:rate={rate}"),
            *extra,
            *("-pix_fmt", "yuv420p", str(path)),
        ],
        check=True,
    )
    return path.read_bytes()
