"""Merkle benchmark: checkpoints and proofs of the access log at 1,000,000 events.

    python bench/merkle.py [--events 1000000] [--steps 10] [--step-events 1000] [--proofs 300]

In the bench department (schema ``bench``; created if missing) the access log is filled up
to ``--events`` events with one INSERT … SELECT generate_series, the log's triggers switched
off for it (as a superuser restoring a dump would): the rows are cheap search events whose
``hash`` is SHA-256 of ``bench-<seq>``, so they are not a verifying chain (the tree does not
care: its leaves are the hashes as they are; audit_verify in the bench schema will say so).
Then, timed:

* ``full recomputation`` (the baseline, what a checkpoint costs without stored nodes): read
  every event's hash and compute the root (``audit.merkle.tree_nodes`` over all leaves);
* ``first build``: the stored nodes deleted, then ``audit.checkpoints.tree_grow`` from an empty
  tree, storing every node (once per department at the upgrade, and after a rewrite);
* ``incremental checkpoint``: ``--steps`` times, ``--step-events`` new events are appended
  (untimed), then ``checkpoint_make`` (grow the tree, sign, store) is timed; and once more
  with no new event;
* ``inclusion proof`` / ``consistency proof``: ``--proofs`` random ones, through the public
  views themselves (``audit.api``: query parsing, node query, JSON), and each checked
  with the witness's verifier outside the timer.

Prints a table and writes JSON (default bench/results/merkle.json) with the load averages.
"""

import argparse
import base64
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_department, django_setup, environment, summary_ms, table, write_json

django_setup()

from django.db import connection, transaction  # noqa: E402
from django.http import HttpRequest, QueryDict  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from audit import api as api_proofs  # noqa: E402
from audit import merkle  # noqa: E402
from audit.checkpoints import checkpoint_make, tree_grow, tree_size, verifier_key  # noqa: E402
from tools.porchlight_witness import Verifier, checkpoint_open, consistency_valid, inclusion_valid  # noqa: E402

_TRIGGERS = (
    "audit_accessevent_no_update_delete",
    "audit_accessevent_no_truncate",
    "audit_accessevent_chain",
    "audit_accessevent_rollups",
)


def _fill(upto: int) -> int:
    """Append cheap events until the log has ``upto``; returns how many were added."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(seq), 0) FROM audit_accessevent")
        have = cursor.fetchone()[0]
        if have >= upto:
            return 0
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        try:
            cursor.execute(
                """
                INSERT INTO audit_accessevent (seq, occurred_at, actor_label, actor_badge, actor_role, actor_mfa,
                    session_hash, user_agent, action, targets, owner_refs, case_number, purpose_category,
                    purpose_text, authority, warrant_number, outcome, reason, consent_level, quantity_unit,
                    details, content_hash, prev_hash, hash)
                SELECT s, now() - make_interval(secs => %s - s), 'bench', '', 'officer', true, '', '', 'search',
                    '{}', '{}', '', '', '', '', '', 'allowed', 'ok', '', '', '{}', '',
                    encode(sha256(convert_to('bench-' || (s - 1), 'UTF8')), 'hex'),
                    encode(sha256(convert_to('bench-' || s, 'UTF8')), 'hex')
                FROM generate_series(%s, %s) AS s
                """,
                [upto, have + 1, upto],
            )
        finally:
            for name in _TRIGGERS:
                cursor.execute(f"ALTER TABLE audit_accessevent ENABLE ALWAYS TRIGGER {name}")
    return upto - have


def _timed(function: Any) -> tuple[int, Any]:
    start = time.perf_counter_ns()
    result = function()
    return time.perf_counter_ns() - start, result


def _view(view: Any, **params: int) -> dict[str, Any]:
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(mutable=True)
    request.GET.update({name: str(value) for name, value in params.items()})
    response = view(request)
    assert response.status_code == 200, response.content
    return json.loads(response.content)  # type: ignore[no-any-return]


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the log before timing")
    parser.add_argument("--steps", type=int, default=10, help="incremental checkpoints timed")
    parser.add_argument("--step-events", type=int, default=1_000, help="events added before each of them")
    parser.add_argument("--proofs", type=int, default=300, help="proofs of each kind timed")
    parser.add_argument("--json", help="where to write the results (default bench/results/merkle.json)")
    args = parser.parse_args()
    load_before = _load()
    department = bench_department()
    rows: list[list[Any]] = []
    results: dict[str, Any] = {}
    with tenant_context(department):
        with transaction.atomic():
            fill_ns, added = _timed(lambda: _fill(args.events))
        print(f"filled: {added:,} events added in {fill_ns / 1e9:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(seq) FROM audit_accessevent")
            size = cursor.fetchone()[0]

        def full() -> bytes:
            with connection.cursor() as cursor:
                cursor.execute("SELECT hash FROM audit_accessevent WHERE seq <= %s ORDER BY seq", [size])
                leaves = [merkle.leaf_hash(merkle.event_leaf(value)) for (value,) in cursor]
            return merkle.root_from(size, merkle.tree_nodes(leaves))

        full_ns, full_root = _timed(full)
        rows.append(["full recomputation (baseline)", size, 1, full_ns / 1e6, full_ns / 1e6])
        results["full_recomputation"] = summary_ms([full_ns])

        # The first build (at the upgrade, or after a rewrite): the derived nodes dropped, every
        # node computed and stored again, committed.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_merklenode")
        build_ns, growth = _timed(lambda: transaction.atomic()(tree_grow)())
        rows.append(["first build (stores every node)", growth.size, 1, build_ns / 1e6, build_ns / 1e6])
        results["first_build"] = summary_ms([build_ns])
        with transaction.atomic():
            caught_up = checkpoint_make()  # the tree holds every event now
        assert caught_up.tree_size == size
        assert bytes(caught_up.root_hash) == full_root, "the stored tree's root differs from the full recomputation"

        samples = []
        for _ in range(args.steps):
            with transaction.atomic():
                _fill(tree_size() + args.step_events)
            with transaction.atomic():
                elapsed, checkpoint = _timed(checkpoint_make)
            samples.append(elapsed)
        results["incremental_checkpoint"] = summary_ms(samples)
        rows.append(
            [
                f"incremental checkpoint (+{args.step_events:,} events)",
                checkpoint.tree_size,
                len(samples),
                results["incremental_checkpoint"]["p50_ms"],
                results["incremental_checkpoint"]["p99_ms"],
            ]
        )
        with transaction.atomic():
            idle_ns, checkpoint = _timed(checkpoint_make)
        results["checkpoint_no_new_events"] = summary_ms([idle_ns])
        rows.append(["checkpoint, no new event", checkpoint.tree_size, 1, idle_ns / 1e6, idle_ns / 1e6])

        verifier = Verifier.parse(verifier_key())
        latest = checkpoint_open(checkpoint.note, verifier)
        rng = random.Random(15)  # noqa: S311 (a reproducible sample, not a secret)
        inclusion, consistency = [], []
        for _ in range(args.proofs):
            seq = rng.randint(1, latest.size)
            elapsed, body = _timed(lambda seq=seq: _view(api_proofs.inclusion_api, seq=seq))
            inclusion.append(elapsed)
            leaf = merkle.leaf_hash(body["leaf"].encode())
            proof = [base64.b64decode(value) for value in body["proof"]]
            assert inclusion_valid(seq - 1, latest.size, leaf, proof, latest.root)
        for _ in range(args.proofs):
            first = rng.randint(1, latest.size)
            elapsed, body = _timed(
                lambda first=first: _view(api_proofs.consistency_api, first=first, second=latest.size)
            )
            consistency.append(elapsed)
            proof = [base64.b64decode(value) for value in body["proof"]]
            first_root = base64.b64decode(body["first_root"])
            assert consistency_valid(first, latest.size, first_root, latest.root, proof)
        for name, samples_ns in (("inclusion proof (view)", inclusion), ("consistency proof (view)", consistency)):
            stats = summary_ms(samples_ns)
            results[name] = stats
            rows.append([name, latest.size, stats["n"], stats["p50_ms"], stats["p99_ms"]])

    load_after = _load()
    print()
    print(table(["operation", "tree size", "n", "p50 ms", "p99 ms"], rows))
    print(f"\nload average before {load_before}, after {load_after}")
    payload = {"environment": environment(), "load_before": load_before, "load_after": load_after, **results}
    print(f"results: {write_json(args.json, 'merkle', payload)}")


if __name__ == "__main__":
    main()
