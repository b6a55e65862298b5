"""docs/webhooks.md cannot go stale: its worked signature is right (computed here and by
openssl as the doc shows), every payload format has an example that maps, and every refusal
reason the receiver answers is in its table."""

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from incidents.limits import REFUSAL_REASONS
from incidents.models import PayloadShape
from incidents.payloads import payload_map
from incidents.secrets import signature_for

DOC = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
SECRET = "whsec_8mZ4o0qQ1YfB3xk5r9uT2wXc7vN6aLd0sEjHgKpRiMw"
TIMESTAMP = "1796648400"


def _worked_example() -> tuple[bytes, str]:
    body = re.search(r"### Worked example.*?```json\n(.*?)\n```", DOC, re.S)
    signature = re.search(r"X-Porchlight-Signature: sha256=([0-9a-f]{64})", DOC)
    assert body is not None
    assert signature is not None
    return body.group(1).encode(), signature.group(1)


def test_the_worked_example_signature_is_the_hmac_of_timestamp_dot_body() -> None:
    body, signature = _worked_example()

    assert signature_for(SECRET, timestamp=TIMESTAMP, body=body) == signature
    assert f"`{SECRET}`" in DOC
    assert f"`{TIMESTAMP}`" in DOC


OPENSSL = shutil.which("openssl")
BASH = shutil.which("bash")


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_the_openssl_command_of_the_doc_gives_the_same_signature() -> None:
    body, signature = _worked_example()

    printed = subprocess.run(
        [str(OPENSSL), "dgst", "-sha256", "-hmac", SECRET, "-r"],
        input=TIMESTAMP.encode() + b"." + body,
        capture_output=True,
        check=True,
    ).stdout.decode()

    assert printed.split()[0] == signature


@pytest.mark.parametrize("shape", [s.value for s in PayloadShape])
def test_every_payload_format_has_an_example_that_maps(in_rialto: Any, shape: str) -> None:
    example = re.search(rf"<!-- example: {shape} -->\n```json\n(.*?)\n```", DOC, re.S)
    assert example is not None, f"docs/webhooks.md has no example of {shape}"

    mapped = payload_map(
        shape=shape,
        body=json.loads(example.group(1)),
        now=dt.datetime(2026, 12, 7, 13, 1, tzinfo=dt.UTC),
        boundary=in_rialto.boundary,
        locate=lambda _address: None,
    )

    assert mapped.facts.external_id


@pytest.mark.parametrize("reason", REFUSAL_REASONS)
def test_every_refusal_reason_is_in_the_answers_table(reason: str) -> None:
    assert re.search(rf"^\| \d{{3}} \| `[a-z_]+` \| `{reason}` \|", DOC, re.M), f"{reason} is missing"


@pytest.mark.skipif(OPENSSL is None or BASH is None, reason="openssl or bash is not installed")
def test_the_docs_curl_example_sends_a_body_signed_as_documented_with_a_current_time() -> None:
    """Run verbatim, the curl example must make an incident: its time is now, not a fixed date
    the worker would refuse as in the future or more than 30 days past."""
    script = re.search(r"With openssl and curl:\n\n```sh\n(.*?)\n```", DOC, re.S)
    assert script is not None
    # curl replaced by a function printing what it would send: the two headers and the body.
    fake_curl = 'curl() { for a in "$@"; do case "$a" in X-Porchlight-*) echo "$a";; esac; done; echo "${@: -1}"; }\n'
    out = subprocess.run(
        [str(BASH), "-c", fake_curl + script.group(1)], capture_output=True, text=True, check=True
    ).stdout.splitlines()

    timestamp = out[0].split(": ")[1]
    signature = out[1].split("sha256=")[1]
    body = out[2].encode()
    secret = re.search(r"SECRET='([^']+)'", script.group(1)).group(1)  # type: ignore[union-attr]
    assert signature == signature_for(secret, timestamp=timestamp, body=body)
    occurred = dt.datetime.fromisoformat(json.loads(body)["occurred_at"])
    assert abs((occurred - dt.datetime.now(dt.UTC)).total_seconds()) < 60
