"""The Merkle tree's math (audit.merkle) against RFC 6962's test vectors and a naive reference,
its proofs checked by the standalone witness's own verifier (tools/porchlight_witness.py)."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import merkle
from tools.porchlight_witness import consistency_valid, inclusion_valid

# RFC 6962's leaves and the roots of their first n (the vectors of certificate-transparency
# and transparency-dev/merkle's testonly package).
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(str(i).encode()) for i in range(n)]


def _proof(spans: list[tuple[int, int]], nodes: dict[tuple[int, int], bytes]) -> list[bytes]:
    return merkle.proof_hashes(spans, nodes.__getitem__)


def test_the_empty_tree_is_the_hash_of_nothing() -> None:
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.root_from(0, {}) == merkle.EMPTY_ROOT


@pytest.mark.parametrize("n", range(1, 9))
def test_roots_match_rfc_6962_test_vectors(n: int) -> None:
    leaves = [merkle.leaf_hash(data) for data in LEAVES[:n]]
    nodes = merkle.tree_nodes(leaves)

    assert merkle.root_from(n, nodes).hex() == ROOTS[n - 1]
    assert merkle.naive_root(leaves).hex() == ROOTS[n - 1]


def test_inclusion_and_consistency_proofs_match_rfc_6962_test_vectors() -> None:
    nodes = merkle.tree_nodes([merkle.leaf_hash(data) for data in LEAVES])
    # transparency-dev/merkle testonly: inclusion of leaf 0 in 8, consistency 1 -> 8 and 6 -> 8.
    assert [h.hex() for h in _proof(merkle.inclusion_ranges(0, 8), nodes)] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]
    assert [h.hex() for h in _proof(merkle.consistency_ranges(6, 8), nodes)] == [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]
    assert _proof(merkle.consistency_ranges(8, 8), nodes) == []


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300), st.integers(0, 300))
def test_a_tree_grown_in_two_steps_is_the_tree_built_at_once(total: int, split: int) -> None:
    split = min(split, total)
    leaves = _leaves(total)
    first = merkle.tree_nodes(leaves[:split])
    frontier = {node: first[node] for node in merkle.perfect_cover(0, split)}

    grown = {**first, **merkle.extend(split, frontier, leaves[split:])}

    assert grown == merkle.tree_nodes(leaves)
    assert merkle.root_from(total, grown) == merkle.naive_root(leaves)
    # Every stored node is the naive root of its leaves.
    for (level, index), value in list(grown.items())[:50]:
        assert value == merkle.naive_root(leaves[index << level : (index + 1) << level])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 200), st.data())
def test_inclusion_proofs_verify_and_only_for_their_leaf(size: int, data: st.DataObject) -> None:
    leaves = _leaves(size + 3)
    nodes = merkle.tree_nodes(leaves)  # a bigger tree: its nodes must not leak into a smaller proof
    index = data.draw(st.integers(0, size - 1))
    root = merkle.naive_root(leaves[:size])

    proof = _proof(merkle.inclusion_ranges(index, size), nodes)

    assert inclusion_valid(index, size, leaves[index], proof, root)
    other = data.draw(st.integers(0, size - 1))
    if leaves[other] != leaves[index]:
        assert not inclusion_valid(index, size, leaves[other], proof, root)
    if proof:
        bent = [hashlib.sha256(proof[0]).digest(), *proof[1:]]
        assert not inclusion_valid(index, size, leaves[index], bent, root)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 200), st.data())
def test_consistency_proofs_verify_and_catch_a_changed_leaf(second: int, data: st.DataObject) -> None:
    first = data.draw(st.integers(1, second))
    leaves = _leaves(second)
    nodes = merkle.tree_nodes(leaves)
    old_root, new_root = merkle.naive_root(leaves[:first]), merkle.naive_root(leaves)

    proof = _proof(merkle.consistency_ranges(first, second), nodes)

    assert consistency_valid(first, second, old_root, new_root, proof)
    # A log that changed any of the first leaves and recomputed everything: no proof from it holds.
    changed = data.draw(st.integers(0, first - 1))
    rewritten = [*leaves]
    rewritten[changed] = merkle.leaf_hash(b"rewritten")
    rewritten_nodes = merkle.tree_nodes(rewritten)
    forged = _proof(merkle.consistency_ranges(first, second), rewritten_nodes)
    assert not consistency_valid(first, second, old_root, merkle.naive_root(rewritten), forged)


@pytest.mark.parametrize(("index", "size"), [(0, 0), (5, 5), (-1, 3)])
def test_an_inclusion_proof_of_a_leaf_outside_the_tree_is_refused(index: int, size: int) -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_ranges(index, size)


@pytest.mark.parametrize(("first", "second"), [(0, 3), (4, 3), (-1, 2)])
def test_a_consistency_proof_between_sizes_out_of_order_is_refused(first: int, second: int) -> None:
    with pytest.raises(ValueError, match="no consistency proof"):
        merkle.consistency_ranges(first, second)


def test_a_proof_reads_few_nodes() -> None:
    size = 1_000_000
    spans = merkle.inclusion_ranges(123_456, size) + merkle.consistency_ranges(654_321, size)

    assert len(merkle.nodes_needed(spans)) < 20 * 20
