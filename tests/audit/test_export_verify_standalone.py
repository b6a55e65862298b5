"""A board member checks an export on their own computer: tools/porchlight_export_verify.py,
run in a Python that cannot import Django or anything of Porchlight, on a real export made
through the board's export view, against the fingerprint the transparency page publishes."""

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Role
from tests.audit.test_board_workspace import _download, _event, _search
from tests.audit.test_witness import _NO_DJANGO
from tests.conftest import TenantClient

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "porchlight_export_verify.py"


@pytest.fixture
def board(logged_in_staff: Any) -> TenantClient:
    client, _user = logged_in_staff(Role.OVERSIGHT)
    return client


@pytest.fixture
def exported(board: TenantClient, rialto_client: TenantClient, tmp_path: Path) -> tuple[Path, Path, str]:
    """A CSV export of two events and its manifest, downloaded through the board's views, and
    the department's fingerprint as its public page publishes it."""
    _event(case="VER-1")
    _event(case="VER-1", action="camera_view")
    page = _search(board, {"case_number": "VER-1"})
    data = _download(board, dict(page.context["exports"])["csv"])
    manifest = _download(board, dict(page.context["manifests"])["csv"])
    board.logout()
    fingerprint = rialto_client.get("/transparency.json").json()["evidence_signing_key"]["sha256_fingerprint"]
    (tmp_path / "log.csv").write_bytes(data)
    (tmp_path / "log.csv.manifest.json").write_bytes(manifest)
    return tmp_path / "log.csv", tmp_path / "log.csv.manifest.json", fingerprint


def _run(file: Path, manifest: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "-c", _NO_DJANGO, str(SCRIPT), str(file), str(manifest), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )


def test_a_real_export_verifies_against_the_published_fingerprint(exported: tuple[Path, Path, str]) -> None:
    file, manifest, fingerprint = exported

    done = _run(file, manifest, "--fingerprint", fingerprint)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("VERIFIED: log.csv is the file the manifest describes")
    assert "events: 2 (" in done.stdout
    assert fingerprint in done.stdout


def test_a_changed_file_is_not_verified(exported: tuple[Path, Path, str]) -> None:
    file, manifest, fingerprint = exported
    file.write_bytes(file.read_bytes().replace(b"VER-1", b"VER-2", 1))

    done = _run(file, manifest, "--fingerprint", fingerprint)

    assert done.returncode == 1
    assert "NOT VERIFIED" in done.stderr
    assert "the file's SHA-256 is" in done.stderr
    assert "the file was changed" in done.stderr


def test_a_changed_manifest_is_not_verified(exported: tuple[Path, Path, str]) -> None:
    """The count edited to hide an event (and the file cut to match it): the signature fails."""
    file, manifest, fingerprint = exported
    document = json.loads(manifest.read_text())
    document["manifest"]["count"] = 1

    manifest.write_text(json.dumps(document))
    done = _run(file, manifest, "--fingerprint", fingerprint)

    assert done.returncode == 1
    assert "the signature does not match the manifest: the manifest was changed" in done.stderr


def test_a_manifest_signed_again_by_another_key_is_not_the_departments(exported: tuple[Path, Path, str]) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    file, manifest, fingerprint = exported
    document = json.loads(manifest.read_text())
    other = Ed25519PrivateKey.generate()
    signed = json.dumps(document["manifest"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    public = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    document["signature"]["public_key"] = base64.b64encode(public).decode()
    document["signature"]["signature"] = base64.b64encode(other.sign(signed)).decode()

    manifest.write_text(json.dumps(document))
    done = _run(file, manifest, "--fingerprint", fingerprint)

    assert done.returncode == 1
    assert f"not by the department's key {fingerprint}" in done.stderr


def _cannot_check(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 2
    assert words in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_file_cannot_be_checked(exported: tuple[Path, Path, str]) -> None:
    file, manifest, fingerprint = exported
    file.unlink()

    _cannot_check(_run(file, manifest, "--fingerprint", fingerprint), "no such file")


def test_a_manifest_that_is_not_json_cannot_be_checked(exported: tuple[Path, Path, str]) -> None:
    file, manifest, fingerprint = exported
    manifest.write_bytes(b"\xff not json")

    _cannot_check(_run(file, manifest, "--fingerprint", fingerprint), "not a manifest (not JSON in UTF-8)")


def test_a_fingerprint_that_is_not_one_cannot_be_checked(exported: tuple[Path, Path, str]) -> None:
    file, manifest, _fingerprint = exported

    _cannot_check(_run(file, manifest, "--fingerprint", "abc"), "--fingerprint: give the department's published key")
