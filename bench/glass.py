"""Glass-to-glass latency of the live view (issue 19: "p50 < 1 s, timestamp in the pattern read
back in the browser"), for H.264 passthrough and for the JPEG path (the in-run baseline).

    python bench/glass.py [--seconds 20] [--size 1280x720] [--rate 15] [--rounds 2]
                          [--database NAME] [--json PATH]

Everything is the real product: the ASGI server (uvicorn, ``config.asgi``, ``make run``'s
settings, bench/relay.py's ``server``), the bridge program (``python -m bridge``) with the test
source ``test:WxH?codec=h264&rate=N&stamp=1`` (libx264, a keyframe a second, no B-frames; the
capture time painted into each picture as black and white cells: ``bridge.sources.draw_stamp``),
and Debian's Chromium (Playwright, as tests/e2e) on the console's live page, opened as an
officer does (a POST with the camera, through the gate).

In the page, on every animation frame, the decoded picture is read back and its stamp decoded
(``bridge.sources.read_stamp``'s rules, in JavaScript): for H.264 both the hidden ``<video>``
that Media Source Extensions decode into (``drawImage`` onto a canvas of the bench's own, then
``getImageData``) and the page's canvas the officer sees (the video drawn under the watermark);
for JPEG the page's canvas. The latency of a picture is ``Date.now()`` when its stamp is first
seen minus the stamp (the capture time, taken by the bridge before it renders and encodes the
picture): the bridge, the server, the browser and this clock are one machine. So it includes
rendering and encoding at the bridge, the relay, jmuxer's remuxing, the video decoder's and
the page's pipeline, and up to one animation frame (~16 ms) of sampling.

JPEG: the same bridge and camera, viewed by a browser context whose ``MediaSource.
isTypeSupported`` says no, so the page asks for JPEG (``&codecs=jpeg``) as a browser without
H.264 does, and the bridge sends the camera as JPEG. Each round measures H.264, then JPEG, for
``--seconds`` each after a warm-up, so that both share the machine's load of the moment.

The database: DATABASE_URL's, or ``--database NAME`` (created and migrated, bench/relay.py's
``use_database``); the department is bench/relay.py's (``benchrelay.localhost``).
"""

import argparse
import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS, ROOT, environment, percentile, table, write_json
from relay import DOMAIN, relay_department, scene_create, server, use_database

CHROMIUM = os.environ.get("PORCHLIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
WARMUP_S = 3.0  # after the first pictures: the player's start (a keyframe, MSE's first append)

# The browser's half of bridge.sources.read_stamp: the same cells, the same refusal.
SAMPLE = """([seconds, h264]) => new Promise((resolve) => {
  const fig = document.querySelector('.live-tile');
  const shown = fig.querySelector('canvas');
  const mine = document.createElement('canvas');
  const mctx = mine.getContext('2d', { willReadFrequently: true });
  const BITS = 32, CELLS = 40, WRAP = 2 ** 32;
  function stampOf(ctx, w, h) {
    const cell = w / CELLS, left = 4 * cell, top = h / 2 - cell;
    const upper = ctx.getImageData(0, Math.floor(top + 0.5 * cell), w, 1).data;
    const lower = ctx.getImageData(0, Math.floor(top + 1.5 * cell), w, 1).data;
    const grey = (row, x) => 0.299 * row[4 * x] + 0.587 * row[4 * x + 1] + 0.114 * row[4 * x + 2];
    let value = 0;
    for (let i = 0; i < BITS; i++) {
      const x = Math.floor(left + (i + 0.5) * cell);
      const a = grey(upper, x), b = grey(lower, x);
      if (Math.abs(a - b) < 96) return null;
      value = value * 2 + (a > b ? 1 : 0);
    }
    return value;
  }
  const reads = { video: [0, 0, new Map()], canvas: [0, 0, new Map()] };  // reads, unreadable, stamp -> first seen
  function note(kind, stamp, now) {
    const r = reads[kind];
    r[0] += 1;
    if (stamp === null) r[1] += 1; else if (!r[2].has(stamp)) r[2].set(stamp, now);
  }
  const end = performance.now() + seconds * 1000;
  function tick() {
    const now = Date.now();
    const video = fig.querySelector('video');
    if (h264 && video && video.readyState >= 2 && video.videoWidth) {
      if (mine.width !== video.videoWidth) { mine.width = video.videoWidth; mine.height = video.videoHeight; }
      mctx.drawImage(video, 0, 0);
      note('video', stampOf(mctx, mine.width, mine.height), now);
    }
    note('canvas', stampOf(shown.getContext('2d'), shown.width, shown.height), now);
    if (performance.now() < end) { requestAnimationFrame(tick); return; }
    const out = {};
    for (const [kind, [n, bad, seen]] of Object.entries(reads)) {
      out[kind] = { reads: n, unreadable: bad, latencies: [...seen].map(([s, t]) => ((t % WRAP) - s + WRAP) % WRAP) };
    }
    out.codec = fig.dataset.codec;
    resolve(out);
  }
  requestAnimationFrame(tick);
})"""

OPEN_VIEW = """(camera) => {
  const form = document.createElement('form');
  form.method = 'post'; form.action = '/console/live/';
  const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
  for (const [name, value] of [['csrfmiddlewaretoken', token], ['camera', camera]]) {
    const input = document.createElement('input');
    input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
  }
  document.body.appendChild(form); form.submit();
}"""


def uptime() -> str:
    return subprocess.run(["/usr/bin/uptime"], capture_output=True, text=True, check=False).stdout.strip()


@contextlib.contextmanager
def bridge(port: int, token: str, camera: str, source: str) -> Any:
    """The real bridge program, its camera the stamped test pattern."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    config = RESULTS / "glass-bridge.toml"
    config.write_text(f'[cameras]\n"{camera}" = "{source}"\n')
    log = RESULTS / "glass-bridge.log"
    command = [sys.executable, "-m", "bridge", "--url", f"ws://{DOMAIN}:{port}", "--token", token]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [*command, "--config", str(config)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(context: Any, port: int, camera: str, seconds: float, *, h264: bool, log: Path) -> dict[str, Any]:
    """One live view in ``context``: opened through the console, measured, ended."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"http://{DOMAIN}:{port}/console/")
        page.evaluate(OPEN_VIEW, camera)
        page.wait_for_url("**/console/live/*/")
        try:
            page.wait_for_function(
                "() => Number(document.querySelector('.live-tile').dataset.frames || 0) >= 5", timeout=30_000
            )
        except Exception:
            tile = page.evaluate("() => document.querySelector('.live-tile').outerHTML")
            raise SystemExit(f"no pictures: {errors}\n{tile}\n{log.read_text()[-2000:]}") from None
        page.wait_for_timeout(WARMUP_S * 1000)
        result: dict[str, Any] = page.evaluate(SAMPLE, [seconds, h264])
        page.click(".live-tile .end")
        page.wait_for_function("() => document.querySelector('.live-tile').dataset.closed", timeout=10_000)
    finally:
        page.close()
    result["errors"] = errors
    return result


def row(name: str, reads: dict[str, Any], seconds: float) -> list[Any]:
    latencies = reads["latencies"]
    return [
        name,
        len(latencies),
        round(len(latencies) / seconds, 1),
        f"{reads['unreadable']}/{reads['reads']}",
        round(percentile(latencies, 50)),
        round(percentile(latencies, 95)),
        round(percentile(latencies, 99)),
        max(latencies, default=float("nan")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window per codec and round")
    parser.add_argument("--size", default="1280x720", help="the test camera's picture size")
    parser.add_argument("--rate", type=int, default=15, help="the test camera's frames a second")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of H.264 then JPEG")
    parser.add_argument("--database", metavar="NAME", help="use (create and migrate) this database")
    parser.add_argument("--json", help="output file (default bench/results/glass.json)")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is not set: `set -a && . .local/services.env && set +a` first")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: scripts/services.sh --with-browser installs it")
    if args.database:
        use_database(args.database)
    from _common import django_setup

    django_setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django_tenants.utils import tenant_context
    from playwright.sync_api import sync_playwright

    from cameras.mixins import SESSION_PURPOSE

    department = relay_department()
    scene = scene_create(department, 1)
    session_key, purpose = scene.logins[0]
    with tenant_context(department):  # the console keeps the stated purpose in the session
        session = SessionStore(session_key=session_key)
        session[SESSION_PURPOSE] = purpose
        session.save()
    connection.close()

    source = f"test:{args.size}?codec=h264&rate={args.rate}&stamp=1"
    before = uptime()
    print(f"camera {source}; {before}", flush=True)
    samples: dict[str, dict[str, Any]] = {
        k: {"reads": 0, "unreadable": 0, "latencies": []} for k in ("h264-video", "h264-canvas", "jpeg-canvas")
    }
    codecs: set[str] = set()
    with (
        server("core-1") as (port, _),
        bridge(port, scene.bridge_token, scene.camera_id, source) as (_, log),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = {}
        for codec in ("h264", "jpeg"):
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
            context.add_cookies([{"name": "sessionid", "value": session_key, "url": f"http://{DOMAIN}:{port}/"}])
            if codec == "jpeg":  # a browser that plays no H.264 through MSE: the page asks for JPEG
                context.add_init_script("MediaSource.isTypeSupported = () => false;")
            contexts[codec] = context
        for round_ in range(args.rounds):
            for codec, context in contexts.items():
                print(f"round {round_ + 1}: {codec} ...", end=" ", flush=True)
                result = measure(context, port, scene.camera_id, args.seconds, h264=codec == "h264", log=log)
                codecs.add(f"{codec}: {result['codec']}")
                kinds = (
                    {"video": "h264-video", "canvas": "h264-canvas"} if codec == "h264" else {"canvas": "jpeg-canvas"}
                )
                for kind, key in kinds.items():
                    for field in ("reads", "unreadable"):
                        samples[key][field] += result[kind][field]
                    samples[key]["latencies"] += result[kind]["latencies"]
                shown = result["canvas"]["latencies"]
                print(f"{len(shown)} pictures, p50 {percentile(shown, 50):.0f} ms {result['errors'] or ''}", flush=True)
        browser.close()
    after = uptime()

    measured = args.seconds * args.rounds
    headers = ["path (where read)", "pictures", "/s", "unreadable", "p50 ms", "p95 ms", "p99 ms", "max ms"]
    names = {
        "h264-video": "H.264 (<video>)",
        "h264-canvas": "H.264 (page canvas)",
        "jpeg-canvas": "JPEG (page canvas, baseline)",
    }
    print(f"\ncamera {source}, {args.rounds} x {args.seconds:.0f} s per path; played as {sorted(codecs)}")
    print(table(headers, [row(names[k], v, measured) for k, v in samples.items()]))
    p50 = percentile(samples["h264-canvas"]["latencies"], 50)
    print(f"\nH.264 glass-to-glass p50 {p50:.0f} ms: target < 1000 ms {'met' if p50 < 1000 else 'NOT met'}")
    print(f"before: {before}\nafter:  {after}")
    path = write_json(
        args.json,
        "glass",
        {
            "environment": environment(),
            "source": source,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "uptime": [before, after],
            "codecs": sorted(codecs),
            "samples": samples,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
