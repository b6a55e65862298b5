"""Evidence exports: a signed zip of a case's original clips and their chain of custody.

Layout of the zip::

    README.txt       how to verify by hand (not signed; informational)
    manifest.json    department, case, exporter, and per clip: path, size, sha256
    custody.json     per clip, its custody events
    signature.json   Ed25519 over manifest.json + b"\\n" + custody.json
    clips/<clip_id>-<safe original name>   the originals, byte for byte

Building needs the department's key (``audit.signing``), but verification does not:
``export_verify`` runs in a plain Python process with only ``cryptography`` installed,
no Django settings and no database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from core.signing import (
    public_key_fingerprint,
    public_key_from_private,
    public_key_pem,
    sign_with,
    signature_valid,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

FORMAT = "porchlight-evidence-export"
FORMAT_VERSION = 1
ALGORITHM = "Ed25519"
MANIFEST = "manifest.json"
CUSTODY = "custody.json"
SIGNATURE = "signature.json"
README = "README.txt"
SIGNED = [MANIFEST, CUSTODY]
CLIPS_DIR = "clips/"
CHUNK = 1024 * 1024
# Metadata files are small; refuse to read huge ones from an untrusted zip.
MAX_METADATA_BYTES = 64 * 1024 * 1024
# Events that record a hash other than the clip's recorded one on purpose.
HASH_MAY_DIFFER = {"integrity_failed"}

# What reading one entry of a damaged or altered zip raises: a bad CRC or header
# (BadZipFile), a truncated file (EOFError, OSError), invalid deflate data (zlib.error),
# an entry marked encrypted (RuntimeError) or an unknown compression method.
_UNREADABLE = (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, NotImplementedError)

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class ExportIntegrityError(Exception):
    """A stored original no longer matches the hash or size recorded at upload."""

    def __init__(self, clip_id: str, *, expected_sha256: str, actual_sha256: str, expected_size: int, actual_size: int):
        self.clip_id = clip_id
        self.expected_sha256 = expected_sha256
        self.actual_sha256 = actual_sha256
        self.expected_size = expected_size
        self.actual_size = actual_size
        super().__init__(
            f"clip {clip_id}: stored file has sha256 {actual_sha256} ({actual_size} bytes), "
            f"recorded at upload {expected_sha256} ({expected_size} bytes)"
        )


@dataclass(frozen=True)
class ExportItem:
    clip_id: str
    file_name: str  # see safe_file_name; unique inside the export
    open: Callable[[], BinaryIO]  # opens the stored original for reading
    sha256: str  # recorded at upload
    size: int  # recorded at upload
    custody: list[dict[str, Any]] = field(default_factory=list)  # see custody_entry


@dataclass
class ExportSummary:
    manifest_sha256: str
    fingerprint: str
    files: int
    exported_at: str


@dataclass
class VerifyReport:
    ok: bool
    problems: list[str]
    files: int
    fingerprint: str


def safe_file_name(clip_id: str, original_name: str) -> str:
    """``<clip_id>-<original name reduced to [A-Za-z0-9._-]>``, at most 200 characters."""
    ascii_name = unicodedata.normalize("NFKD", original_name).encode("ascii", "ignore").decode()
    base = _UNSAFE_CHARS.sub("_", ascii_name.replace("\\", "/").rsplit("/", 1)[-1]).strip("._-") or "clip"
    prefix = _UNSAFE_CHARS.sub("_", str(clip_id)).strip("._-") or "clip"
    return f"{prefix}-{base}"[:200]


def custody_entry(event: Any) -> dict[str, Any]:
    """A custody event (anything with the CustodyEvent attributes) as an export entry."""
    at = event.at
    return {
        "action": str(event.action),
        "at": at.astimezone(UTC).isoformat() if isinstance(at, datetime) else str(at),
        "actor_label": event.actor_label,
        "case_number": event.case_number,
        "sha256": event.sha256,
        "note": event.note,
    }


def iter_custody(events: Iterable[Any]) -> list[dict[str, Any]]:
    """``custody_entry`` for each event, in order."""
    return [custody_entry(event) for event in events]


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"


def signed_bytes(manifest: bytes, custody: bytes) -> bytes:
    """The exact bytes the signature covers."""
    return manifest + b"\n" + custody


def _zip_info(name: str, when: datetime, *, size: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = size  # lets zipfile pick ZIP64 up front for large clips
    info.external_attr = 0o644 << 16
    return info


def _copy_clip(zf: zipfile.ZipFile, item: ExportItem, when: datetime) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        source_file = item.open()
    except FileNotFoundError:  # the stored original is gone: as the weekly re-hash says it
        raise ExportIntegrityError(
            item.clip_id, expected_sha256=item.sha256, actual_sha256="missing", expected_size=item.size, actual_size=0
        ) from None
    with source_file as source, zf.open(_zip_info(CLIPS_DIR + item.file_name, when, size=item.size), "w") as dest:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            dest.write(chunk)
    return digest.hexdigest(), size


def _check_items(clips: list[ExportItem]) -> None:
    seen: set[str] = set()
    for item in clips:
        if not _SAFE_NAME.match(item.file_name):
            raise ValueError(f"clip {item.clip_id}: unsafe file name {item.file_name!r} (use safe_file_name)")
        if item.file_name in seen:
            raise ValueError(f"clip {item.clip_id}: file name {item.file_name!r} used twice")
        seen.add(item.file_name)


def export_write(
    out: IO[bytes],
    *,
    case_number: str,
    department_name: str,
    clips: list[ExportItem],
    exported_by: str,
    private_key: bytes | None = None,
) -> ExportSummary:
    """Write the signed export zip to ``out`` (a file, or any writable binary stream).

    Clips are copied in 1 MiB chunks and hashed on the way; if a stored original does
    not match its recorded sha256 or size, ``ExportIntegrityError`` is raised and the
    partial output must be discarded. ``private_key`` (raw 32 bytes) defaults to the
    current department's key, which needs the tenant schema to be active.
    """
    _check_items(clips)
    if private_key is None:
        from audit.signing import department_signing_key

        private_key = bytes(department_signing_key().private_key)
    public_raw = public_key_from_private(private_key)
    fingerprint = public_key_fingerprint(public_raw)
    now = datetime.now(UTC).replace(microsecond=0)

    files = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for item in clips:
            sha256, size = _copy_clip(zf, item, now)
            if sha256 != item.sha256.lower() or size != item.size:
                raise ExportIntegrityError(
                    item.clip_id,
                    expected_sha256=item.sha256,
                    actual_sha256=sha256,
                    expected_size=item.size,
                    actual_size=size,
                )
            files.append({"clip_id": item.clip_id, "path": CLIPS_DIR + item.file_name, "size": size, "sha256": sha256})

        manifest = _json_bytes(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "department": department_name,
                "case_number": case_number,
                "exported_at": now.isoformat(),
                "exported_by": exported_by,
                "signing_key_fingerprint": fingerprint,
                "files": files,
            }
        )
        custody = _json_bytes(
            {
                "case_number": case_number,
                "clips": [
                    {
                        "clip_id": item.clip_id,
                        "path": CLIPS_DIR + item.file_name,
                        "sha256": item.sha256.lower(),
                        "events": item.custody,
                    }
                    for item in clips
                ],
            }
        )
        signature = sign_with(private_key, signed_bytes(manifest, custody))
        signature_doc = _json_bytes(
            {
                "algorithm": ALGORITHM,
                "public_key": base64.b64encode(public_raw).decode(),
                "public_key_pem": public_key_pem(public_raw),
                "fingerprint": fingerprint,
                "signed": SIGNED,
                "signed_bytes": 'manifest.json + "\\n" + custody.json',
                "signature": base64.b64encode(signature).decode(),
            }
        )
        for name, data in ((README, _readme(fingerprint)), (MANIFEST, manifest), (CUSTODY, custody)):
            zf.writestr(_zip_info(name, now), data, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr(_zip_info(SIGNATURE, now), signature_doc, compress_type=zipfile.ZIP_DEFLATED)
    return ExportSummary(
        manifest_sha256=hashlib.sha256(manifest).hexdigest(),
        fingerprint=fingerprint,
        files=len(files),
        exported_at=now.isoformat(),
    )


def export_build(
    *,
    case_number: str,
    department_name: str,
    clips: list[ExportItem],
    exported_by: str,
    private_key: bytes | None = None,
) -> bytes:
    """The export zip as bytes (whole zip in memory: for small exports and tests;
    use ``export_write`` to a temporary file for real video)."""
    buffer = io.BytesIO()
    export_write(
        buffer,
        case_number=case_number,
        department_name=department_name,
        clips=clips,
        exported_by=exported_by,
        private_key=private_key,
    )
    return buffer.getvalue()


# --- Verification (no Django, no database) -----------------------------------------------


class _Problem(Exception):
    pass


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        with zf.open(name) as f:
            data = f.read(MAX_METADATA_BYTES + 1)
    except KeyError:
        raise _Problem(f"{name} is missing") from None
    except _UNREADABLE as exc:
        raise _Problem(f"{name} cannot be read: {exc}") from None
    if len(data) > MAX_METADATA_BYTES:
        raise _Problem(f"{name} is too large")
    return data


def _json_object(data: bytes, name: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than Python can decode
        raise _Problem(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise _Problem(f"{name} is not a JSON object")
    return value


def _b64(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise _Problem(f"signature.json: {what} is not valid base64") from None


def _hash_entry(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with zf.open(name) as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _check_signature(
    zf: zipfile.ZipFile, manifest: bytes, custody: bytes, expected_key: bytes | None
) -> tuple[str, list[str]]:
    """Returns the embedded key's fingerprint and the signature's problems."""
    doc = _json_object(_read_small(zf, SIGNATURE), SIGNATURE)
    problems = []
    if doc.get("algorithm") != ALGORITHM:
        problems.append(f"signature.json: algorithm is {doc.get('algorithm')!r}, expected {ALGORITHM!r}")
    if doc.get("signed") != SIGNED:
        problems.append(f"signature.json: signs {doc.get('signed')!r}, expected {SIGNED!r}")
    embedded = _b64(doc.get("public_key"), "public_key")
    if len(embedded) != 32:
        raise _Problem("signature.json: public_key is not a 32-byte Ed25519 key")
    fingerprint = public_key_fingerprint(embedded)
    if str(doc.get("fingerprint", "")).lower() != fingerprint:
        problems.append("signature.json: fingerprint does not match its public key")
    trusted = embedded
    if expected_key is not None:
        trusted = bytes(expected_key)
        if trusted != embedded:
            problems.append(f"signed by key {fingerprint}, not by the expected key {public_key_fingerprint(trusted)}")
    signature = _b64(doc.get("signature"), "signature")
    if not signature_valid(trusted, signature, signed_bytes(manifest, custody)):
        problems.append("signature is invalid: manifest.json or custody.json was changed, or another key signed")
    return fingerprint, problems


def _check_files(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    problems = []
    entries = manifest.get("files")
    if not isinstance(entries, list):
        raise _Problem("manifest.json: 'files' is not a list")
    counts = Counter(zf.namelist())
    present = set(counts)
    listed: dict[str, dict[str, Any]] = {}
    for entry in entries:
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not path.startswith(CLIPS_DIR) or not _SAFE_NAME.match(path[len(CLIPS_DIR) :]):
            problems.append(f"manifest.json: invalid file entry {entry!r}")
            continue
        if path in listed:
            problems.append(f"manifest.json: {path} is listed twice")
            continue
        listed[path] = entry
        if path not in present:
            problems.append(f"{path}: missing from the export")
            continue
        try:
            sha256, size = _hash_entry(zf, path)
        except _UNREADABLE as exc:
            problems.append(f"{path}: cannot be read ({exc})")
            continue
        if size != entry.get("size"):
            problems.append(f"{path}: size is {size} bytes, manifest says {entry.get('size')}")
        if sha256 != str(entry.get("sha256", "")).lower():
            problems.append(f"{path}: sha256 is {sha256}, manifest says {entry.get('sha256')}")
    for name in sorted(present):
        if counts[name] > 1:
            problems.append(f"{name}: appears more than once in the zip")
        if name.startswith(CLIPS_DIR) and name not in listed:
            problems.append(f"{name}: extra file, not in manifest.json")
        elif not name.startswith(CLIPS_DIR) and name not in {README, MANIFEST, CUSTODY, SIGNATURE}:
            problems.append(f"{name}: unexpected file in the export")
    return listed, problems


def _check_custody(custody: dict[str, Any], listed: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    clips = custody.get("clips")
    if not isinstance(clips, list):
        return ["custody.json: 'clips' is not a list"]
    covered = set()
    for clip in clips:
        if not isinstance(clip, dict):
            problems.append(f"custody.json: invalid clip entry {clip!r}")
            continue
        path = clip.get("path")
        entry = listed.get(path) if isinstance(path, str) else None
        if entry is None:
            problems.append(f"custody.json: {path!r} is not in manifest.json")
            continue
        covered.add(path)
        sha256 = str(entry.get("sha256", "")).lower()
        if str(clip.get("sha256", "")).lower() != sha256 or clip.get("clip_id") != entry.get("clip_id"):
            problems.append(f"custody.json: {path} does not match manifest.json (clip id or sha256)")
        events = clip.get("events")
        if not isinstance(events, list):
            problems.append(f"custody.json: {path} has no list of events")
            continue
        for n, event in enumerate(events, start=1):
            if not isinstance(event, dict) or not isinstance(event.get("action"), str):
                problems.append(f"custody.json: {path} event {n} is invalid")
            elif event.get("action") not in HASH_MAY_DIFFER and str(event.get("sha256", "")).lower() != sha256:
                problems.append(
                    f"custody.json: {path} event {n} ({event.get('action')}) has sha256 {event.get('sha256')}"
                )
    for path in sorted(set(listed) - covered):
        problems.append(f"custody.json: no custody for {path}")
    return problems


def export_verify(path_or_file: str | Path | IO[bytes], *, public_key: bytes | None = None) -> VerifyReport:
    """Check an export offline: signature, every clip's presence, size and hash, no extra
    clips, and custody.json agreeing with manifest.json.

    ``public_key`` (raw 32 bytes) is the key the export must be signed with, e.g. from the
    department's transparency page; without it the embedded key is used and the caller
    should compare ``report.fingerprint`` with the published one.
    """
    problems: list[str] = []
    fingerprint = ""
    files = 0
    try:
        with zipfile.ZipFile(path_or_file) as zf:
            manifest_bytes = _read_small(zf, MANIFEST)
            custody_bytes = _read_small(zf, CUSTODY)
            try:
                fingerprint, signature_problems = _check_signature(zf, manifest_bytes, custody_bytes, public_key)
            except _Problem as exc:
                signature_problems = [str(exc)]
            problems += signature_problems
            manifest = _json_object(manifest_bytes, MANIFEST)
            listed, file_problems = _check_files(zf, manifest)
            files = len(listed)
            problems += file_problems
            problems += _check_custody(_json_object(custody_bytes, CUSTODY), listed)
    except _Problem as exc:
        problems.append(str(exc))
    except (zipfile.BadZipFile, OSError) as exc:
        problems.append(f"not a readable zip file: {exc}")
    return VerifyReport(ok=not problems, problems=problems, files=files, fingerprint=fingerprint)


def _readme(fingerprint: str) -> str:
    return f"""Porchlight evidence export
==========================

Contents
  clips/          the original files as uploaded, byte for byte (never re-encoded)
  manifest.json   department, case number, export time (UTC), exporter, and for each
                  clip its path, size in bytes and SHA-256
  custody.json    for each clip, its chain-of-custody events (who did what, when)
  signature.json  an Ed25519 signature by the department's key
  README.txt      this file (not signed)

What is signed
  The signature covers exactly these bytes:
      the bytes of manifest.json, one newline byte (0x0a), the bytes of custody.json
  Because manifest.json lists the SHA-256 of every clip, the signature covers the clips.

This export was signed by the key with fingerprint (SHA-256 of the raw 32-byte
Ed25519 public key):
  {fingerprint}
Compare it with the fingerprint published on the department's transparency page;
signature.json carries the public key, so a signature alone only proves the files
were not changed after signing by whoever holds that key.

Verify with Porchlight
  manage.py verify_export export.zip --fingerprint <published fingerprint>
  or, in any Python with "cryptography" installed and Porchlight's source on the path:
      from footage.export import export_verify
      print(export_verify("export.zip"))

Verify by hand (OpenSSL 3 and Python 3)
  unzip export.zip -d export && cd export

  1. Extract the public key, the signature and the signed bytes (copy these lines
     as they are, starting at the left margin):

python3 - <<'EOF'
import base64, json
s = json.load(open("signature.json"))
open("public.pem", "w").write(s["public_key_pem"])
open("signature.bin", "wb").write(base64.b64decode(s["signature"]))
signed = open("manifest.json", "rb").read() + b"\\n" + open("custody.json", "rb").read()
open("signed.bin", "wb").write(signed)
EOF

  2. Check the key's fingerprint (the last 32 bytes of the DER key are the raw key):
     openssl pkey -pubin -in public.pem -outform DER | tail -c 32 | sha256sum

  3. Check the signature (prints "Signature Verified Successfully"):
     openssl pkeyutl -verify -pubin -inkey public.pem -rawin -in signed.bin -sigfile signature.bin

  4. Check every clip against manifest.json:

python3 -c 'import json
for f in json.load(open("manifest.json"))["files"]: print(f["sha256"] + "  " + f["path"])' | sha256sum -c

     and check that clips/ holds no other files.
"""
