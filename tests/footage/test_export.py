"""Evidence exports: a signed zip of original clips and custody, verifiable offline."""

import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from audit.signing import department_signing_key, sign
from core.signing import (
    public_key_fingerprint,
    public_key_from_private,
    sign_with,
    signature_valid,
)
from footage.export import (
    ExportIntegrityError,
    ExportItem,
    export_build,
    export_verify,
    safe_file_name,
    signed_bytes,
)
from tenants.models import Department

CLIP_A = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 9000  # > 2 MiB: several chunks
CLIP_B = b"\x1a\x45\xdf\xa3 a small matroska-ish clip"


def _private_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _item(tmp_path: Path, clip_id: str, name: str, data: bytes, *, recorded: bytes | None = None) -> ExportItem:
    path = tmp_path / f"stored-{clip_id}"
    path.write_bytes(data)
    sha256 = hashlib.sha256(data if recorded is None else recorded).hexdigest()
    return ExportItem(
        clip_id=clip_id,
        file_name=safe_file_name(clip_id, name),
        open=lambda: path.open("rb"),
        sha256=sha256,
        size=len(data if recorded is None else recorded),
        custody=[
            {
                "action": "uploaded",
                "at": "2026-03-01T10:00:00+00:00",
                "actor_label": "Camera owner",
                "case_number": "RPD-26-0042",
                "sha256": sha256,
                "note": "",
            },
            {
                "action": "viewed",
                "at": "2026-03-02T09:30:00+00:00",
                "actor_label": "Officer Test (0815)",
                "case_number": "RPD-26-0042",
                "sha256": sha256,
                "note": "",
            },
        ],
    )


def _build(tmp_path: Path, private_key: bytes | None, items: list[ExportItem] | None = None) -> Path:
    items = items or [
        _item(tmp_path, "clip-a", "Front door 10:02.mp4", CLIP_A),
        _item(tmp_path, "clip-b", "../../garage.mkv", CLIP_B),
    ]
    data = export_build(
        case_number="RPD-26-0042",
        department_name="Rialto Police Department",
        clips=items,
        exported_by="Officer Test (0815)",
        private_key=private_key,
    )
    out = tmp_path / "export.zip"
    out.write_bytes(data)
    return out


def _rewrite(src: Path, change: Callable[[dict[str, bytes]], object]) -> Path:
    """Copy the zip with its entries changed by ``change`` (a dict name -> bytes)."""
    with zipfile.ZipFile(src) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    change(entries)
    dst = src.with_name("tampered.zip")
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return dst


def _flip_first_byte(entries: dict[str, bytes]) -> None:
    name = "clips/clip-b-garage.mkv"
    entries[name] = bytes([entries[name][0] ^ 0x01]) + entries[name][1:]


@pytest.fixture
def key() -> bytes:
    return _private_key()


@pytest.fixture
def export(tmp_path: Path, key: bytes) -> Path:
    return _build(tmp_path, key)


def test_export_holds_the_originals_manifest_custody_and_a_valid_signature(export: Path, key: bytes) -> None:
    # given an export of two clips

    # when it is verified and opened
    report = export_verify(export)
    with zipfile.ZipFile(export) as zf:
        names = sorted(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        custody = json.loads(zf.read("custody.json"))
        signature = json.loads(zf.read("signature.json"))
        originals = [zf.read("clips/clip-a-Front_door_10_02.mp4"), zf.read("clips/clip-b-garage.mkv")]
        signed = signed_bytes(zf.read("manifest.json"), zf.read("custody.json"))

    # then it is valid, signed by the key, and the clips are unaltered
    public = public_key_from_private(key)
    assert report.ok, report.problems
    assert (report.files, report.fingerprint) == (2, public_key_fingerprint(public))
    assert names == [
        "README.txt",
        "clips/clip-a-Front_door_10_02.mp4",
        "clips/clip-b-garage.mkv",
        "custody.json",
        "manifest.json",
        "signature.json",
    ]
    assert originals == [CLIP_A, CLIP_B]
    assert manifest["department"] == "Rialto Police Department"
    assert manifest["case_number"] == "RPD-26-0042"
    assert manifest["exported_by"] == "Officer Test (0815)"
    assert manifest["exported_at"].endswith("+00:00")
    assert manifest["files"] == [
        {
            "clip_id": "clip-a",
            "path": "clips/clip-a-Front_door_10_02.mp4",
            "size": len(CLIP_A),
            "sha256": hashlib.sha256(CLIP_A).hexdigest(),
        },
        {
            "clip_id": "clip-b",
            "path": "clips/clip-b-garage.mkv",
            "size": len(CLIP_B),
            "sha256": hashlib.sha256(CLIP_B).hexdigest(),
        },
    ]
    assert [len(clip["events"]) for clip in custody["clips"]] == [2, 2]
    assert signature["algorithm"] == "Ed25519"
    assert signature["signed"] == ["manifest.json", "custody.json"]
    assert base64.b64decode(signature["public_key"]) == public
    assert signature_valid(public, base64.b64decode(signature["signature"]), signed)


def test_a_changed_byte_in_a_clip_is_reported(export: Path) -> None:
    # given an export where one byte of a clip was changed
    tampered = _rewrite(export, _flip_first_byte)

    # when it is verified
    report = export_verify(tampered)

    # then the clip's hash does not match the manifest
    assert not report.ok
    assert len(report.problems) == 1
    assert report.problems[0].startswith("clips/clip-b-garage.mkv: sha256 is ")


def test_a_changed_manifest_breaks_the_signature(export: Path) -> None:
    # given an export whose manifest names another case
    def change(entries: dict[str, bytes]) -> None:
        entries["manifest.json"] = entries["manifest.json"].replace(b"RPD-26-0042", b"RPD-26-0043")

    tampered = _rewrite(export, change)

    # when it is verified
    report = export_verify(tampered)

    # then the signature is invalid
    assert not report.ok
    assert report.problems == ["signature is invalid: manifest.json or custody.json was changed, or another key signed"]


def test_a_removed_clip_is_reported(export: Path) -> None:
    # given an export with one clip removed
    tampered = _rewrite(export, lambda entries: entries.pop("clips/clip-a-Front_door_10_02.mp4"))

    # when it is verified
    report = export_verify(tampered)

    # then the missing clip is named
    assert report.problems == ["clips/clip-a-Front_door_10_02.mp4: missing from the export"]


def test_an_extra_clip_is_reported(export: Path) -> None:
    # given an export with a clip slipped in
    def change(entries: dict[str, bytes]) -> None:
        entries["clips/planted.mp4"] = b"not from the department"

    tampered = _rewrite(export, change)

    # when it is verified
    report = export_verify(tampered)

    # then the extra file is named
    assert report.problems == ["clips/planted.mp4: extra file, not in manifest.json"]


def test_another_expected_public_key_is_reported(export: Path, key: bytes) -> None:
    # given the published key of another department
    other = public_key_from_private(_private_key())

    # when the export is verified against it
    report = export_verify(export, public_key=other)

    # then the export is not accepted as signed by that department
    assert not report.ok
    assert report.fingerprint == public_key_fingerprint(public_key_from_private(key))
    assert report.problems[0] == (
        f"signed by key {report.fingerprint}, not by the expected key {public_key_fingerprint(other)}"
    )
    assert report.problems[1].startswith("signature is invalid")


def test_the_right_expected_public_key_passes(export: Path, key: bytes) -> None:
    # given the department's published key

    # when the export is verified against it
    report = export_verify(export, public_key=public_key_from_private(key))

    # then it passes
    assert report.ok, report.problems


def test_custody_contradicting_the_manifest_is_reported_even_if_signed(
    tmp_path: Path, export: Path, key: bytes
) -> None:
    # given a validly re-signed export whose custody names another hash for a clip
    def change(entries: dict[str, bytes]) -> None:
        custody = json.loads(entries["custody.json"])
        custody["clips"][1]["events"][1]["sha256"] = "0" * 64
        entries["custody.json"] = json.dumps(custody).encode()
        signature = json.loads(entries["signature.json"])
        signed = signed_bytes(entries["manifest.json"], entries["custody.json"])
        signature["signature"] = base64.b64encode(sign_with(key, signed)).decode()
        entries["signature.json"] = json.dumps(signature).encode()

    tampered = _rewrite(export, change)

    # when it is verified
    report = export_verify(tampered)

    # then the contradicting event is named
    assert report.problems == [f"custody.json: clips/clip-b-garage.mkv event 2 (viewed) has sha256 {'0' * 64}"]


@pytest.mark.parametrize("name", ["manifest.json", "custody.json", "signature.json"])
def test_deeply_nested_json_is_reported_not_a_crash(export: Path, name: str) -> None:
    # given an export whose metadata file was replaced by JSON nested beyond Python's recursion limit
    def change(entries: dict[str, bytes]) -> None:
        entries[name] = b"[" * 200_000

    tampered = _rewrite(export, change)

    # when it is verified, then that file is named as not valid JSON
    report = export_verify(tampered)
    assert not report.ok
    assert any(problem.startswith(f"{name} is not valid JSON") for problem in report.problems), report.problems


@pytest.mark.parametrize("action", [["viewed"], {"viewed": True}])
def test_a_custody_event_whose_action_is_not_text_is_reported_not_a_crash(export: Path, action: object) -> None:
    # given an export whose custody.json names an event's action with a list or an object
    def change(entries: dict[str, bytes]) -> None:
        custody = json.loads(entries["custody.json"])
        custody["clips"][1]["events"][1]["action"] = action
        entries["custody.json"] = json.dumps(custody).encode()

    tampered = _rewrite(export, change)

    # when it is verified, then the event is named, as is the broken signature
    report = export_verify(tampered)
    assert not report.ok
    assert any(p.startswith("custody.json: clips/clip-b-garage.mkv event 2") for p in report.problems), report.problems


def test_not_a_zip_is_reported(tmp_path: Path) -> None:
    # given a file that is not a zip
    path = tmp_path / "export.zip"
    path.write_bytes(b"hello")

    # when it is verified
    report = export_verify(path)

    # then that is the problem
    assert not report.ok
    assert report.problems[0].startswith("not a readable zip file")


def _corrupt_in_place(src: Path, name: str, *, deflate: bool = False, encrypted: bool = False) -> Path:
    """Copy the zip with the raw bytes of one entry damaged, as a disk error or a careless
    edit would leave it: its compressed data made invalid, or its encryption flag set."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        local = zf.getinfo(name).header_offset
    central = data.index(b"PK\x01\x02")  # the entry's header in the central directory
    while data[central + 46 : central + 46 + len(name)] != name.encode():
        central = data.index(b"PK\x01\x02", central + 1)
    if deflate:  # the first deflate block made one of the reserved type 3
        header = local + 30 + int.from_bytes(data[local + 26 : local + 28], "little")
        data[header + int.from_bytes(data[local + 28 : local + 30], "little")] = 0xFF
    if encrypted:  # general purpose bit 0, in the local and the central header
        data[local + 6] |= 0x01
        data[central + 8] |= 0x01
    dst = src.with_name("damaged.zip")
    dst.write_bytes(bytes(data))
    return dst


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("manifest.json", {"deflate": True}),
        ("custody.json", {"deflate": True}),
        ("signature.json", {"deflate": True}),
        ("clips/clip-b-garage.mkv", {"encrypted": True}),
    ],
)
def test_a_damaged_entry_is_reported_by_the_command_not_a_crash(
    export: Path, name: str, damage: dict[str, bool]
) -> None:
    # given an export with one entry's raw bytes damaged inside the zip
    damaged = _corrupt_in_place(export, name, **damage)
    err = StringIO()

    # when the command verifies it
    with pytest.raises(CommandError, match="NOT valid"):
        call_command("verify_export", str(damaged), stdout=StringIO(), stderr=err)

    # then it names the damaged entry as a problem
    assert f"PROBLEM: {name}" in err.getvalue()


def test_a_stored_file_that_no_longer_matches_its_recorded_hash_stops_the_export(tmp_path: Path, key: bytes) -> None:
    # given a clip whose stored bytes differ from what was hashed at upload
    corrupted = bytes([CLIP_B[0] ^ 0xFF]) + CLIP_B[1:]
    items = [
        _item(tmp_path, "clip-a", "a.mp4", CLIP_A),
        _item(tmp_path, "clip-b", "b.mkv", corrupted, recorded=CLIP_B),
    ]

    # when the export is built, then it fails naming the clip
    with pytest.raises(ExportIntegrityError, match="clip clip-b") as caught:
        export_build(case_number="C-1", department_name="D", clips=items, exported_by="X", private_key=key)
    assert caught.value.clip_id == "clip-b"
    assert caught.value.expected_sha256 == hashlib.sha256(CLIP_B).hexdigest()
    assert caught.value.actual_sha256 == hashlib.sha256(corrupted).hexdigest()


def test_unsafe_or_duplicate_file_names_are_refused(tmp_path: Path, key: bytes) -> None:
    # given two items with the same name, and one with a path in its name
    same = [_item(tmp_path, "x", "a.mp4", CLIP_B), _item(tmp_path, "x", "a.mp4", CLIP_B)]
    unsafe = _item(tmp_path, "y", "a.mp4", CLIP_B)
    unsafe = ExportItem(**{**unsafe.__dict__, "file_name": "../y.mp4"})

    # when they are exported, then both are refused
    with pytest.raises(ValueError, match="used twice"):
        export_build(case_number="C-1", department_name="D", clips=same, exported_by="X", private_key=key)
    with pytest.raises(ValueError, match="unsafe file name"):
        export_build(case_number="C-1", department_name="D", clips=[unsafe], exported_by="X", private_key=key)


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("Front door 10:02.mp4", "c1-Front_door_10_02.mp4"),
        ("../../etc/passwd", "c1-passwd"),
        ("C:\\Users\\me\\Vidéo.MOV", "c1-Video.MOV"),
        ("...", "c1-clip"),
        ("日本.mp4", "c1-mp4"),
    ],
)
def test_safe_file_name(original: str, expected: str) -> None:
    assert safe_file_name("c1", original) == expected


def test_verification_runs_in_a_plain_python_process_without_django(export: Path) -> None:
    # given a Python process with no Django settings
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import sys; from footage.export import export_verify; "
        f"r = export_verify({str(export)!r}); "
        "print(r.ok, r.files, any(m.startswith('django') for m in sys.modules))"
    )

    # when it verifies the export
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )

    # then it succeeds without importing Django
    assert result.stdout.strip() == "True 2 False"


# --- The department's key ----------------------------------------------------------------


def test_department_signing_key_is_created_once_and_signs(in_rialto: Department) -> None:
    # given a department without a key yet

    # when the key is asked for twice and used
    first = department_signing_key()
    second = department_signing_key()
    signature = sign(b"hello")

    # then it is one Ed25519 key whose signatures verify
    assert first.pk == second.pk
    assert len(bytes(first.private_key)) == 32
    assert bytes(first.public_key) == public_key_from_private(bytes(first.private_key))
    assert signature_valid(bytes(first.public_key), signature, b"hello")
    assert len(public_key_fingerprint(bytes(first.public_key))) == 64


def test_departments_have_different_keys(rialto: Department, fontana: Department) -> None:
    # given two departments

    # when each one's key is asked for
    with tenant_context(rialto):
        rialto_key = bytes(department_signing_key().public_key)
    with tenant_context(fontana):
        fontana_key = bytes(department_signing_key().public_key)

    # then they differ
    assert rialto_key != fontana_key


def test_export_signed_with_the_department_key_passes_the_command(in_rialto: Department, tmp_path: Path) -> None:
    # given an export signed with Rialto's key
    export = _build(tmp_path, private_key=None)
    public = bytes(department_signing_key().public_key)
    fingerprint = public_key_fingerprint(public)
    out = StringIO()

    # when the command verifies it, against the fingerprint and against the public key
    call_command("verify_export", str(export), "--fingerprint", fingerprint.upper(), stdout=out)
    call_command("verify_export", str(export), "--public-key", base64.b64encode(public).decode(), stdout=out)

    # then both pass
    assert out.getvalue().splitlines() == [f"OK: 2 clips, signed by key {fingerprint}"] * 2


def test_command_reports_problems_and_fails(export: Path) -> None:
    # given a tampered export
    tampered = _rewrite(export, _flip_first_byte)
    err = StringIO()

    # when the command verifies it, then it fails listing the problem
    with pytest.raises(CommandError, match="NOT valid: 1 problem"):
        call_command("verify_export", str(tampered), stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith("PROBLEM: clips/clip-b-garage.mkv: sha256 is ")


def test_command_fails_for_another_fingerprint(export: Path) -> None:
    # given a valid export, but another department's fingerprint
    other = public_key_fingerprint(public_key_from_private(_private_key()))
    err = StringIO()

    # when the command verifies it, then it fails
    with pytest.raises(CommandError, match="NOT valid"):
        call_command("verify_export", str(export), "--fingerprint", other, stdout=StringIO(), stderr=err)
    assert f"not by the expected key {other}" in err.getvalue()


def test_readme_explains_manual_verification(export: Path) -> None:
    # given an export
    with zipfile.ZipFile(export) as zf:
        readme = zf.read("README.txt").decode()

    # then its README names the fingerprint and the openssl check
    assert export_verify(export).fingerprint in readme
    assert "openssl pkeyutl -verify -pubin -inkey public.pem -rawin" in readme


def test_export_in_memory_matches_file(key: bytes, tmp_path: Path) -> None:
    # given an export built into memory
    data = export_build(
        case_number="C-1",
        department_name="D",
        clips=[_item(tmp_path, "c", "c.mp4", CLIP_B)],
        exported_by="X",
        private_key=key,
    )

    # when it is verified from a file object
    report = export_verify(io.BytesIO(data))

    # then it passes
    assert report.ok, report.problems
