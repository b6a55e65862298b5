"""The bridge's side of pairing (bridge/pairing.py): where the token is kept and with which
rights, and how a typed or scanned code is read."""

import os
import stat
from pathlib import Path

import pytest

from bridge import pairing


def test_the_token_is_written_0600_in_a_0700_folder_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "state" / "token"
    old = os.umask(0)
    try:
        pairing.token_write(path, "plb_secret")
    finally:
        os.umask(old)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert pairing.token_read(path) == "plb_secret"
    assert not [p for p in path.parent.iterdir() if p.name != "token"]  # no temporary left behind


def test_a_token_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("plb_secret\n")
    path.chmod(0o644)

    with pytest.raises(SystemExit, match="chmod 600"):
        pairing.token_read(path)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PORCHLIGHT_BRIDGE_TOKEN_FILE": "/srv/t"}, "/srv/t"),
        ({"STATE_DIRECTORY": "/var/lib/porchlight-bridge"}, "/var/lib/porchlight-bridge/token"),
        ({"XDG_CONFIG_HOME": "/home/o/.config"}, "/home/o/.config/porchlight-bridge/token"),
    ],
)
def test_the_token_file_is_found_where_the_docs_say(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name in ("PORCHLIGHT_BRIDGE_TOKEN_FILE", "STATE_DIRECTORY", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    assert str(pairing.token_path()) == expected


@pytest.mark.parametrize(
    ("typed", "code", "url"),
    [
        ("k7qm-4xzb", "K7QM4XZB", None),
        (" K7QM 4XZB\n", "K7QM4XZB", None),
        ("porchlight-pair://rialto.example.org/?code=K7QM-4XZB", "K7QM4XZB", "wss://rialto.example.org"),
        ("porchlight-pair://rialto.localhost:8000/?code=K7QM-4XZB&ws=ws", "K7QM4XZB", "ws://rialto.localhost:8000"),
    ],
)
def test_a_typed_or_scanned_code_is_read(typed: str, code: str, url: str | None) -> None:
    assert pairing.code_normalize(typed) == code
    assert pairing.url_of_uri(typed) == url


@pytest.mark.parametrize(
    ("typed", "problem"), [("K7QM", "8 characters"), ("K7QM-4XZ0", "no 0"), ("ABCD-EFGH", "no A, E")]
)
def test_a_code_that_cannot_be_one_is_explained_before_asking_the_server(typed: str, problem: str) -> None:
    assert problem in (pairing.code_problem(pairing.code_normalize(typed)) or "")
