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
