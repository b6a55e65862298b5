#!/usr/bin/env python3
"""Porchlight export verifier: check an access-log export against its signed manifest.

Needs only Python 3.11+ and the ``cryptography`` package; no Django, nothing else of
Porchlight, no network. Run it on your own computer, on the two files the oversight board's
search exports (the CSV or JSON file and its ``….manifest.json``):

    python3 porchlight_export_verify.py access-log-rialto-upto-4711.csv \\
        access-log-rialto-upto-4711.csv.manifest.json --fingerprint 3f2a…

``--fingerprint`` is the department's key fingerprint (SHA-256, 64 hex digits) as its public
transparency page publishes it ("Evidence packages exported by this department are signed
with an Ed25519 key whose SHA-256 fingerprint is", ``evidence_signing_key`` in
``/transparency.json``). Copy it from there, not from the manifest: a manifest carries its
own key, and anyone can sign with a key of their own.

It checks that the manifest is signed (Ed25519, over the ``manifest`` object as JSON with
sorted keys, no whitespace, UTF-8) by the key whose fingerprint you gave, and that the file's
SHA-256 and size are the ones the manifest states, and says what the export holds.

Exit status: 0 verified; 1 NOT VERIFIED (the file or the manifest was changed, or another key
signed it: the message says which); 2 it could not check (a file missing or unreadable, a
manifest that is not JSON, a fingerprint that is not 64 hex digits).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

FORMAT = "porchlight-access-log-export"
VERIFIED, NOT_VERIFIED, CANNOT_CHECK = 0, 1, 2
CHUNK = 1024 * 1024
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


class CannotCheck(Exception):
    """Nothing was checked: a file or an argument that cannot be used; the sentence says why."""


def canonical(value: Any) -> str:
    """What the signature covers: JSON with sorted keys, no whitespace, UTF-8 (not escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def manifest_problems(*, data: Iterable[bytes], document: Any, fingerprint: str = "") -> list[str]:
    """The problems found checking an export's bytes against its manifest document (none: it
    holds). ``fingerprint``, if given, is the one the department publishes; without it the
    key inside the document is trusted, and the caller should compare its fingerprint.

    audit.log_export.manifest_verify (``manage.py audit_export_verify``) is this function."""
    if not isinstance(document, dict) or not isinstance(document.get("manifest"), dict):
        return ["the manifest is not a Porchlight access-log manifest (no “manifest” object)"]
    manifest, signed = document["manifest"], document.get("signature")
    problems = []
    if manifest.get("format") != FORMAT:
        problems.append(f"the manifest's format is {manifest.get('format')!r}, not {FORMAT!r}")
    if not isinstance(signed, dict):
        return [*problems, "the manifest has no signature"]
    try:
        public_raw = base64.b64decode(str(signed.get("public_key", "")), validate=True)
        signature = base64.b64decode(str(signed.get("signature", "")), validate=True)
    except (binascii.Error, ValueError):
        return [*problems, "the signature or the public key is not valid base64"]
    actual_fingerprint = hashlib.sha256(public_raw).hexdigest()
    if fingerprint and fingerprint.lower() != actual_fingerprint:
        problems.append(f"signed by the key {actual_fingerprint}, not by the department's key {fingerprint.lower()}")
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, canonical(manifest).encode())
    except (InvalidSignature, ValueError):
        problems.append("the signature does not match the manifest: the manifest was changed, or another key signed it")
    digest, size = hashlib.sha256(), 0
    for chunk in data:
        digest.update(chunk)
        size += len(chunk)
    listed = manifest.get("file") if isinstance(manifest.get("file"), dict) else {}
    if digest.hexdigest() != str(listed.get("sha256", "")).lower():
        problems.append(
            f"the file's SHA-256 is {digest.hexdigest()}, the manifest says {listed.get('sha256')}: "
            "the file was changed, or it is not the one this manifest describes"
        )
    elif size != listed.get("bytes"):
        problems.append(f"the file has {size} bytes, the manifest says {listed.get('bytes')}")
    return problems


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def _document(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise CannotCheck(f"{path}: cannot read it ({exc.strerror or exc}).") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise CannotCheck(f"{path}: not a manifest (not JSON in UTF-8).") from None


def verify(file: Path, manifest: Path, fingerprint: str) -> tuple[int, str]:
    """(exit status, what to print) for ``file`` against ``manifest``, signed by the key
    ``fingerprint``; CannotCheck when nothing could be checked."""
    fingerprint = fingerprint.strip().lower().replace(":", "")
    if not _FINGERPRINT.fullmatch(fingerprint):
        raise CannotCheck(
            "--fingerprint: give the department's published key fingerprint, 64 hex digits "
            "(its transparency page shows it)."
        )
    for path in (file, manifest):
        if not path.is_file():
            raise CannotCheck(f"{path}: no such file.")
    document = _document(manifest)
    try:
        problems = manifest_problems(data=_chunks(file), document=document, fingerprint=fingerprint)
    except OSError as exc:
        raise CannotCheck(f"{file}: cannot read it ({exc.strerror or exc}).") from None
    if problems:
        return NOT_VERIFIED, "NOT VERIFIED:\n" + "\n".join(f"- {problem}" for problem in problems)
    described = document["manifest"]
    head = described.get("chain_head") if isinstance(described.get("chain_head"), dict) else {}
    listed = described["file"]
    lines = [
        f"VERIFIED: {file.name} is the file the manifest describes, and the manifest is signed by the key "
        f"{fingerprint}, the department's.",
        f"  department: {described.get('department')}",
        f"  file: {listed.get('name')} ({listed.get('format')}, {listed.get('bytes')} bytes, "
        f"SHA-256 {listed.get('sha256')})",
        f"  events: {described.get('count')} (#{described.get('first_seq')} to #{described.get('last_seq')}), "
        f"read up to the chain head #{head.get('seq')} {head.get('hash')}",
        f"  filter: {canonical(described.get('filter'))}, sort {described.get('sort')}",
        f"  made: {described.get('generated_at')} by {described.get('generated_by')}",
    ]
    return VERIFIED, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("file", type=Path, help="the exported CSV or JSON file")
    parser.add_argument("manifest", type=Path, help="its manifest (….manifest.json)")
    parser.add_argument(
        "--fingerprint",
        required=True,
        help="the department's key fingerprint (SHA-256, 64 hex digits) from its transparency page",
    )
    args = parser.parse_args(argv)
    try:
        status, text = verify(args.file, args.manifest, args.fingerprint)
    except CannotCheck as exc:
        print(f"CANNOT CHECK: {exc}", file=sys.stderr)
        return CANNOT_CHECK
    print(text, file=sys.stdout if status == VERIFIED else sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
