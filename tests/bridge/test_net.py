"""The bridge's own name resolution: *.localhost is dialled on loopback (RFC 6761)."""

from bridge.net import connect_address, is_localhost_name


def test_localhost_names_resolve_to_loopback() -> None:
    assert is_localhost_name("rialto.localhost")
    assert connect_address("ws://rialto.localhost:8000/ws/whoami/") == ("127.0.0.1", 8000)
    assert connect_address("wss://example.org/ws/") == ("example.org", 443)
