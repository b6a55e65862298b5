"""The log's Merkle tree in the database, its signed checkpoints and the public proof endpoints,
checked with the standalone witness's own verifier (tools/porchlight_witness.py)."""

import base64

import pytest
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context, tenant_context

from audit import merkle
from audit.checkpoints import checkpoint_make, tree_grow, tree_size, verifier_key
from audit.models import AccessEvent, MerkleNode, SignedCheckpoint
from audit.selectors import guard_triggers_weakened
from audit.services import ActorSnapshot, EventFacts, access_event_record
from audit.signing import department_signing_key
from core.signing import public_key_fingerprint
from tenants.models import Department, Domain
from tests.audit.tampering import log_emptied
from tests.conftest import TenantClient
from tools.porchlight_witness import Verifier, WitnessError, checkpoint_open, consistency_valid, inclusion_valid

ENDPOINTS = ("/api/v1/log/checkpoint/", "/api/v1/log/consistency/?first=1&second=2", "/api/v1/log/inclusion/?seq=1")
ACTOR = ActorSnapshot(user_id=7, label="Officer Test", badge="4711", role="officer", mfa=True, ip="10.0.0.1")


@pytest.fixture(autouse=True)
def empty_logs(rialto: Department, fontana: Department) -> None:
    """Each test starts from empty logs (tests.audit.tampering.log_emptied), rolled back after it."""
    for department in (rialto, fontana):
        with tenant_context(department):
            log_emptied()


def write(n: int) -> None:
    for _ in range(n):
        access_event_record(actor=ACTOR, facts=EventFacts(action="search", outcome="allowed", reason="ok"))


def _leaves() -> list[bytes]:
    hashes = AccessEvent.objects.order_by("seq").values_list("hash", flat=True)
    return [merkle.leaf_hash(merkle.event_leaf(value)) for value in hashes]


def _b64(values: list[str]) -> list[bytes]:
    return [base64.b64decode(value) for value in values]


def test_an_empty_log_has_a_signed_checkpoint_of_the_empty_tree(in_rialto: Department) -> None:
    checkpoint = checkpoint_make()

    opened = checkpoint_open(checkpoint.note, Verifier.parse(verifier_key()))
    assert (opened.size, opened.root) == (0, merkle.EMPTY_ROOT)
    assert opened.origin == "rialto.localhost/audit-log"
    lines = checkpoint.note.split("\n")
    assert lines[:3] == ["rialto.localhost/audit-log", "0", base64.b64encode(merkle.EMPTY_ROOT).decode()]
    assert lines[3].startswith("time ")
    assert lines[4] == ""
    assert lines[5].startswith("\u2014 rialto.localhost/audit-log ")


def test_a_checkpoint_made_outside_a_request_verifies_with_the_published_key(
    rialto: Department, rialto_client: TenantClient
) -> None:
    # The beat and commands work under schema_context, whose tenant has no host: the log was
    # named "rialto/audit-log" there, and no witness holding the published key accepted it.
    with schema_context("rialto"):
        write(2)
        made = checkpoint_make()

    served = rialto_client.get("/api/v1/log/checkpoint/").json()

    opened = checkpoint_open(made.note, Verifier.parse(served["key"]["verifier"]))
    assert opened.origin == served["origin"] == "rialto.localhost/audit-log"


def test_a_new_primary_host_does_not_rename_the_log(in_rialto: Department) -> None:
    pinned = Verifier.parse(verifier_key())
    # The operator moves the department to a new host (as the admin site would, in public).
    Domain.objects.filter(tenant=in_rialto).update(is_primary=False)
    Domain.objects.create(tenant=in_rialto, domain="cameras.rialto.example.org", is_primary=True)
    assert in_rialto.get_primary_domain().domain == "cameras.rialto.example.org"

    checkpoint = checkpoint_make()

    assert checkpoint_open(checkpoint.note, pinned).origin == "rialto.localhost/audit-log"
    assert verifier_key() == pinned.vkey


def test_the_tree_grows_incrementally_to_the_tree_built_at_once(in_rialto: Department) -> None:
    write(5)
    first = checkpoint_make()
    write(8)

    growth = tree_grow()

    assert (first.tree_size, growth.size, growth.added, growth.problem) == (5, 13, 8, "")
    stored = {
        (node.position >> 48, node.position & ((1 << 48) - 1)): bytes(node.hash) for node in MerkleNode.objects.all()
    }
    assert stored == merkle.tree_nodes(_leaves())
    assert growth.root == merkle.naive_root(_leaves())
    assert bytes(first.root_hash) == merkle.naive_root(_leaves()[:5])


def test_the_api_serves_checkpoints_and_proofs_that_verify(in_rialto: Department, rialto_client: TenantClient) -> None:
    write(6)
    old = checkpoint_make()
    write(7)
    new = checkpoint_make()
    verifier = Verifier.parse(verifier_key())

    latest = rialto_client.get("/api/v1/log/checkpoint/").json()
    by_size = rialto_client.get("/api/v1/log/checkpoint/?size=6").json()
    proof = rialto_client.get("/api/v1/log/consistency/?first=6&second=13").json()

    assert latest["checkpoint"] == new.note
    assert latest["key"]["verifier"] == verifier.vkey
    assert latest["key"]["fingerprint"] == public_key_fingerprint(bytes(department_signing_key().public_key))
    assert by_size["checkpoint"] == old.note
    first, second = checkpoint_open(by_size["checkpoint"], verifier), checkpoint_open(latest["checkpoint"], verifier)
    assert consistency_valid(6, 13, first.root, second.root, _b64(proof["proof"]))
    leaves = _leaves()
    for seq in range(1, 14):
        inclusion = rialto_client.get(f"/api/v1/log/inclusion/?seq={seq}").json()
        assert (inclusion["leaf_index"], inclusion["tree_size"]) == (seq - 1, 13)
        assert base64.b64decode(inclusion["leaf_hash"]) == leaves[seq - 1]
        assert merkle.leaf_hash(inclusion["leaf"].encode()) == leaves[seq - 1]
        assert inclusion_valid(seq - 1, 13, leaves[seq - 1], _b64(inclusion["proof"]), second.root)
    older = rialto_client.get("/api/v1/log/inclusion/?seq=2&tree_size=6").json()
    assert inclusion_valid(1, 6, leaves[1], _b64(older["proof"]), first.root)
    assert older["checkpoint"] == old.note
    text = rialto_client.get("/audit-log/checkpoint")
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content.decode() == new.note


def test_the_endpoints_need_no_login(in_rialto: Department, rialto_client: TenantClient) -> None:
    write(2)
    checkpoint_make()
    rialto_client.logout()

    for path in (
        "/api/v1/log/checkpoint/",
        "/api/v1/log/consistency/?first=1&second=2",
        "/api/v1/log/inclusion/?seq=1",
    ):
        assert rialto_client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("path", "status", "code", "says"),
    [
        ("/api/v1/log/consistency/?first=9&second=4", 400, "invalid", "first (9) must not be larger than second (4)"),
        ("/api/v1/log/consistency/?first=2&second=99", 400, "invalid", "second 99 is beyond the latest checkpoint"),
        ("/api/v1/log/consistency/?first=0&second=4", 400, "invalid", "first must be at least 1"),
        ("/api/v1/log/consistency/?first=two&second=4", 400, "invalid", "first must be a whole number"),
        ("/api/v1/log/consistency/?first=-1&second=4", 400, "invalid", "first must be a whole number"),
        ("/api/v1/log/consistency/?first=1.5&second=4", 400, "invalid", "first must be a whole number"),
        ("/api/v1/log/consistency/?first=1&second=99999999999999999999", 400, "invalid", "second must be a whole"),
        ("/api/v1/log/consistency/?second=4", 400, "invalid", "first is required"),
        ("/api/v1/log/inclusion/", 400, "invalid", "seq is required"),
        ("/api/v1/log/inclusion/?seq=x", 400, "invalid", "seq must be a whole number"),
        ("/api/v1/log/inclusion/?seq=0", 400, "invalid", "seq must be at least 1"),
        ("/api/v1/log/inclusion/?seq=999", 404, "not_found", "There is no event #999"),
        ("/api/v1/log/inclusion/?seq=5", 400, "invalid", "Event #5 is not in the tree of 4 events yet"),
        ("/api/v1/log/inclusion/?seq=2&tree_size=50", 400, "invalid", "tree_size 50 is beyond the latest"),
        ("/api/v1/log/inclusion/?seq=3&tree_size=2", 400, "invalid", "Event #3 is not in the tree of 2 events"),
        ("/api/v1/log/inclusion/?seq=1&tree_size=0", 400, "invalid", "tree_size must be at least 1"),
        ("/api/v1/log/checkpoint/?size=77", 404, "not_found", "No checkpoint of 77 events"),
        ("/api/v1/log/checkpoint/?size=%00", 400, "invalid", "size must be a whole number"),
    ],
)
def test_bad_questions_get_the_apis_errors(
    in_rialto: Department, rialto_client: TenantClient, path: str, status: int, code: str, says: str
) -> None:
    write(4)
    checkpoint_make()
    write(1)  # event #5 exists, but no checkpoint holds it yet

    response = rialto_client.get(path)

    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert says in body["detail"]


def test_before_the_first_checkpoint_every_endpoint_says_so(in_rialto: Department, rialto_client: TenantClient) -> None:
    write(2)

    for path in (
        "/api/v1/log/checkpoint/",
        "/api/v1/log/consistency/?first=1&second=2",
        "/api/v1/log/inclusion/?seq=1",
    ):
        response = rialto_client.get(path)
        assert response.status_code == 404, path
        assert "no checkpoint yet" in response.json()["detail"]
    assert rialto_client.get("/audit-log/checkpoint").status_code == 404


def test_only_get_is_allowed(in_rialto: Department, rialto_client: TenantClient) -> None:
    checkpoint_make()

    response = rialto_client.post("/api/v1/log/checkpoint/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert SignedCheckpoint.objects.count() == 1


def test_checkpoints_are_append_only_and_guarded(in_rialto: Department) -> None:
    checkpoint = checkpoint_make()

    for statement in ("UPDATE audit_signedcheckpoint SET tree_size = 9", "DELETE FROM audit_signedcheckpoint"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)

    assert SignedCheckpoint.objects.get().tree_size == checkpoint.tree_size
    assert guard_triggers_weakened() == []


def test_one_departments_checkpoints_and_proofs_never_verify_as_anothers(
    rialto: Department, fontana: Department, rialto_client: TenantClient, fontana_client: TenantClient
) -> None:
    with tenant_context(fontana):
        write(3)
        checkpoint_make()
        fontana_key = verifier_key()
    with tenant_context(rialto):
        write(3)
        checkpoint_make()
        rialto_key = verifier_key()
    rialto_note = rialto_client.get("/api/v1/log/checkpoint/").json()["checkpoint"]
    fontana_note = fontana_client.get("/api/v1/log/checkpoint/").json()["checkpoint"]

    assert rialto_key != fontana_key
    assert rialto_note != fontana_note
    assert "fontana" not in rialto_note
    for note, key in ((rialto_note, fontana_key), (fontana_note, rialto_key)):
        with pytest.raises(WitnessError, match="bad signature"):
            checkpoint_open(note, Verifier.parse(key))
    # The same event number in each: each department's proof is of its own event only.
    rialto_root = checkpoint_open(rialto_note, Verifier.parse(rialto_key)).root
    fontana_proof = fontana_client.get("/api/v1/log/inclusion/?seq=2").json()
    assert not inclusion_valid(
        1, 3, base64.b64decode(fontana_proof["leaf_hash"]), _b64(fontana_proof["proof"]), rialto_root
    )
    with tenant_context(rialto):
        assert tree_size() == 3


def test_a_gap_in_the_log_stops_the_tree_before_it_and_says_so(in_rialto: Department) -> None:
    from tests.audit.tampering import superuser_sql

    write(5)
    superuser_sql("DELETE FROM audit_accessevent WHERE seq = %s", [3])

    growth = tree_grow()

    assert (growth.size, growth.added) == (2, 2)
    assert growth.problem == "event #3 is missing from the log: the tree stops before it"
    assert checkpoint_make().tree_size == 2


@pytest.mark.parametrize(
    "path", ["/api/v1/log/checkpoint/", "/api/v1/log/consistency/", "/api/v1/log/inclusion/", "/audit-log/checkpoint"]
)
def test_a_post_without_a_csrf_token_gets_the_documented_405_not_a_csrf_page(in_rialto: Department, path: str) -> None:
    """A browser's test client skips CSRF checks; a witness's script does not send a token."""
    checkpoint_make()
    client = TenantClient("rialto.localhost", enforce_csrf_checks=True)

    response = client.post(path)

    assert response.status_code == 405
    if path.startswith("/api/"):
        assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]
    assert SignedCheckpoint.objects.count() == 1
