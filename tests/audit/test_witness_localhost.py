"""The witness reaches a department served on a ``*.localhost`` name (the demo's
rialto.localhost), as RFC 6761 says such names are loopback: Python's resolver does not
resolve them, so the witness dials loopback itself and keeps the name in the Host header.
Against a real uvicorn serving the test database, by name."""

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from audit.checkpoints import checkpoint_make, verifier_key
from tenants.models import Department
from tests.audit.test_witness import _NO_DJANGO, SCRIPT
from tests.site_client import uvicorn_server

pytestmark = [pytest.mark.django_db, pytest.mark.server]


@pytest.fixture(scope="module")
def served(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[int, str, int]]:
    """A real server, and a signed checkpoint of Rialto's log it can serve (committed: the
    server is another process; the next checkpoint extends it, as the beat's would)."""
    with django_db_blocker.unblock(), tenant_context(Department.objects.get(schema_name="rialto")):
        checkpoint, key = checkpoint_make(), verifier_key()
    with uvicorn_server() as port:
        yield port, key, checkpoint.tree_size


def test_the_standalone_witness_reaches_a_localhost_department_by_name(
    served: tuple[int, str, int], tmp_path: Path
) -> None:
    port, key, size = served
    state = tmp_path / "rialto.json"

    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            _NO_DJANGO,
            str(SCRIPT),
            "--log",
            f"http://rialto.localhost:{port}",
            "--key",
            key,
            "--state",
            str(state),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )

    assert done.returncode == 0, done.stderr
    assert f"first checkpoint stored: {size} events" in done.stdout
    assert state.exists()


def test_audit_witness_reaches_a_localhost_department_by_name(served: tuple[int, str, int], tmp_path: Path) -> None:
    port, key, size = served
    out = io.StringIO()

    call_command(
        "audit_witness", log=f"http://rialto.localhost:{port}", key=key, state=str(tmp_path / "s.json"), stdout=out
    )

    assert f"first checkpoint stored: {size} events" in out.getvalue()


def test_the_name_picks_the_department_on_the_same_server(served: tuple[int, str, int], tmp_path: Path) -> None:
    """The Host header names the department: fontana.localhost is Fontana's log, answered by the
    server (no checkpoint yet, or one that Rialto's key does not verify), never Rialto's."""
    port, key, _size = served
    fontana, state = f"http://fontana.localhost:{port}", str(tmp_path / "f.json")

    done = subprocess.run(
        [sys.executable, "-I", "-c", _NO_DJANGO, str(SCRIPT), "--log", fontana, "--key", key, "--state", state],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )

    assert done.returncode != 0
    assert "could not fetch" not in done.stderr
    assert "first checkpoint stored" not in done.stdout
