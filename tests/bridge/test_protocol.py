"""The protocol's constants are one set, shared by the bridge and the server, and documented."""

import re
from pathlib import Path

from bridge import protocol
from tenants import asgi

DOC = (Path(__file__).resolve().parents[2] / "docs" / "bridge-protocol.md").read_text()


def test_the_server_closes_an_unknown_host_with_the_code_the_bridge_exits_on() -> None:
    assert asgi.CLOSE_UNKNOWN_TENANT == protocol.CLOSE_UNKNOWN_HOST


def test_every_close_code_and_message_type_is_documented() -> None:
    codes = {value for name, value in vars(protocol).items() if name.startswith("CLOSE_")}
    types = {
        protocol.HELLO,
        protocol.START,
        protocol.STOP,
        protocol.PING,
        protocol.PONG,
        protocol.CLOCK,
        protocol.STATUS,
        protocol.PAIR,
        protocol.PAIRED,
        protocol.CODEC,
    }

    assert {code for code in codes if not re.search(rf"^\| {code} \|", DOC, re.MULTILINE)} == set()
    assert {kind for kind in types if f'{{"type": "{kind}"' not in DOC} == set()
    assert f'struct.Struct("{protocol.HEADER.format}")' in DOC
    assert "bridge.protocol.UNIT_HEADER.pack" in DOC
    assert re.search(rf"^\| {protocol.PROTOCOL_VERSION} \(", DOC, re.MULTILINE)  # the versions table
