"""H.264 passthrough against the JPEG path: bytes a second per viewer, and the bridge's CPU.

    python bench/h264.py [--seconds 15] [--sizes 1280x720,1920x1080] [--rate 30]

The same content for both paths: ffmpeg's ``testsrc2`` (moving) encoded once per size to an
H.264 MPEG-TS file as a camera would (libx264 veryfast, no B-frames, a keyframe every second,
capped at 2 Mbit/s for 720p and 4 Mbit/s for 1080p), then served in real time
(``ffmpeg -re -c copy -f mpegts -listen 1``) as the camera. The real bridge program
(``python -m bridge``) reads it, talking to a stand-in server in this process that says
``hello`` and ``start`` and counts what arrives:

- **H.264**: a version-2 hello (``codecs`` lists ``h264``): the bridge demuxes and forwards.
- **JPEG**: a version-1 hello (no ``codecs``): the bridge decodes and sends JPEG frames at the
  server's limit (15 fps), at the camera's full width (``max_width`` = the width), as today.

What the server relays to each viewer is what the bridge sends less 16 bytes a message (the
camera id), so bytes a second per viewer = (bytes received - 16 x messages) / seconds. The
bridge process's CPU (user + system, from /proc) over the same window is its cost per stream.
Both paths run for each size one after the other in one run: compare ratios, not absolutes
(the machine is shared). Writes bench/results/h264.json.
"""

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, table, write_json

FFMPEG = "/usr/bin/ffmpeg"
CAMERA = str(uuid.uuid4())
TICKS = os.sysconf("SC_CLK_TCK")
MAXRATE = {720: "2M", 1080: "4M"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CONTENT = {
    # Flat synthetic colours: the kindest case for JPEG.
    "testsrc2": "testsrc2=size={size}:rate={rate}",
    # The same with sensor-like noise over it (a camera's picture at dusk, foliage, rain).
    "noisy": "testsrc2=size={size}:rate={rate},noise=alls=12:allf=t",
    # Closer to a real camera: a still, textured scene (blotchy low-frequency texture like
    # pavement or foliage, desaturated, with fixed fine grain), two objects crossing it at
    # different speeds, and mild sensor noise changing every frame. A JPEG of it at 720p is
    # ~150 KB at quality 85, where the real cameras give 100-200 KB.
    "scene": (
        "color=c=0x607050:size=160x90:rate={rate},noise=alls=100:allf=u,scale=size={size}:flags=bicubic,"
        "hue=s=0.3,noise=alls=14:allf=u[bg];testsrc2=size=256x192:rate={rate}[a];"
        "testsrc=size=160x120:rate={rate}[b];"
        "[bg][a]overlay=x='mod(t*160\\,W+w)-w':y='H/3+H/8*sin(t)'[s];"
        "[s][b]overlay=x='W-mod(t*90\\,W+w)':y='H*2/3',noise=alls=5:allf=t[out0]"
    ),
}


def encode(size: str, rate: int, seconds: int, folder: Path, content: str) -> Path:
    height = int(size.split("x")[1])
    out = folder / f"cam-{content}-{size}.ts"
    maxrate = MAXRATE.get(height, "4M")
    subprocess.run(  # noqa: S603 (a fixed argv: ffmpeg)
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         CONTENT[content].format(size=size, rate=rate), "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast",
         "-g", str(rate), "-bf", "0", "-maxrate", maxrate, "-bufsize", maxrate, "-pix_fmt", "yuv420p",
         "-f", "mpegts", str(out)],
        check=True,
    )  # fmt: skip
    return out


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def measure(path: Path, *, h264: bool, width: int, seconds: float, warmup: float) -> dict[str, Any]:
    import websockets

    counts = {"bytes": 0, "messages": 0, "units": 0, "codecs": 0}
    counting = asyncio.Event()

    async def handler(ws: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):  # the bridge stopped at the end
            await serve(ws)

    async def serve(ws: Any) -> None:
        hello: dict[str, Any] = {"type": "hello", "bridge": "bench", "cameras": [CAMERA], "max_frame_bytes": 1_048_576}
        hello["max_fps"] = 15
        if h264:
            hello.update(protocol=2, codecs=["jpeg", "h264"], max_bitrate=50_000_000)
        await ws.send(json.dumps(hello))
        await ws.send(json.dumps({"type": "start", "camera": CAMERA, "fps": 15, "max_width": width}))
        async for message in ws:  # until the bridge is stopped (its close ends this loop)
            if not counting.is_set():
                continue
            if isinstance(message, bytes):
                counts["bytes"] += len(message)
                counts["messages"] += 1
                counts["units"] += message[24] in (0, 1)
            elif '"codec"' in message:
                counts["codecs"] += 1

    port, camera_port = free_port(), free_port()
    camera = subprocess.Popen(  # noqa: S603 (a fixed argv: ffmpeg)
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", str(path), "-c", "copy",
         "-f", "mpegts", "-listen", "1", f"http://127.0.0.1:{camera_port}/cam.ts"],
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "bridge.toml"
        config.write_text(f'[cameras]\n"{CAMERA}" = "http://127.0.0.1:{camera_port}/cam.ts"\n')
        async with websockets.serve(handler, "127.0.0.1", port, compression=None, max_size=2**22):
            await asyncio.sleep(0.5)
            bridge = subprocess.Popen(  # noqa: S603 (a fixed argv: the bridge program)
                [sys.executable, "-m", "bridge", "--url", f"ws://127.0.0.1:{port}", "--token", "bench",
                 "--config", str(config), "--log-level", "WARNING"],
                cwd=ROOT,
            )  # fmt: skip
            try:
                await asyncio.sleep(warmup)
                counting.set()
                cpu0, t0 = cpu_seconds(bridge.pid), time.monotonic()
                await asyncio.sleep(seconds)
                cpu1, t1 = cpu_seconds(bridge.pid), time.monotonic()
                counting.clear()
            finally:
                bridge.terminate()
                bridge.wait(timeout=15)
                camera.kill()
                camera.wait()
    elapsed = t1 - t0
    return {
        "bytes_per_s_per_viewer": (counts["bytes"] - 16 * counts["messages"]) / elapsed,
        "messages_per_s": counts["messages"] / elapsed,
        "bridge_cpu_percent": 100 * (cpu1 - cpu0) / elapsed,
        "seconds": elapsed,
        **counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    parser.add_argument("--rate", type=int, default=30)
    parser.add_argument("--content", default="testsrc2,noisy,scene", help=f"of {', '.join(CONTENT)}")
    parser.add_argument("--json", default=None, help="default: bench/results/h264.json")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows, results = [], []
    with tempfile.TemporaryDirectory() as folder:
        for content, size in [(c, s) for c in args.content.split(",") for s in args.sizes.split(",")]:
            path = encode(size, args.rate, 20, Path(folder), content)
            width = int(size.split("x")[0])
            h264 = asyncio.run(measure(path, h264=True, width=width, seconds=args.seconds, warmup=args.warmup))
            jpeg = asyncio.run(measure(path, h264=False, width=width, seconds=args.seconds, warmup=args.warmup))
            ratio = jpeg["bytes_per_s_per_viewer"] / max(1.0, h264["bytes_per_s_per_viewer"])
            # Where the bridge could not encode 15 JPEGs a second, what 15 would have cost.
            at_15 = jpeg["bytes_per_s_per_viewer"] / max(1e-9, jpeg["messages_per_s"]) * 15
            ratio_15 = at_15 / max(1.0, h264["bytes_per_s_per_viewer"])
            results.append(
                {"content": content, "size": size, "rate": args.rate, "h264": h264, "jpeg": jpeg}
                | {"ratio": ratio, "ratio_at_15_fps": ratio_15}
            )
            for name, r in (("H.264 passthrough", h264), ("JPEG path (<=15 fps)", jpeg)):
                rows.append(
                    [
                        f"{content} {size}@{args.rate} {name}",
                        f"{r['bytes_per_s_per_viewer'] * 8 / 1e6:.2f}",
                        f"{r['messages_per_s']:.1f}",
                        f"{r['bridge_cpu_percent']:.1f}",
                    ]
                )
            label = f"{content} {size} JPEG / H.264 bytes (at 15 JPEG/s)"
            rows.append([label, f"{ratio:.1f}x ({ratio_15:.1f}x)", "", ""])
    load_after = os.getloadavg()
    print(table(["path", "Mbit/s per viewer", "msgs/s", "bridge CPU %"], rows))
    print(f"load average before {load_before}, after {load_after}")
    write_json(args.json, "h264", {"results": results, "load_before": load_before, "load_after": load_after})


if __name__ == "__main__":
    main()
