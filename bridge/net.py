"""Name resolution for Porchlight's own clients.

RFC 6761 reserves ``localhost`` and every name under it for the loopback
interface. Browsers honour that; the system resolver here does not, so our own
clients (tests, tools, the bridge program) map ``*.localhost`` to 127.0.0.1
themselves while still sending the original name in the Host header, which is
how the server picks the department.
"""

from typing import Any
from urllib.parse import urlsplit

import websockets


def is_localhost_name(host: str) -> bool:
    host = host.rstrip(".").lower()
    return host == "localhost" or host.endswith(".localhost")


def connect_address(url: str) -> tuple[str, int]:
    """The TCP address to dial for ``url``: loopback for *.localhost, else the URL's host."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
    return ("127.0.0.1" if is_localhost_name(host) else host), port


def ws_connect(url: str, **kwargs: Any) -> Any:
    """``websockets.connect`` that reaches *.localhost on loopback (Host header unchanged)."""
    host, port = connect_address(url)
    return websockets.connect(url, host=host, port=port, **kwargs)
