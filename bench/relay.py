"""Relay benchmark: one bridge, 100 KB JPEG frames at 15 fps, to 1 / 10 / 50 (/ 70) viewers.

    python bench/relay.py [--viewers 1,10,50,70] [--seconds 10] [--layers core,pubsub]
                          [--placements one,split,other] [--quick]

Starts the real server (uvicorn, ``config.asgi``, ``--ws websockets``, ``config.settings.local``
as ``make run``) with each channel layer the settings can build (``config.settings.base.
redis_channel_layer``, chosen by ``PORCHLIGHT_CHANNEL_LAYER``: ``core`` is
``channels_redis.core.RedisChannelLayer``, ``pubsub`` ``RedisPubSubChannelLayer``, both on the
Redis of ``REDIS_URL``, each server set under a pub/sub prefix of its own), and a plain
WebSocket fan-out server without Django or a channel layer (``websockets.broadcast``) as the
baseline. Placements: ``one`` = one server process; ``split`` = two server processes on the
same Redis, the bridge on the first and the viewers alternating between both; ``other`` = two
processes, the bridge on the first and every viewer on the second (as behind a load balancer
that put them apart). All servers start at the beginning; for each viewer count every layer
and placement runs in turn, then the baseline, so that they share the machine's load of the
moment (this machine is shared: compare within one run).

For each scenario the bench department (schema ``benchrelay``, ``benchrelay.localhost``) gets
a fresh owner, camera (consent ``live``), bridge and token, and one officer with MFA, purpose
and session per 8 viewers (an officer may hold at most 9 live views). The bridge connects,
waits for ``hello`` and ``start``, then sends a real ~100 KB JPEG (Pillow noise) at 15 fps with
the capture time in the frame header; viewers go through the gate like the console does.

Measured over a window of ``--seconds`` after a warm-up, counting only frames captured inside
the window: delivered frames per second (all viewers together), p50/p99 latency from the
capture time the bridge stamps just before sending to the viewer's receipt, loss (frames sent
x viewers - frames received, after a drain period), CPU of the server processes (together;
and of Redis and of this client process, to see who is saturated), and the servers' CPU with
all viewers connected but no frames flowing (the viewers' watchdogs). Prints a table and
writes JSON (default bench/results/relay.json).

``--quick``: 1 and 10 viewers, 3 s windows, for a smoke run.

``--codecs jpeg,h264`` (issue 19): the same scenarios with H.264 passthrough as well: the bridge
says its camera's ``codec`` and sends access units of a 1080p30 camera (bench/h264.py's
``scene`` content: a still textured scene, two moving objects, sensor noise; libx264 veryfast,
no B-frames, a keyframe a second, at most 4 Mbit/s), looped, at 30 units a second, with the
capture time in each unit's header. The JPEG rows (the path as it was, ~100 KB at 15 fps) are
the in-run baseline at the same viewer counts; each codec has its plain fan-out row too.
"""

import argparse
import asyncio
import contextlib
import io
import json
import math
import os
import socket
import struct
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS, ROOT, environment, percentile, table, write_json

SCHEMA = "benchrelay"
DOMAIN = "benchrelay.localhost"
ADMIN = "bench-admin@benchrelay.example.org"
LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
# Placement: (server processes, where viewer i goes: an index into those processes).
PLACEMENTS = {
    "one": 1,
    "split": 2,  # viewer i on process i % 2; the bridge on process 0
    "other": 2,  # every viewer on process 1; the bridge on process 0
}
CAPTURED = struct.Struct(">Q")  # what viewers get in front of the JPEG
FPS = 15
FRAME_BYTES = 100_000
H264_SIZE, H264_FPS, H264_SECONDS = "1920x1080", 30, 4
VIEWERS_PER_OFFICER = 8  # live.services.MAX_VIEWS_PER_OFFICER is 9
IDLE_S = 2.0  # viewers connected, no frames: the watchdogs' cost
WARMUP_S = 2.0
DRAIN_S = 1.5
CLK_TCK = os.sysconf("SC_CLK_TCK")

# --- Data in the bench department ---------------------------------------------------------


@dataclass
class Scene:
    camera_id: str
    bridge_token: str
    logins: list[tuple[str, str]]  # (session key, purpose id), one per officer


def relay_department() -> Any:
    from accounts.onboarding import department_create
    from tenants.models import Department
    from tenants.services import public_tenant_ensure

    public_tenant_ensure()
    department = Department.objects.filter(schema_name=SCHEMA).first()
    if department is None:
        print(f"creating department {SCHEMA!r} ({DOMAIN}) ...", flush=True)
        department = department_create(name="Bench PD", schema_name=SCHEMA, domain=DOMAIN, admin_email=ADMIN).department
    return department


def scene_create(department: Any, viewers: int) -> Scene:
    """As tests/live/test_consumers.py's _scene, committed, with enough officers for ``viewers``."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django_tenants.utils import tenant_context

    from accounts.models import Role
    from cameras import access, services
    from live import services as live_services
    from tenants.selectors import policy_of
    from tests.factories import UserFactory, totp_enable

    tag = uuid.uuid4().hex[:8]
    with tenant_context(department):
        policy = policy_of(department=department)
        owner = UserFactory(role=Role.BUSINESS, email=f"relay-owner-{tag}@example.org")
        site = services.site_create(
            owner=owner, department=department, lon=-117.38, lat=34.10, kind="business", address="1 Bench St"
        )
        camera = services.camera_register(owner=owner, site=site, label="Door")
        services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
        issued = live_services.bridge_create(owner=owner, site=site, name="Bench NVR", cameras=[camera])
        logins = []
        for i in range(math.ceil(viewers / VIEWERS_PER_OFFICER)):
            officer = UserFactory(role=Role.OFFICER, email=f"relay-officer-{tag}-{i}@example.org", badge_number="5150")
            totp_enable(officer)
            purpose = access.purpose_declare(
                actor=access.Actor(user=officer, mfa=True),
                case_number=f"BENCH-{tag}",
                category="violent_crime",
                text="Relay benchmark",
            )
            session = SessionStore()
            session["_auth_user_id"] = str(officer.pk)
            session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
            session["_auth_user_hash"] = officer.get_session_auth_hash()
            now = time.time()
            session["account_authentication_methods"] = [
                {"method": "password", "at": now},
                {"method": "mfa", "at": now},
            ]
            session.create()
            logins.append((session.session_key or "", str(purpose.public_id)))
    return Scene(str(camera.public_id), issued.token, logins)


def jpeg_of_about(size: int) -> bytes:
    """A real JPEG of noise, within 2% of ``size`` bytes."""
    from PIL import Image

    side = int(math.sqrt(size / 1.5))
    best = b""
    for _ in range(30):
        image = Image.frombytes("RGB", (side, side * 3 // 4), os.urandom(side * (side * 3 // 4) * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=75)
        best = out.getvalue()
        if abs(len(best) - size) <= size * 0.02:
            break
        side = max(16, int(side * math.sqrt(size / len(best))))
    return best


@dataclass
class Stream:
    """What the bridge sends: the messages after the 24-byte header (looped), at ``fps``, and
    for H.264 the camera's ``codec`` message first."""

    codec: str
    fps: int
    payloads: list[bytes]
    codec_message: dict[str, Any] | None = None

    @property
    def mean_bytes(self) -> int:
        return sum(len(p) for p in self.payloads) // len(self.payloads)


def h264_stream(camera_size: str = H264_SIZE) -> Stream:
    """A 1080p30 camera's access units (bench/h264.py's ``scene``), demuxed by the bridge's own
    source, as flags byte + Annex B."""
    import tempfile

    from h264 import encode

    from bridge.sources import RtspSource, SourceError, Unit

    with tempfile.TemporaryDirectory() as folder:
        path = encode(camera_size, H264_FPS, H264_SECONDS, Path(folder), "scene")
        source = RtspSource(str(path), format="mpegts")
        source.encoded = True
        source.open()
        units: list[Unit] = []
        try:
            while True:
                unit = source.read()
                assert isinstance(unit, Unit)
                units.append(unit)
        except SourceError:
            pass
        finally:
            source.close()
    # Whole GOPs only, so that the loop goes from a GOP's end to a keyframe.
    last_key = max(i for i, u in enumerate(units) if u.keyframe)
    units = units[:last_key]
    assert units[0].keyframe
    assert units[0].codec is not None
    return Stream(
        codec="h264",
        fps=H264_FPS,
        payloads=[bytes([u.keyframe]) + u.data for u in units],
        codec_message=units[0].codec.message("{camera}"),
    )


# --- Processes: the servers, CPU counters ---------------------------------------------------


def use_database(name: str) -> None:
    """Point DATABASE_URL (this process and the servers) at database ``name`` on the same
    PostgreSQL, creating it if missing, and migrate it with the code of this tree."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            print(f"creating database {name!r} ...", flush=True)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    print(f"migrating database {name!r} ...", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "--executor=standard", "-v", "0"],
        cwd=ROOT,
        env=dict(os.environ, DJANGO_DEBUG="False"),
        check=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def redis_cpu_seconds() -> float:
    import redis

    info = redis.Redis.from_url(os.environ["REDIS_URL"]).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def wait_listening(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.2)
    raise SystemExit(f"server did not listen on {port} within {timeout} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def server(kind: str, index: int = 0) -> Any:
    """A real server with channel layer ``kind`` (``make run``'s settings; its pub/sub prefix
    names the bench, the layer and the placement's process set), or the baseline."""
    port = free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / f"relay-server-{kind}-{index}.log"
    env = dict(os.environ, DJANGO_DEBUG="False", PYTHONPATH=str(ROOT))
    if kind == "baseline":
        command = [sys.executable, str(Path(__file__).resolve()), "--echo-server", str(port)]
    else:
        layer, processes = kind.split("-")
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            PORCHLIGHT_CHANNEL_LAYER=layer,
            PORCHLIGHT_CHANNEL_PREFIX=f"porchlight-bench-{os.getpid()}-{layer}-{processes}",
        )
        env.setdefault("PORCHLIGHT_LIVE_MAX_FPS", str(FPS))
        command = [
            str(ROOT / ".venv" / "bin" / "uvicorn"),
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws",
            "websockets",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        wait_listening(port, process, log)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors = [
            line for line in log.read_text(errors="replace").splitlines() if "Traceback" in line or "ERROR" in line
        ]
        if errors:
            print(f"  ({kind} server {index} logged {len(errors)} error lines, see {log})", flush=True)


async def echo_server(port: int) -> None:
    """The baseline: the bridge's frames fanned out to every viewer, header stripped to the
    8-byte capture time, with nothing in between (no Django, no gate, no channel layer)."""
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    viewers: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        if ws.request is not None and ws.request.path.startswith("/view"):
            viewers.add(ws)
            try:
                await ws.wait_closed()
            finally:
                viewers.discard(ws)
            return
        async for message in ws:
            if isinstance(message, bytes):
                broadcast(viewers, message[16:])

    async with serve(handler, "127.0.0.1", port, compression=None, max_size=None) as running:
        await running.serve_forever()


# --- One scenario -----------------------------------------------------------------------------


@dataclass
class Viewer:
    received: list[tuple[int, int]] = field(default_factory=list)  # (capture µs, receipt µs)
    close_code: int | None = None
    refused: str | None = None


@dataclass
class Bridge:
    sent: list[int] = field(default_factory=list)  # capture µs of every frame sent
    close_code: int | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)
    hello: asyncio.Event = field(default_factory=asyncio.Event)


async def run_bridge(
    url: str, token: str | None, camera: str, stream: Stream, bridge: Bridge, go: asyncio.Event, stop: asyncio.Event
) -> None:
    from bridge import protocol
    from bridge.net import ws_connect

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    raw_camera = uuid.UUID(camera).bytes
    async with ws_connect(url, additional_headers=headers, compression=None, max_size=None) as ws:

        async def read() -> None:
            with contextlib.suppress(Exception):
                async for message in ws:
                    if isinstance(message, str):
                        kind = json.loads(message).get("type")
                        if kind == protocol.HELLO:
                            bridge.hello.set()
                        elif kind == protocol.START:
                            bridge.started.set()
                        elif kind == protocol.PING:
                            await ws.send(json.dumps({"type": protocol.PONG}))

        reader = asyncio.create_task(read())
        if token is None:  # the baseline has no protocol
            bridge.hello.set()
            bridge.started.set()
        await go.wait()
        await bridge.started.wait()
        if stream.codec_message is not None:
            await ws.send(json.dumps({**stream.codec_message, "camera": camera}))
        interval = 1 / stream.fps
        next_at = time.monotonic()
        payloads, sent = stream.payloads, 0
        while not stop.is_set():
            captured = time.time_ns() // 1000
            try:
                await ws.send(protocol.HEADER.pack(raw_camera, captured) + payloads[sent % len(payloads)])
            except Exception:
                break
            sent += 1
            bridge.sent.append(captured)
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        with contextlib.suppress(asyncio.TimeoutError, Exception):
            await asyncio.wait_for(ws.close(), 2)
        reader.cancel()
        bridge.close_code = ws.close_code


async def run_viewer(url: str, cookie: str | None, viewer: Viewer, ready: asyncio.Event, stop: asyncio.Event) -> None:
    from bridge.net import ws_connect

    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    try:
        async with ws_connect(url, additional_headers=headers, compression=None, max_size=None) as ws:
            if cookie:
                first = json.loads(await asyncio.wait_for(ws.recv(), 15))
                if first.get("type") != "session":
                    viewer.refused = str(first.get("reason") or first)
                    ready.set()
                    return
            ready.set()
            received = viewer.received

            async def close_on_stop() -> None:
                await stop.wait()
                await ws.close()

            closer = asyncio.create_task(close_on_stop())
            with contextlib.suppress(Exception):
                async for message in ws:
                    now = time.time_ns() // 1000
                    if isinstance(message, bytes):
                        received.append((CAPTURED.unpack_from(message)[0], now))
            closer.cancel()
            viewer.close_code = ws.close_code
    except Exception as exc:  # a refused or failed handshake counts as a refused viewer
        viewer.refused = viewer.refused or repr(exc)
        ready.set()


def cpu_pct(seconds: float, wall: float) -> float:
    return round(100 * seconds / wall, 1) if wall > 0 else float("nan")


def viewer_port(ports: list[int], placement: str, i: int) -> int:
    """Where viewer ``i`` connects: the bridge is always on ``ports[0]``."""
    if placement == "other":
        return ports[1]
    return ports[i % len(ports)]


def cpu_of(pids: list[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


async def scenario(
    *,
    kind: str,
    placement: str,
    ports: list[int],
    pids: list[int],
    viewers: int,
    seconds: float,
    stream: Stream,
    scene: Scene | None,
) -> dict[str, Any]:
    viewer_urls: list[tuple[str, str | None]]
    if scene is not None:
        base = f"ws://{DOMAIN}:{ports[0]}"
        bridge_url, camera, token = f"{base}/ws/bridge/", scene.camera_id, scene.bridge_token
        viewer_urls = [
            (
                f"ws://{DOMAIN}:{viewer_port(ports, placement, i)}/ws/live/{camera}/"
                f"?purpose={scene.logins[i // VIEWERS_PER_OFFICER][1]}",
                scene.logins[i // VIEWERS_PER_OFFICER][0],
            )
            for i in range(viewers)
        ]
    else:
        base = f"ws://127.0.0.1:{ports[0]}"
        bridge_url, camera, token = f"{base}/bridge", str(uuid.uuid4()), None
        viewer_urls = [(f"{base}/view", None) for _ in range(viewers)]

    go, stop_sending, stop_viewing = asyncio.Event(), asyncio.Event(), asyncio.Event()
    bridge = Bridge()
    bridge_task = asyncio.create_task(run_bridge(bridge_url, token, camera, stream, bridge, go, stop_sending))
    await asyncio.wait_for(bridge.hello.wait(), 15)

    # Viewers join ten at a time, as a busy evening might.
    states = [Viewer() for _ in range(viewers)]
    tasks = []
    for start in range(0, viewers, 10):
        readies = []
        for i in range(start, min(viewers, start + 10)):
            ready = asyncio.Event()
            readies.append(ready)
            url, cookie = viewer_urls[i]
            tasks.append(asyncio.create_task(run_viewer(url, cookie, states[i], ready, stop_viewing)))
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
    refused = [v.refused for v in states if v.refused]
    if refused:
        print(f"  {len(refused)} viewers refused: {refused[:3]}", flush=True)
    await asyncio.wait_for(bridge.started.wait(), 15)

    # No frames yet: what the connected viewers cost (watchdogs).
    idle_cpu0, idle_t0 = cpu_of(pids), time.monotonic()
    await asyncio.sleep(IDLE_S)
    idle_cpu = cpu_pct(cpu_of(pids) - idle_cpu0, time.monotonic() - idle_t0)

    go.set()
    await asyncio.sleep(WARMUP_S)
    t0_us, t0 = time.time_ns() // 1000, time.monotonic()
    server0, redis0, own0 = cpu_of(pids), redis_cpu_seconds(), own_cpu_seconds()
    await asyncio.sleep(seconds)
    t1_us, wall = time.time_ns() // 1000, time.monotonic() - t0
    server_cpu = cpu_pct(cpu_of(pids) - server0, wall)
    redis_cpu = cpu_pct(redis_cpu_seconds() - redis0, wall)
    client_cpu = cpu_pct(own_cpu_seconds() - own0, wall)
    stop_sending.set()
    await bridge_task
    await asyncio.sleep(DRAIN_S)
    stop_viewing.set()
    await asyncio.gather(*tasks)

    window = {c for c in bridge.sent if t0_us <= c < t1_us}
    latencies_ms: list[float] = []
    received = 0
    for v in states:
        seen = {c for c, _ in v.received if c in window}
        received += len(seen)
        latencies_ms.extend((r - c) / 1000 for c, r in v.received if c in window)
    # Per frame: when its first copy arrived (the relay's entry path: bridge socket, consumer,
    # channel layer) and how long the last copy took after the first (the fan-out).
    copies: dict[int, list[int]] = {}
    for v in states:
        for c, r in v.received:
            if c in window:
                copies.setdefault(c, []).append(r - c)
    first_ms = [min(lat) / 1000 for lat in copies.values()]
    spread_ms = [(max(lat) - min(lat)) / 1000 for lat in copies.values()]
    expected = len(window) * viewers
    return {
        "scenario": "baseline" if scene is None else "relay",
        "codec": stream.codec,
        "layer": "none" if scene is None else kind,
        "placement": placement,
        "processes": len(pids),
        "viewers": viewers,
        "seconds": round(wall, 3),
        "frame_bytes": stream.mean_bytes,
        "fps": stream.fps,
        "frames_sent": len(window),
        "bridge_fps": round(len(window) / wall, 2),
        "frames_expected": expected,
        "frames_received": received,
        "delivered_fps": round(received / wall, 1),
        "loss": expected - received,
        "loss_pct": round(100 * (expected - received) / expected, 3) if expected else float("nan"),
        "p50_ms": round(percentile(latencies_ms, 50), 2),
        "p99_ms": round(percentile(latencies_ms, 99), 2),
        "max_ms": round(max(latencies_ms), 2) if latencies_ms else float("nan"),
        "first_copy_p50_ms": round(percentile(first_ms, 50), 2),
        "first_copy_p99_ms": round(percentile(first_ms, 99), 2),
        "fanout_spread_p50_ms": round(percentile(spread_ms, 50), 2),
        "fanout_spread_p99_ms": round(percentile(spread_ms, 99), 2),
        "server_cpu_pct": server_cpu,
        "server_cpu_pct_per_viewer": round(server_cpu / viewers, 3) if viewers else float("nan"),
        "bytes_per_s_per_viewer": round(stream.mean_bytes * stream.fps),
        "server_idle_cpu_pct": idle_cpu,
        "redis_cpu_pct": redis_cpu,
        "client_cpu_pct": client_cpu,
        "viewers_refused": len(refused),
        "bridge_close_code": bridge.close_code,
        "viewer_close_codes": sorted({v.close_code for v in states if v.close_code is not None}),
    }


# --- Main -------------------------------------------------------------------------------------


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--viewers", default="1,10,50,70", help="viewer counts (70: 1,050 frames/s offered)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per scenario")
    parser.add_argument("--layers", default="core,pubsub", help="channel layers to run: core, pubsub")
    parser.add_argument(
        "--placements",
        default="one,split,other",
        help="one: one server process; split: two, viewers alternating; other: two, viewers apart from the bridge",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--codecs", default="jpeg", help="jpeg, h264 (1080p30 passthrough), or both: jpeg,h264")
    parser.add_argument("--quick", action="store_true", help="1 and 10 viewers, 3 s windows")
    parser.add_argument(
        "--database",
        metavar="NAME",
        help="use (create and migrate) this database on the same PostgreSQL instead of DATABASE_URL's",
    )
    parser.add_argument("--json", help="output file (default bench/results/relay.json)")
    parser.add_argument("--echo-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_server:
        asyncio.run(echo_server(args.echo_server))
        return
    if args.quick:
        args.viewers, args.seconds = "1,10", 3.0
    counts = [int(n) for n in args.viewers.split(",")]
    layers = [name.strip() for name in args.layers.split(",") if name.strip()]
    unknown = set(layers) - set(LAYERS)
    if unknown:
        parser.error(f"unknown layers {sorted(unknown)}; choose from {sorted(LAYERS)}")
    placements = [name.strip() for name in args.placements.split(",") if name.strip()]
    if set(placements) - set(PLACEMENTS):
        parser.error(f"unknown placements {sorted(set(placements) - set(PLACEMENTS))}; choose from {list(PLACEMENTS)}")
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is not set: `set -a && . .local/services.env && set +a` first")

    if args.database:
        use_database(args.database)
    from _common import django_setup

    django_setup()
    from django.db import connection

    department = relay_department()
    jpeg = jpeg_of_about(FRAME_BYTES)
    streams = {"jpeg": Stream(codec="jpeg", fps=FPS, payloads=[jpeg])}
    codecs = [name.strip() for name in args.codecs.split(",") if name.strip()]
    if "h264" in codecs:
        streams["h264"] = h264_stream()
    for name in codecs:
        stream = streams[name]
        print(f"{name}: {stream.mean_bytes:,} bytes a message on average at {stream.fps} a second", flush=True)
    print(f"load average {loadavg()}", flush=True)

    # Every server set up front (idle servers cost nothing measurable), then each viewer count
    # through every layer and placement in turn: they share the machine's load of the moment.
    configs = [(layer, placement) for layer in layers for placement in placements]
    if not args.no_baseline:
        configs.append(("baseline", "one"))
    results = []
    with contextlib.ExitStack() as stack:
        sets: dict[str, list[tuple[int, subprocess.Popen[bytes]]]] = {}
        for layer, placement in configs:
            processes = PLACEMENTS[placement]
            key = layer if layer == "baseline" else f"{layer}-{processes}"
            if key not in sets:
                sets[key] = [stack.enter_context(server(key, i)) for i in range(processes)]
        for n, codec, (kind, placement) in [(n, c, k) for n in counts for c in codecs for k in configs]:
            processes = PLACEMENTS[placement]
            servers = sets[kind if kind == "baseline" else f"{kind}-{processes}"]
            scene = None if kind == "baseline" else scene_create(department, n)
            connection.close()
            print(f"{codec:>4} {kind:>8} {placement:>5} x {n:>3} viewers ...", end=" ", flush=True)
            row = asyncio.run(
                scenario(
                    kind=kind,
                    placement=placement,
                    ports=[port for port, _ in servers],
                    pids=[process.pid for _, process in servers],
                    viewers=n,
                    seconds=args.seconds,
                    stream=streams[codec],
                    scene=scene,
                )
            )
            row["loadavg"] = loadavg()
            results.append(row)
            print(
                f"{row['delivered_fps']} fps, p99 {row['p99_ms']} ms, loss {row['loss']}, "
                f"server CPU {row['server_cpu_pct']}%, load {row['loadavg'][0]}",
                flush=True,
            )
            time.sleep(1.0)

    baseline_p99 = {(r["codec"], r["viewers"]): r["p99_ms"] for r in results if r["scenario"] == "baseline"}
    headers = [
        "codec", "viewers", "layer", "placement", "KB/msg", "bridge fps", "delivered fps", "p50 ms", "p99 ms",
        "p99/base", "max ms", "loss", "1st copy p99", "spread p99", "server CPU %", "CPU %/viewer", "idle CPU %",
        "Redis CPU %", "client CPU %", "load",
    ]  # fmt: skip
    rows = [
        [
            r["codec"], r["viewers"], r["layer"], f"{r['placement']} ({r['processes']}p)",
            round(r["frame_bytes"] / 1000, 1), r["bridge_fps"], r["delivered_fps"], r["p50_ms"], r["p99_ms"],
            round(r["p99_ms"] / baseline_p99[(r["codec"], r["viewers"])], 2)
            if baseline_p99.get((r["codec"], r["viewers"])) else "",
            r["max_ms"], r["loss"], r["first_copy_p99_ms"], r["fanout_spread_p99_ms"], r["server_cpu_pct"],
            r["server_cpu_pct_per_viewer"], r["server_idle_cpu_pct"], r["redis_cpu_pct"], r["client_cpu_pct"],
            r["loadavg"][0],
        ]
        for r in results
    ]  # fmt: skip
    print()
    print(table(headers, rows))
    print(
        f"\nCPU % is of one core ({os.cpu_count()} cores here), servers together; idle CPU: viewers connected,"
        " no frames; 1st copy: latency of a frame's first copy; spread: last copy minus first;"
        " p99/base: against the plain fan-out's p99 at the same viewer count; load: 1-minute load average after."
    )
    targets: dict[str, dict[str, bool]] = {}
    for codec in codecs:
        for layer in layers:
            for placement in placements:
                mine = [
                    r for r in results if r["codec"] == codec and r["layer"] == layer and r["placement"] == placement
                ]
                at50 = [r for r in mine if r["viewers"] >= 50]
                name = f"{codec} {layer} {placement}"
                targets[name] = {
                    "no_loss": all(r["loss"] == 0 and not r["viewers_refused"] for r in mine),
                    "p99_under_50ms_at_50": bool(at50) and all(r["p99_ms"] < 50 for r in at50),
                }
                print(f"targets, {name}: {targets[name]}")
    path = write_json(
        args.json,
        "relay",
        {
            "benchmark": "relay",
            "environment": {**environment(), "loadavg_end": loadavg()},
            "parameters": {
                "fps": FPS,
                "frame_bytes": len(jpeg),
                "codecs": {name: {"fps": streams[name].fps, "mean_bytes": streams[name].mean_bytes} for name in codecs},
                "seconds": args.seconds,
                "warmup_s": WARMUP_S,
                "idle_s": IDLE_S,
                "drain_s": DRAIN_S,
                "viewers": counts,
                "layers": {k: LAYERS[k] for k in layers},
                "placements": {k: PLACEMENTS[k] for k in placements},
                "server": "uvicorn config.asgi:application --ws websockets, config.settings.local",
                "baseline": "websockets.asyncio.server + broadcast(), no Django, no channel layer",
            },
            "results": results,
            "targets": targets,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
