#!/usr/bin/env python3
"""Porchlight log witness: hold a department to the access log it published.

Needs only Python 3.11+ and the ``cryptography`` package; no Django, nothing else of
Porchlight. Run it on your own computer, e.g. every hour from cron:

    python3 porchlight_witness.py --log https://rialto.example.org \\
        --key 'rialto.example.org/audit-log+1a2b3c4d+AV...' --state ~/rialto-witness.json

It keeps the last checkpoint it saw in the state file, fetches the department's current
signed checkpoint and the consistency proof between the two from the public API, checks the
signature against the key you pinned (``--key``, as the transparency page and
``/api/v1/log/checkpoint/`` show it) and the proof, and only then remembers the new one.

To check one event instead (the "Proof" link of an owner's access list):

    python3 porchlight_witness.py --log https://rialto.example.org --key '...' --prove 4711

fetches its inclusion proof and the signed checkpoint that came with it, and checks both.

A department served on a ``*.localhost`` name (a demo: http://rialto.localhost:8000) is
reached on loopback by the witness itself (RFC 6761), the name kept in the Host header.

Exit status: 0 the log only grew (or the first checkpoint was stored); 1 the log is not what
it was (rewritten, truncated, forked, a bad signature or a bad proof): keep the state file
and the message, they are the evidence; 2 it could not check (unreachable, bad arguments,
an unreadable state file). docs/transparency-log.md describes the formats.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import hashlib
import http.client
import json
import math
import os
import socket
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TAMPERED, CANNOT_CHECK = 1, 2
MAX_TIMEOUT = 3600  # an hour per answer: beyond it, the log is unreachable, not slow
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space: C2SP signed-note
ED25519 = b"\x01"


class WitnessError(Exception):
    """A sentence for the person running the witness, and the exit status."""

    def __init__(self, sentence: str, status: int = TAMPERED) -> None:
        super().__init__(sentence)
        self.status = status


# --- RFC 9162 verification (§2.1.3.2 and §2.1.4.2) ------------------------------------------


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def inclusion_valid(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """Whether ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree ``root`` of ``size``."""
    if not 0 <= index < size:
        return False
    fn, sn, value = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            value = _node(sibling, value)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            value = _node(value, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and value == root


def consistency_valid(first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]) -> bool:
    """Whether ``proof`` shows the tree ``second_root`` of ``second`` leaves extends ``first_root``."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first & (first - 1) == 0:  # a power of two: the old root is a node of the new tree
        proof = [first_root, *proof]
    if not proof:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for step in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = _node(step, fr), _node(step, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = _node(sr, step)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


# --- Signed notes and checkpoints (C2SP signed-note, tlog-checkpoint) ------------------------


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public_key: bytes

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        """``<name>+<key id, 8 hex>+<base64 of 0x01 || 32-byte Ed25519 key>`` (C2SP vkey)."""
        try:
            name, key_id_hex, encoded = vkey.strip().split("+", 2)  # names have no "+"; base64 may
            raw = base64.b64decode(encoded, validate=True)
            key_id = bytes.fromhex(key_id_hex)
        except (ValueError, binascii.Error):
            raise WitnessError(
                f"--key {vkey!r} is not a verifier key (name+keyid+base64, as the log's page shows it).", CANNOT_CHECK
            ) from None
        if len(raw) != 33 or raw[:1] != ED25519 or len(key_id) != 4 or key_id != key_id_of(name, raw[1:]):
            raise WitnessError(f"--key {vkey!r} is not an Ed25519 verifier key with a matching key id.", CANNOT_CHECK)
        return cls(name, key_id, raw[1:])

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(ED25519 + self.public_key).decode()}"


def key_id_of(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    note: str

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.root).decode()


def checkpoint_open(note: str, verifier: Verifier) -> Checkpoint:
    """The checkpoint in ``note`` once its signature by ``verifier`` is checked; WitnessError otherwise."""
    if not isinstance(note, str) or "\n\n" not in note or not note.endswith("\n"):
        raise WitnessError("bad signature: what the log served is not a signed note.")
    body, signatures = note.split("\n\n", 1)
    body += "\n"
    signed = False
    for line in signatures[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise WitnessError("bad signature: a signature line of the checkpoint is malformed.")
        try:
            name, encoded = line[len(SIGNATURE_PREFIX) :].split(" ")
            raw = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            raise WitnessError("bad signature: a signature line of the checkpoint is malformed.") from None
        if name != verifier.name or raw[:4] != verifier.key_id:
            continue  # someone else's signature (a cosigner): not ours to check
        try:
            Ed25519PublicKey.from_public_bytes(verifier.public_key).verify(raw[4:], body.encode())
        except (InvalidSignature, ValueError):
            raise WitnessError(
                "bad signature: the checkpoint's signature does not verify with the pinned key "
                "(the checkpoint was altered, or signed by another key)."
            ) from None
        signed = True
    if not signed:
        raise WitnessError(f"bad signature: the checkpoint carries no signature by the pinned key {verifier.name}.")
    lines = body.split("\n")[:-1]
    try:
        origin, size_text, root_text = lines[0], lines[1], lines[2]
        size = int(size_text) if size_text.isdigit() and size_text == str(int(size_text)) else -1
        root = base64.b64decode(root_text, validate=True)
    except (IndexError, ValueError, binascii.Error):
        raise WitnessError("bad signature: the signed checkpoint's body is malformed.") from None
    if size < 0 or len(root) != 32:
        raise WitnessError("bad signature: the signed checkpoint's size or root hash is malformed.")
    if origin != verifier.name:
        raise WitnessError(f"the checkpoint is for the log {origin!r}, not {verifier.name!r}.")
    return Checkpoint(origin, size, root, note)


# --- Fetching ------------------------------------------------------------------------------


def timeout_checked(text: str) -> float:
    """``--timeout`` as seconds: a number above 0 (urllib takes 0 as "do not wait" and refuses
    a negative one with a traceback)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (0 < seconds <= MAX_TIMEOUT):  # NaN fails this too
        raise WitnessError(
            f"--timeout {text}: give the seconds to wait for each answer, a number above 0 and at most "
            f"{MAX_TIMEOUT} (e.g. 20).",
            CANNOT_CHECK,
        )
    return seconds


def is_localhost_name(host: str) -> bool:
    """``localhost`` or a name under it (rialto.localhost): loopback by RFC 6761, which
    Python's resolver (the system's) often does not know."""
    host = host.rstrip(".").lower()
    return host == "localhost" or host.endswith(".localhost")


def _loopback_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
    return socket.create_connection(("127.0.0.1", address[1]), *args, **kwargs)


class _LoopbackHTTPConnection(http.client.HTTPConnection):
    """Dials loopback, whatever the name; the name stays in the Host header (the server tells
    its departments apart by it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _loopback_connection


class _LoopbackHTTPSConnection(http.client.HTTPSConnection):
    """As above, over TLS: the certificate is still checked against the name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _loopback_connection


class _LoopbackHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_LoopbackHTTPConnection, req)


class _LoopbackHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_LoopbackHTTPSConnection, req, context=getattr(self, "_context", None))


def url_open(request: urllib.request.Request, timeout: float) -> http.client.HTTPResponse:
    """``urlopen``, except that a ``*.localhost`` address (the demo's departments) is reached
    on loopback by the witness itself."""
    if is_localhost_name(urllib.parse.urlsplit(request.full_url).hostname or ""):
        opener = urllib.request.build_opener(_LoopbackHTTPHandler, _LoopbackHTTPSHandler)
        return opener.open(request, timeout=timeout)
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (http or https, checked by the caller)


def fetch_json(base: str, path: str, params: dict[str, int] | None = None, timeout: float = 20) -> dict:
    url = base.rstrip("/") + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        scheme = urllib.parse.urlsplit(url).scheme
    except ValueError:  # e.g. "http://[::1": an address urllib cannot split
        scheme = ""
    if scheme not in ("http", "https"):
        raise WitnessError(f"--log {base!r}: give the log's http(s) address.", CANNOT_CHECK)
    headers = {"Accept": "application/json", "User-Agent": "porchlight-witness"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http or https, checked above)
    try:
        with url_open(request, timeout) as response:
            body = response.read(5_000_000)
    except urllib.error.HTTPError as exc:
        detail = ""
        # RecursionError: JSON nested thousands deep, which the decoder gives up on.
        with contextlib.suppress(ValueError, AttributeError, RecursionError, OSError, http.client.HTTPException):
            detail = str(json.loads(exc.read(100_000)).get("detail", ""))[:500]
        raise WitnessError(f"unreachable: {url} answered {exc.code}. {detail}".strip(), CANNOT_CHECK) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        # HTTPException: a reply that is not HTTP (a bad status line); ValueError: an address
        # urllib cannot use.
        raise WitnessError(f"unreachable: could not fetch {url} ({exc}).", CANNOT_CHECK) from None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise WitnessError(f"unreachable: {url} did not answer JSON.", CANNOT_CHECK) from None
    if not isinstance(data, dict):
        raise WitnessError(f"unreachable: {url} did not answer a JSON object.", CANNOT_CHECK)
    return data


def proof_hashes(data: dict) -> list[bytes]:
    proof = data.get("proof")
    if not isinstance(proof, list) or not all(isinstance(item, str) for item in proof):
        raise WitnessError("bad proof: the consistency proof is malformed (no list of base64 hashes).")
    try:
        hashes = [base64.b64decode(item, validate=True) for item in proof]
    except (ValueError, binascii.Error):
        raise WitnessError("bad proof: the consistency proof is malformed (a hash is not base64).") from None
    if any(len(value) != 32 for value in hashes):
        raise WitnessError("bad proof: the consistency proof is malformed (a hash is not 32 bytes).")
    return hashes


# --- The witness -----------------------------------------------------------------------------


def state_load(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text())
        if not (isinstance(state, dict) and isinstance(state["checkpoint"], str)):
            raise ValueError
    except (ValueError, KeyError, OSError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise WitnessError(f"the state file {path} is unreadable; it is left as it is.", CANNOT_CHECK) from None
    return state


def state_save(path: Path, checkpoint: Checkpoint, verifier: Verifier) -> None:
    """Written to a new file and renamed over the old one: a crash never leaves half a state."""
    data = {"origin": checkpoint.origin, "size": checkpoint.size, "root": checkpoint.root_b64}
    data |= {"checkpoint": checkpoint.note, "key": verifier.vkey}
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            json.dump(data, out, indent=1)
        os.replace(name, path)
    except OSError as exc:  # a full disk, a folder that may not be written
        raise WitnessError(
            f"the state file {path} could not be written ({exc}); the checkpoint was not remembered.", CANNOT_CHECK
        ) from None


def state_folder_check(path: Path) -> None:
    """The state file's folder must exist before anything is fetched: it is not made here, since
    a mistyped folder would silently start a new witness that trusts whatever it sees first."""
    if not path.parent.is_dir():
        raise WitnessError(
            f"the folder of the state file, {path.parent}, does not exist: create it, "
            "or give --state a file in a folder that does.",
            CANNOT_CHECK,
        )


Fetch = Callable[[str, "dict[str, int] | None"], dict]


def http_fetcher(base: str, timeout: float = 20) -> Fetch:
    """Fetch the log's public API at ``base`` (the department's address) over HTTP(S)."""
    return lambda path, params: fetch_json(base, path, params, timeout)


def witness(fetch: Fetch, verifier: Verifier, state_path: Path) -> str:
    """Check the log once; the sentence to print, or WitnessError."""
    state_folder_check(state_path)
    state = state_load(state_path)
    if state is not None and state.get("key", verifier.vkey) != verifier.vkey:
        raise WitnessError(
            f"the state file {state_path} was kept for the key {state.get('key')!r}, not the one given; "
            "a log does not change its key silently. Use another state file if the department announced a new key.",
            CANNOT_CHECK,
        )
    old = None
    if state is not None:
        try:
            old = checkpoint_open(state["checkpoint"], verifier)
        except WitnessError as exc:
            raise WitnessError(
                f"the state file {state_path} holds a checkpoint that does not verify with the given key ({exc})",
                CANNOT_CHECK,
            ) from None
    latest = fetch("/api/v1/log/checkpoint/", None)
    new = checkpoint_open(latest.get("checkpoint"), verifier)  # type: ignore[arg-type]
    if old is None:
        state_save(state_path, new, verifier)
        return f"first checkpoint stored: {new.size} events, root {new.root_b64} (trusted as seen; compare it)."
    if new.size < old.size:
        raise WitnessError(
            f"truncated: the log now has {new.size} events; it had {old.size} when this witness last saw it."
        )
    if new.size == old.size:
        if new.root != old.root:
            raise WitnessError(
                f"forked: the log signed two different trees of {new.size} events "
                f"(root {old.root_b64} seen before, {new.root_b64} now)."
            )
        state_save(state_path, new, verifier)
        return f"ok: unchanged at {new.size} events, root {new.root_b64}."
    if old.size == 0:  # every log extends the empty one: there is nothing to prove
        state_save(state_path, new, verifier)
        return f"ok: the log grew from 0 to {new.size} events; root {new.root_b64}."
    data = fetch("/api/v1/log/consistency/", {"first": old.size, "second": new.size})
    if not consistency_valid(old.size, new.size, old.root, new.root, proof_hashes(data)):
        raise WitnessError(
            f"rewritten: the log of {new.size} events does not contain the {old.size} events this witness "
            f"saw (root {old.root_b64}): the consistency proof fails. Events were changed, removed or "
            "replaced, or the log was forked."
        )
    state_save(state_path, new, verifier)
    return (
        f"ok: the log grew from {old.size} to {new.size} events and still holds every earlier one; root {new.root_b64}."
    )


def inclusion_check(fetch: Fetch, verifier: Verifier, seq: int, event_hash: str | None = None) -> str:
    """Check that event #``seq`` is leaf ``seq``-1 of the log's latest signed checkpoint (the
    owner's "Proof" link): the checkpoint's signature with the pinned key, then the RFC 9162
    inclusion proof of the event's leaf against that checkpoint's root. With ``event_hash``
    (the event's hash as you hold it, hex), the proof must be of that very event. The sentence
    to print, or WitnessError. A witness run (without --prove) shows that this checkpoint
    extends the ones it saw before."""
    if seq < 1:
        raise WitnessError(f"--prove {seq}: give the event's number, 1 or more.", CANNOT_CHECK)
    data = fetch("/api/v1/log/inclusion/", {"seq": seq})
    note = data.get("checkpoint")
    if not isinstance(note, str):
        raise WitnessError(
            f"no signed checkpoint came with the proof of event #{seq}: ask again after the next checkpoint.",
            CANNOT_CHECK,
        )
    checkpoint = checkpoint_open(note, verifier)
    size, leaf = data.get("tree_size"), data.get("leaf")
    if not isinstance(size, int) or size != checkpoint.size:
        raise WitnessError(
            f"bad proof: the proof is for a tree of {size!r} events, not the size of the checkpoint "
            f"that came with it ({checkpoint.size})."
        )
    if not isinstance(leaf, str):
        raise WitnessError("bad proof: the inclusion proof names no leaf (the event's hash).")
    if event_hash is not None and leaf.strip().lower() != event_hash.strip().lower():
        raise WitnessError(
            f"bad proof: the log's event #{seq} has the hash {leaf}, which is not the event you hold ({event_hash})."
        )
    hashes = proof_hashes(data)
    if not inclusion_valid(
        seq - 1, checkpoint.size, leaf_hash(leaf.encode("utf-8", "replace")), hashes, checkpoint.root
    ):
        raise WitnessError(
            f"bad proof: the inclusion proof fails: event #{seq} (hash {leaf}) is not shown to be in the signed "
            f"log of {checkpoint.size} events (root {checkpoint.root_b64})."
        )
    return (
        f"ok: event #{seq} is leaf {seq - 1} of the signed log of {checkpoint.size} events "
        f"(root {checkpoint.root_b64}); its hash is {leaf}."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--log", required=True, help="the department's address, e.g. https://rialto.example.org")
    parser.add_argument("--key", required=True, help="the log's verifier key (name+keyid+base64), pinned once")
    parser.add_argument("--state", type=Path, help="the file that keeps the last checkpoint seen (not with --prove)")
    parser.add_argument("--timeout", default="20", help="seconds to wait for each answer (20)")
    parser.add_argument(
        "--prove",
        type=int,
        metavar="N",
        help="instead: check that event #N is in the latest signed checkpoint (its inclusion proof)",
    )
    parser.add_argument("--event-hash", help="with --prove: the event's hash you hold (hex); the proof must be of it")
    args = parser.parse_args(argv)
    if args.prove is None and args.state is None:
        parser.error("the following arguments are required: --state (or --prove N)")
    try:
        timeout = timeout_checked(args.timeout)
        fetch, verifier = http_fetcher(args.log, timeout), Verifier.parse(args.key)
        if args.prove is not None:
            print(inclusion_check(fetch, verifier, args.prove, event_hash=args.event_hash))
        else:
            print(witness(fetch, verifier, args.state))
    except WitnessError as exc:
        print(f"WITNESS FAILED: {exc}", file=sys.stderr)
        return exc.status
    return 0


if __name__ == "__main__":
    sys.exit(main())
