"""The Porchlight bridge: the program a camera owner runs at their property (``porchlight-bridge``).

It is a separate program, not part of the server: this package imports no Django and nothing
from the server's apps (tests/bridge/test_no_django.py checks it), so it can be packaged for
owners on its own. The server imports the wire protocol's constants from
:mod:`bridge.protocol`; the bridge never imports the server.

- :mod:`bridge.protocol`  message types, close codes and the frame header (docs/bridge-protocol.md)
- :mod:`bridge.client`    the connection, reconnect backoff, cameras and the command line
- :mod:`bridge.sources`   reading cameras (RTSP, HTTP MJPEG, a test pattern) and fitting JPEGs
- :mod:`bridge.positions` where a mobile camera is (a route replayed, gpsd) for ``position`` messages
- :mod:`bridge.net`       ``ws_connect`` that dials ``*.localhost`` on loopback (RFC 6761)
- :mod:`bridge.cli`       the ``porchlight-bridge`` command: run, pair, discover, install-files
- :mod:`bridge.pairing`   trading the owner's one-time code for the token; the token file (0600)
- :mod:`bridge.discovery` ONVIF cameras: WS-Discovery probe, RTSP addresses, bridge.toml

It is its own distribution, ``porchlight-bridge`` (bridge/pyproject.toml), and the owner's
single-file download (live.bridge_pyz); install: docs/bridge-install.md.
"""
