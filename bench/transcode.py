"""The bridge's CPU per camera stream: H.264 passthrough against the re-encoding paths (issue 19).

    python bench/transcode.py [--seconds 6] [--sizes 1280x720,1920x1080] [--rate 30]

Needs no ffmpeg binary: everything is PyAV in this process. The content is FFmpeg's
``testsrc2`` (moving) through lavfi, encoded once per size as a camera would, to MPEG-TS files:
H.264 (libx264 veryfast, no B-frames, a keyframe a second, 2 Mbit/s at 720p, 4 at 1080p) and
H.265 (libx265 ultrafast, the same GOP and bitrates). Each path then runs the bridge's own
source (``bridge.sources.RtspSource`` on the file, ``encoded`` set, as the client sets it) and
reads every unit of the clip as fast as it can:

- **passthrough**: the H.264 file, no masks: demux and packetise (the in-run baseline);
- **H.265 -> H.264**: the H.265 file: decode, scale to at most 720 lines, libx264 ultrafast;
- **masked H.264**: the H.264 file with three privacy masks: decode, mask, scale, encode.

CPU = user + system time of this process (every thread: the decoders' too) per frame, times the
camera's frame rate: the share of one core that one real-time stream takes. The websocket send
(the same for all three) is not in it; ``bench/h264.py`` measures passthrough with it (2.5-2.7 %
of a core at 1080p30). Writes bench/results/transcode.json.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import table, write_json

from bridge.masks import Rect
from bridge.sources import RtspSource, SourceError, Unit

BITRATE = {720: 2_000_000, 1080: 4_000_000}
MASKS = (Rect(0.05, 0.1, 0.2, 0.3), Rect(0.6, 0.05, 0.3, 0.2), Rect(0.4, 0.6, 0.25, 0.35))


def encode(codec: str, size: str, rate: int, seconds: float, out: Path) -> Path:
    """A camera's clip: lavfi testsrc2 encoded with ``codec`` to an MPEG-TS file."""
    import av

    width, height = (int(v) for v in size.split("x"))
    bitrate = BITRATE.get(height, 4_000_000)
    source = av.open(f"testsrc2=size={size}:rate={rate}", format="lavfi")
    with av.open(str(out), "w", format="mpegts") as container:
        stream: Any = container.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = bitrate
        stream.gop_size = rate
        stream.max_b_frames = 0
        if codec == "libx264":
            stream.options = {"preset": "veryfast", "bf": "0", "sc_threshold": "0"}
        else:
            stream.options = {"preset": "ultrafast", "x265-params": f"log-level=none:bframes=0:keyint={rate}"}
        for index, frame in enumerate(source.decode(video=0)):
            if index >= seconds * rate:
                break
            frame = frame.reformat(format="yuv420p")
            frame.pts, frame.time_base = index, Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    source.close()
    return out


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(path: Path, *, masks: tuple[Rect, ...], max_height: int) -> dict[str, Any]:
    source = RtspSource(str(path), format="mpegts")
    source.encoded, source.masks, source.max_height, source.max_bitrate = True, masks, max_height, 8_000_000
    units = keyframes = size = 0
    note = ""
    cpu0, t0 = cpu_seconds(), time.monotonic()
    source.open()
    try:
        while True:
            unit = source.read()
            assert isinstance(unit, Unit)
            units += 1
            keyframes += unit.keyframe
            size += len(unit.data)
            note = unit.note
    except SourceError:  # the end of the clip
        pass
    finally:
        source.close()
    cpu, elapsed = cpu_seconds() - cpu0, time.monotonic() - t0
    return {"units": units, "keyframes": keyframes, "bytes": size, "cpu_s": cpu, "wall_s": elapsed, "note": note}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=6, help="length of each camera clip")
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    parser.add_argument("--rate", type=int, default=30)
    parser.add_argument("--max-height", type=int, default=720)
    parser.add_argument("--json", default=None, help="default: bench/results/transcode.json")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows, results = [], []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes.split(","):
            h264 = encode("libx264", size, args.rate, args.seconds, Path(folder) / f"h264-{size}.ts")
            hevc = encode("libx265", size, args.rate, args.seconds, Path(folder) / f"hevc-{size}.ts")
            paths = [
                ("H.264 passthrough (baseline)", h264, ()),
                ("H.265 -> H.264", hevc, ()),
                ("masked H.264 -> H.264", h264, MASKS),
            ]
            for name, path, masks in paths:
                r = measure(path, masks=masks, max_height=args.max_height)
                per_frame = r["cpu_s"] / max(1, r["units"])
                r |= {"path": name, "size": size, "rate": args.rate, "cpu_percent": 100 * per_frame * args.rate}
                results.append(r)
                rows.append(
                    [
                        f"{size}@{args.rate} {name}",
                        str(r["units"]),
                        f"{per_frame * 1000:.2f}",
                        f"{r['cpu_percent']:.1f}",
                        f"{r['bytes'] * 8 * args.rate / max(1, r['units']) / 1e6:.2f}",
                        f"{r['units'] / max(1e-9, r['wall_s']):.0f}",
                    ]
                )
            base = next(r for r in results if r["size"] == size and r["path"].startswith("H.264 pass"))
            for r in results[-2:]:
                rows.append([f"{size} {r['path']} / passthrough CPU", f"{r['cpu_percent'] / base['cpu_percent']:.0f}x"])
    load_after = os.getloadavg()
    headers = ["path", "frames", "CPU ms/frame", "% of a core", "Mbit/s out", "max fps"]
    print(table(headers, [row + [""] * (len(headers) - len(row)) for row in rows]))
    for r in results:
        if r["note"]:
            print(f"{r['size']} {r['path']}: status {r['note']!r}")
    print(f"load average before {load_before}, after {load_after}; {os.cpu_count()} cores")
    write_json(args.json, "transcode", {"results": results, "load_before": load_before, "load_after": load_after})


if __name__ == "__main__":
    main()
