"""The bridge protocol's wire constants, shared by the bridge program and the server.

The server's ``live.consumers.BridgeConsumer`` imports these; this module imports nothing but
the standard library, so the bridge stays a program of its own. Meanings, directions and the
bridge's reaction to each close code: docs/bridge-protocol.md.
"""

import struct

PATH = "/ws/bridge/"  # appended to the server's address (ws:// or wss://)

# Binary frame: camera UUID (16 bytes), capture time (unsigned 64-bit big-endian, µs since the
# Unix epoch, UTC), then one complete JPEG.
HEADER = struct.Struct(">16sQ")

# Protocol version 2 (docs/bridge-protocol.md, "Versions"): the server's hello lists the codecs
# it accepts; a bridge sends H.264 only to a server whose hello lists "h264". A version-1 hello
# (no "codecs") means JPEG frames only, and a version-1 bridge never sends anything else.
PROTOCOL_VERSION = 2
CODEC_JPEG = "jpeg"
CODEC_H264 = "h264"
# H.264 unit: the same 24 bytes as a frame's header, then one flags byte, then one access unit
# in Annex B (NAL units after 00 00 00 01 start codes). A JPEG's first byte is always FF, so
# byte 24 tells a unit (00 or 01) from a legacy frame (FF); anything else is refused (4415).
UNIT_HEADER = struct.Struct(">16sQB")
UNIT_DELTA = 0x00
UNIT_KEYFRAME = 0x01  # an IDR access unit that begins with its SPS and PPS: a viewer may start here
JPEG_MARKER = 0xFF
CODEC = "codec"  # bridge → server → viewer: a camera's H.264 description (before its first unit)

# Text message types ({"type": …}).
HELLO = "hello"  # server → bridge: the bridge's id, its cameras and the frame limits
START = "start"  # server → bridge: send this camera
STOP = "stop"  # server → bridge: stop sending this camera
PING = "ping"  # server → bridge; answered with PONG
PONG = "pong"  # bridge → server
CLOCK = "clock"  # server → bridge: the bridge's clock is off by offset_ms
STATUS = "status"  # bridge → server: a camera's state changed
# bridge → server: where a mobile camera (body-worn, drone, vehicle) is; relayed as is to the
# camera's viewers. At most one a second per camera while it streams (POSITION_STREAMING_SECONDS),
# and its last-known position every POSITION_IDLE_SECONDS otherwise, so a search finds it.
POSITION = "position"
POSITION_STREAMING_SECONDS = 1.0
POSITION_IDLE_SECONDS = 30.0

DEFAULT_MAX_WIDTH = 1280  # pixels, when a start names none

# Close codes the server sends a bridge.
CLOSE_BAD_TOKEN = 4401  # token wrong or revoked: the bridge exits
CLOSE_UNKNOWN_HOST = 4404  # the host name is no department (tenants.asgi): the bridge exits
CLOSE_MALFORMED = 4408
CLOSE_WRONG_CAMERA = 4409
CLOSE_TOO_LARGE = 4413
CLOSE_NOT_JPEG = 4415  # also: a binary message that is neither a JPEG frame nor an H.264 unit
CLOSE_TOO_FAST = 4429
CLOSE_TOO_MANY = 4430
# Too many connection attempts from this address or with this token (the server's rate limit,
# docs/rate-limits.md); the reason is RETRY_AFTER_REASON with the seconds to wait.
CLOSE_TOO_MANY_ATTEMPTS = 4431
RETRY_AFTER_REASON = "too many connection attempts; retry after {seconds} s"
# The server cannot count connection attempts (its Redis is unreachable): try again later.
CLOSE_TRY_AGAIN_LATER = 1013

# --- Pairing (issue 19): a bridge without a token trades the owner's one-time code for one ----
PAIR_PATH = "/ws/bridge/pair/"
PAIR = "pair"  # bridge → server: {"type": "pair", "code": "ABCD-EFGH", "name": "<host name>"}
PAIRED = "paired"  # server → bridge: {"type": "paired", "token": …, "bridge": "<uuid>", "name": …, "cameras": […]}
# The code's alphabet: no 0/O, 1/I/L, no vowels that spell words; 8 characters shown as XXXX-XXXX.
PAIR_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXZ"
PAIR_CODE_LENGTH = 8
# A pairing URI, what the QR code on the bridge page holds: a handheld scanner types it into the
# bridge's prompt, and it carries the server's address as well as the code.
PAIR_URI_SCHEME = "porchlight-pair"  # porchlight-pair://rialto.example.org/?code=ABCD-EFGH
# Close codes of /ws/bridge/pair/ (besides CLOSE_UNKNOWN_HOST, CLOSE_MALFORMED and
# CLOSE_TOO_MANY_ATTEMPTS above); the reason is a sentence for the owner.
CLOSE_PAIR_UNKNOWN = 4460  # no such code in this department
CLOSE_PAIR_EXPIRED = 4461  # the code is older than its lifetime
CLOSE_PAIR_USED = 4462  # the code was used already (or its bridge was disconnected)

# --- issue 19: snapshots, privacy masks, features (docs/bridge-protocol.md, "Protocol 2026-12") ---
# server → bridge: take one picture of a camera now, for its owner ({"camera", "request",
# "masks"}); bridge → server: the answer with the same request id ({"jpeg": base64} or {"error"}).
SNAPSHOT = "snapshot"
# server → bridge: a camera's privacy masks changed ({"camera", "masks": [[x, y, w, h], …]}).
MASKS = "masks"
# bridge → server, once after each hello: what this bridge can do ({"features": [...]}). A
# bridge that never says "masks" gets no frames of a masked camera relayed.
FEATURES = "features"
FEATURE_MASKS = "masks"
FEATURE_SNAPSHOT = "snapshot"
# issue 19, re-encoding: this bridge sends a masked camera's H.264 only re-encoded with every mask
# blacked out (bridge.transcode), never the camera's own units. A server relays units of a masked
# camera only from a bridge that said so, and says in its hello that it does:
FEATURE_MASKED_H264 = "masked-h264"
HELLO_MASKED_CODECS = "masked_codecs"  # hello: codecs relayed for masked cameras, e.g. ["h264"]
SNAPSHOT_SECONDS = 6.0  # the bridge answers within this, with a picture or an error
