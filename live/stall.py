"""issue 19: a live view whose camera stops sending is told so by the server, within seconds,
never left to show a frozen picture as live.

The bridge reports a source that fails (``status: error``, relayed by live.camera_status),
but a source that merely stalls (a camera that stops sending, an RTSP server that hangs, a
flaky link) can take the bridge's own network timeout (10 s) to notice, or never be noticed
if the bridge itself is cut off. So each open view also watches its own frames: when none has
arrived for STALL_SECONDS (NEVER_SECONDS before the first one: a camera takes a moment to
open), the viewer gets ``{"type": "status", "state": "stalled"}``, once, and the page says
"camera not responding" over a greyed picture; the next frame that arrives is the recovery.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

__all__ = ["NEVER_SECONDS", "STALL_SECONDS", "stall_watch"]

# Frames come at up to 15 a second; 3 s without one is not jitter. The page's own timer
# (static/js/live.js, 5 s) covers a server that cannot speak either.
STALL_SECONDS = 3.0
# Before the first frame: an RTSP camera may take several seconds to open.
NEVER_SECONDS = 10.0
TICK_SECONDS = 0.5


async def stall_watch(viewer: Any) -> None:
    """Run beside an open view (ViewerConsumer) until it ends: say ``stalled`` when its frames
    stop. Reads ``viewer.last_frame_at`` (time.monotonic() of the last frame sent, 0 for
    none) and ``viewer.session_id`` (None once the view ended)."""
    opened = time.monotonic()
    told_at = 0.0  # the last_frame_at the stall was told for (0: not told)
    while viewer.session_id is not None:
        await asyncio.sleep(TICK_SECONDS)
        last = viewer.last_frame_at
        quiet = time.monotonic() - (last or opened)
        limit = STALL_SECONDS if last else NEVER_SECONDS
        if quiet >= limit and told_at != (last or -1.0):
            told_at = last or -1.0
            with contextlib.suppress(Exception):  # the viewer left meanwhile
                await viewer.send(json.dumps({"type": "status", "state": "stalled"}))
