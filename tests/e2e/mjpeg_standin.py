"""A camera stand-in for tests: an HTTP MJPEG stream (multipart/x-mixed-replace) that the test
can pause (the camera stalls: the connection stays open and nothing comes) and resume."""

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image, ImageDraw

BOUNDARY = "porchlightframe"


def _jpeg(count: int) -> bytes:
    img = Image.new("RGB", (320, 180), (40, 120, 200))
    ImageDraw.Draw(img).rectangle([count * 7 % 300, 60, count * 7 % 300 + 20, 120], fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    return out.getvalue()


class StallingCamera:
    """Serves frames at ``fps`` on http://127.0.0.1:<port>/cam.mjpg until paused."""

    def __init__(self, fps: float = 10) -> None:
        self.sending = threading.Event()
        self.sending.set()
        self.stopped = threading.Event()
        camera = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace;boundary={BOUNDARY}")
                self.end_headers()
                count = 0
                while not camera.stopped.is_set():
                    if not camera.sending.wait(0.1):
                        continue
                    jpeg = _jpeg(count)
                    count += 1
                    head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                    try:
                        self.wfile.write(head.encode() + jpeg + b"\r\n")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(1 / fps)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cam.mjpg"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "StallingCamera":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()
