"""The witness holds the department to the checkpoints it saw: a log rewritten and re-hashed by
a database superuser (so that audit_verify alone passes), truncated or forked is caught, and
so are tampered checkpoints and proofs. The standalone script runs in a Python process that
cannot import Django, against the real endpoints' answers over HTTP."""

import base64
import datetime as dt
import io
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from audit.checkpoints import checkpoint_make, key_id, note_body, note_sign, verifier_key
from audit.verify import chain_verify
from core.signing import private_key_generate
from tenants.models import Department
from tests.audit.tampering import chain_rewrite, log_emptied, superuser_sql
from tests.audit.test_checkpoints import write
from tests.conftest import TenantClient
from tools.porchlight_witness import CANNOT_CHECK, TAMPERED, Verifier, WitnessError, inclusion_check, witness

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def empty_log(rialto: Department) -> None:
    """Each test starts from an empty log (tests.audit.tampering.log_emptied), rolled back after it."""
    with tenant_context(rialto):
        log_emptied()


SCRIPT = ROOT / "tools" / "porchlight_witness.py"


def _witness_command(state: Path) -> str:
    out = io.StringIO()
    call_command("audit_witness", schema="rialto", state=str(state), stdout=out)
    return out.getvalue()


def _fails(state: Path) -> CommandError:
    with pytest.raises(CommandError) as raised:
        _witness_command(state)
    return raised.value


def test_the_witness_catches_a_chain_rewritten_and_rehashed_by_a_superuser(
    in_rialto: Department, tmp_path: Path
) -> None:
    state = tmp_path / "witness.json"
    write(5)
    checkpoint_make()
    assert "first checkpoint stored: 5 events" in _witness_command(state)
    write(3)
    checkpoint_make()
    assert "grew from 5 to 8 events" in _witness_command(state)

    chain_rewrite(purpose_text="nothing to see here")
    assert chain_verify().ok  # the chain alone agrees with itself
    call_command("audit_verify", schema="rialto", stdout=io.StringIO())  # and so does audit_verify
    write(1)
    checkpoint_make()

    failure = _fails(state)
    assert failure.returncode == TAMPERED
    assert "WITNESS FAILED: rewritten: the log of 9 events does not contain the 8 events this witness saw" in str(
        failure
    )
    # The operators were told when the tree was rebuilt; the witness's state still holds the old checkpoint.
    assert any("was rewritten" in message.subject for message in mail.outbox)
    assert json.loads(state.read_text())["size"] == 8


def test_the_witness_catches_a_truncated_log(in_rialto: Department, tmp_path: Path) -> None:
    state = tmp_path / "witness.json"
    write(6)
    checkpoint_make()
    _witness_command(state)

    superuser_sql("DELETE FROM audit_accessevent WHERE seq > %s", [3])
    checkpoint_make()

    assert "truncated: the log now has 3 events; it had 6" in str(_fails(state))


def test_the_witness_catches_two_trees_of_the_same_size(in_rialto: Department, tmp_path: Path) -> None:
    state = tmp_path / "witness.json"
    write(4)
    checkpoint_make()
    _witness_command(state)

    chain_rewrite(reason="edited")
    checkpoint_make()

    assert "forked: the log signed two different trees of 4 events" in str(_fails(state))


def test_an_unchanged_log_passes_and_the_state_moves_only_forward(in_rialto: Department, tmp_path: Path) -> None:
    state = tmp_path / "witness.json"
    write(2)
    checkpoint_make()
    _witness_command(state)
    checkpoint_make()

    assert "ok: unchanged at 2 events" in _witness_command(state)


def test_a_witness_that_first_saw_the_empty_log_accepts_its_growth(in_rialto: Department, tmp_path: Path) -> None:
    state = tmp_path / "witness.json"
    checkpoint_make()
    assert "first checkpoint stored: 0 events" in _witness_command(state)
    write(3)
    checkpoint_make()

    assert "ok: the log grew from 0 to 3 events" in _witness_command(state)
    assert json.loads(state.read_text())["size"] == 3


# --- Tampered answers, fed to the witness -----------------------------------------------------


class Log:
    """The answers of the real endpoints (through the test client), possibly altered."""

    def __init__(self, client: TenantClient) -> None:
        self.client = client
        self.alter: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}

    def __call__(self, path: str, params: dict[str, int] | None) -> dict[str, Any]:
        response = self.client.get(path, params or {})
        data = response.json()
        if response.status_code != 200:
            raise WitnessError(f"unreachable: {path} answered {response.status_code}.", CANNOT_CHECK)
        return self.alter.get(path, lambda body: body)(data)


@pytest.fixture
def log(in_rialto: Department, rialto_client: TenantClient, tmp_path: Path) -> tuple[Log, Verifier, Path]:
    write(5)
    checkpoint_make()
    answers, verifier, state = Log(rialto_client), Verifier.parse(verifier_key()), tmp_path / "state.json"
    witness(answers, verifier, state)
    write(4)
    checkpoint_make()
    return answers, verifier, state


def _checkpoint(alter: Callable[[str], str]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: body | {"checkpoint": alter(body["checkpoint"])}


@pytest.mark.parametrize(
    ("what", "path", "alter", "says"),
    [
        (
            "a checkpoint whose size was changed",
            "/api/v1/log/checkpoint/",
            _checkpoint(lambda note: note.replace("\n9\n", "\n10\n", 1)),
            "bad signature: the checkpoint's signature does not verify with the pinned key",
        ),
        (
            "a checkpoint whose root was changed",
            "/api/v1/log/checkpoint/",
            _checkpoint(lambda note: note.replace(note.split("\n")[2], base64.b64encode(b"\x00" * 32).decode(), 1)),
            "bad signature: the checkpoint's signature does not verify",
        ),
        (
            "a checkpoint without its signature",
            "/api/v1/log/checkpoint/",
            _checkpoint(lambda note: note.split("\n\n")[0] + "\n\n"),
            "bad signature",
        ),
        ("no checkpoint at all", "/api/v1/log/checkpoint/", lambda body: {}, "bad signature: what the log served"),
        (
            "a consistency proof with a hash changed",
            "/api/v1/log/consistency/",
            lambda body: body | {"proof": [base64.b64encode(b"\x01" * 32).decode(), *body["proof"][1:]]},
            "rewritten: the log of 9 events does not contain the 5 events",
        ),
        (
            "a consistency proof cut short",
            "/api/v1/log/consistency/",
            lambda body: body | {"proof": body["proof"][:-1]},
            "the consistency proof fails",
        ),
        (
            "a consistency proof that is not base64",
            "/api/v1/log/consistency/",
            lambda body: body | {"proof": ["not base64!"]},
            "bad proof: the consistency proof is malformed (a hash is not base64)",
        ),
        (
            "a consistency proof that is not a list",
            "/api/v1/log/consistency/",
            lambda body: body | {"proof": "AAAA"},
            "bad proof: the consistency proof is malformed",
        ),
    ],
)
def test_tampered_answers_are_refused_with_a_sentence(
    log: tuple[Log, Verifier, Path], what: str, path: str, alter: Any, says: str
) -> None:
    answers, verifier, state = log
    answers.alter[path] = alter
    before = state.read_text()

    with pytest.raises(WitnessError) as raised:
        witness(answers, verifier, state)

    assert says in str(raised.value), what
    assert raised.value.status == TAMPERED
    assert state.read_text() == before  # the evidence is kept


def test_a_checkpoint_signed_by_another_key_is_refused(log: tuple[Log, Verifier, Path]) -> None:
    answers, verifier, state = log
    other_private, _other_public = private_key_generate()
    forged = note_sign(
        note_body(verifier.name, 9, b"\x00" * 32, dt.datetime.now(tz=dt.UTC)),
        name=verifier.name,
        private_key=other_private,
        public_key=verifier.public_key,  # it claims the department's key id
    )
    answers.alter["/api/v1/log/checkpoint/"] = lambda body: body | {"checkpoint": forged}

    with pytest.raises(WitnessError, match="bad signature: the checkpoint's signature does not verify"):
        witness(answers, verifier, state)


def test_a_key_other_than_the_one_the_state_was_kept_for_is_refused(log: tuple[Log, Verifier, Path]) -> None:
    answers, verifier, state = log
    _private, public = private_key_generate()
    other = Verifier(verifier.name, key_id(verifier.name, public), public)

    with pytest.raises(WitnessError, match="was kept for the key") as raised:
        witness(answers, other, state)

    assert raised.value.status == CANNOT_CHECK


# --- The standalone script, without Django, over HTTP ----------------------------------------

# Run the script in a Python that refuses to import Django or anything of Porchlight.
_NO_DJANGO = """
import runpy, sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"django", "rest_framework", "audit", "core", "tenants", "accounts", "config"}:
            raise ImportError(f"the witness must not need {name}")
sys.meta_path.insert(0, Refuse())
sys.argv = [sys.argv[1], *sys.argv[2:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


class Replay:
    """An HTTP server that answers what the real endpoints answered (recorded with the test
    client: the test's transaction is not visible to another process)."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes]] = {}
        answers = self.answers

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = answers.get(self.path, (404, b'{"detail": "Not found.", "code": "not_found"}'))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def record(self, client: TenantClient, path: str) -> None:
        response = client.get(path)
        self.answers[path] = (response.status_code, response.content)


def _run(url: str, key: str, state: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "-c", _NO_DJANGO, str(SCRIPT), "--log", url, "--key", key, "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )


def test_the_standalone_script_without_django_catches_the_rewrite(
    in_rialto: Department, rialto_client: TenantClient, tmp_path: Path
) -> None:
    replay, state, key = Replay(), tmp_path / "state.json", verifier_key()
    try:
        write(5)
        checkpoint_make()
        replay.record(rialto_client, "/api/v1/log/checkpoint/")
        first = _run(replay.url, key, state)
        assert (first.returncode, first.stderr) == (0, "")
        assert "first checkpoint stored: 5 events" in first.stdout

        write(2)
        checkpoint_make()
        replay.record(rialto_client, "/api/v1/log/checkpoint/")
        replay.record(rialto_client, "/api/v1/log/consistency/?first=5&second=7")
        grew = _run(replay.url, key, state)
        assert grew.returncode == 0, grew.stderr
        assert "grew from 5 to 7 events" in grew.stdout

        chain_rewrite(case_number="RW-1")
        write(1)
        checkpoint_make()
        replay.record(rialto_client, "/api/v1/log/checkpoint/")
        replay.record(rialto_client, "/api/v1/log/consistency/?first=7&second=8")
        caught = _run(replay.url, key, state)
        assert caught.returncode == TAMPERED
        assert "WITNESS FAILED: rewritten: the log of 8 events does not contain the 7 events" in caught.stderr

        wrong_key = _run(replay.url, key[:-6] + "AAAAA=", tmp_path / "other.json")
        assert wrong_key.returncode == CANNOT_CHECK
        assert "is not an Ed25519 verifier key" in wrong_key.stderr or "not a verifier key" in wrong_key.stderr
    finally:
        replay.server.shutdown()
        replay.server.server_close()
    down = _run(replay.url, key, state)
    assert down.returncode == CANNOT_CHECK
    assert "WITNESS FAILED: unreachable: could not fetch" in down.stderr


def test_the_script_refuses_an_unreadable_state_file(in_rialto: Department, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json")

    run = _run("http://127.0.0.1:9", verifier_key(), state)

    assert run.returncode == CANNOT_CHECK
    assert f"the state file {state} is unreadable" in run.stderr
    assert state.read_text() == "{not json"


def test_a_state_file_whose_checkpoint_was_edited_is_refused(log: tuple[Log, Verifier, Path]) -> None:
    answers, verifier, state = log
    kept = json.loads(state.read_text())
    state.write_text(json.dumps(kept | {"checkpoint": kept["checkpoint"].replace("\n5\n", "\n4\n", 1)}))

    with pytest.raises(WitnessError, match="holds a checkpoint that does not verify with the given key") as raised:
        witness(answers, verifier, state)

    assert raised.value.status == CANNOT_CHECK


# --- What the witness cannot check: a sentence and exit 2, never a traceback (issue 15) -------


def _a_key() -> str:
    _private, public = private_key_generate()
    return Verifier("rialto.localhost/audit-log", key_id("rialto.localhost/audit-log", public), public).vkey


def _run_with(url: str, key: str, state: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            _NO_DJANGO,
            str(SCRIPT),
            "--log",
            url,
            "--key",
            key,
            "--state",
            str(state),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )


NESTED = b"[" * 200_000 + b"]" * 200_000


@pytest.mark.parametrize(("status", "says"), [(200, "did not answer JSON"), (500, "answered 500")])
def test_the_script_says_so_when_the_server_answers_json_nested_too_deep(
    in_rialto: Department, tmp_path: Path, status: int, says: str
) -> None:
    replay = Replay()
    replay.answers["/api/v1/log/checkpoint/"] = (status, NESTED)
    try:
        run = _run_with(replay.url, _a_key(), tmp_path / "state.json")
    finally:
        replay.server.shutdown()
        replay.server.server_close()

    assert run.returncode == CANNOT_CHECK, run.stderr[-500:]
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("WITNESS FAILED: unreachable: ")
    assert says in run.stderr
    assert not (tmp_path / "state.json").exists()


def test_the_script_says_so_when_the_state_file_is_nested_too_deep(in_rialto: Department, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(NESTED)

    run = _run_with("http://127.0.0.1:9", _a_key(), state)

    assert run.returncode == CANNOT_CHECK, run.stderr[-500:]
    assert run.stderr.strip() == f"WITNESS FAILED: the state file {state} is unreadable; it is left as it is."
    assert state.read_bytes() == NESTED


def test_the_script_says_so_when_the_state_files_folder_does_not_exist(
    in_rialto: Department, rialto_client: TenantClient, tmp_path: Path
) -> None:
    replay, state = Replay(), tmp_path / "no-such-folder" / "state.json"
    write(3)
    checkpoint_make()
    replay.record(rialto_client, "/api/v1/log/checkpoint/")
    try:
        run = _run_with(replay.url, verifier_key(), state)
    finally:
        replay.server.shutdown()
        replay.server.server_close()

    assert run.returncode == CANNOT_CHECK, run.stderr[-500:]
    assert run.stderr.strip() == (
        f"WITNESS FAILED: the folder of the state file, {state.parent}, does not exist: create it, "
        "or give --state a file in a folder that does."
    )
    assert not state.parent.exists()


@pytest.mark.parametrize("timeout", ["-1", "0", "nan", "inf", "ten"])
def test_the_script_refuses_a_timeout_that_is_not_a_number_of_seconds(
    in_rialto: Department, tmp_path: Path, timeout: str
) -> None:
    run = _run_with("http://127.0.0.1:9", _a_key(), tmp_path / "state.json", "--timeout", timeout)

    assert run.returncode == CANNOT_CHECK, run.stderr[-500:]
    assert f"--timeout {timeout}: give the seconds to wait for each answer" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_command_says_so_when_the_state_files_folder_does_not_exist(in_rialto: Department, tmp_path: Path) -> None:
    state = tmp_path / "no-such-folder" / "state.json"

    failed = _fails(state)

    assert failed.returncode == CANNOT_CHECK
    assert "does not exist: create it" in str(failed)


def test_the_command_says_so_when_the_state_file_is_nested_too_deep(in_rialto: Department, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(NESTED)

    failed = _fails(state)

    assert failed.returncode == CANNOT_CHECK
    assert str(failed) == f"WITNESS FAILED: the state file {state} is unreadable; it is left as it is."


@pytest.mark.parametrize("timeout", ["-1", "0"])
def test_the_command_refuses_a_timeout_that_is_not_a_number_of_seconds(
    in_rialto: Department, tmp_path: Path, timeout: str
) -> None:
    with pytest.raises(CommandError) as raised:
        call_command(
            "audit_witness", log="http://127.0.0.1:9", key=_a_key(), state=str(tmp_path / "s.json"), timeout=timeout
        )

    assert raised.value.returncode == CANNOT_CHECK
    assert f"--timeout {timeout}: give the seconds to wait for each answer" in str(raised.value)


# --- One inclusion proof (--prove): "this access is in the signed log" --------------------------


def test_an_inclusion_proof_is_checked_against_the_signed_checkpoint(
    in_rialto: Department, rialto_client: TenantClient
) -> None:
    write(5)
    checkpoint_make()
    answers, verifier = Log(rialto_client), Verifier.parse(verifier_key())
    leaf = rialto_client.get("/api/v1/log/inclusion/", {"seq": 3}).json()["leaf"]

    said = inclusion_check(answers, verifier, 3, event_hash=leaf)

    assert said.startswith("ok: event #3 is leaf 2 of the signed log of 5 events")


@pytest.mark.parametrize(
    ("alter", "event_hash", "says", "status"),
    [
        (
            lambda body: body | {"proof": [base64.b64encode(b"\x01" * 32).decode(), *body["proof"][1:]]},
            None,
            "fails",
            TAMPERED,
        ),
        (lambda body: body | {"leaf": "0" * 64}, None, "the inclusion proof fails", TAMPERED),
        (lambda body: body | {"tree_size": 4}, None, "not the size of the checkpoint", TAMPERED),
        (_checkpoint(lambda note: note.replace("\n5\n", "\n6\n", 1)), None, "bad signature", TAMPERED),
        (lambda body: body, "f" * 64, "is not the event you hold", TAMPERED),
        # No checkpoint of that size was published: nothing to check yet, not a tampered log.
        (lambda body: body | {"checkpoint": None}, None, "no signed checkpoint", CANNOT_CHECK),
    ],
)
def test_a_tampered_inclusion_proof_is_refused_with_a_sentence(
    in_rialto: Department, rialto_client: TenantClient, alter: Any, event_hash: str | None, says: str, status: int
) -> None:
    write(5)
    checkpoint_make()
    answers, verifier = Log(rialto_client), Verifier.parse(verifier_key())
    answers.alter["/api/v1/log/inclusion/"] = alter

    with pytest.raises(WitnessError) as refused:
        inclusion_check(answers, verifier, 3, event_hash=event_hash)

    assert says in str(refused.value)
    assert refused.value.status == status


def test_the_standalone_script_checks_one_inclusion_proof(in_rialto: Department, rialto_client: TenantClient) -> None:
    replay, key = Replay(), verifier_key()
    try:
        write(5)
        checkpoint_make()
        replay.record(rialto_client, "/api/v1/log/inclusion/?seq=4")
        command = [sys.executable, "-I", "-c", _NO_DJANGO, str(SCRIPT), "--log", replay.url, "--key", key]
        proved = subprocess.run([*command, "--prove", "4"], capture_output=True, text=True, timeout=60, cwd="/")
        missing = subprocess.run([*command, "--prove", "9"], capture_output=True, text=True, timeout=60, cwd="/")
    finally:
        replay.server.shutdown()
        replay.server.server_close()

    assert (proved.returncode, proved.stderr) == (0, "")
    assert "ok: event #4 is leaf 3 of the signed log of 5 events" in proved.stdout
    assert missing.returncode == CANNOT_CHECK
