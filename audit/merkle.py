"""The Merkle tree over the access log, after RFC 9162 (Certificate Transparency 2.0), §2.1.

Pure: no Django, no database. Leaf ``i`` (0-based) is event ``#i+1``; its data is the
event's chain hash as 64 lowercase hex ASCII characters (audit.chain; docs/transparency-log.md):

    leaf hash = SHA-256(0x00 || leaf data)        node hash = SHA-256(0x01 || left || right)

and the tree of ``n`` leaves is RFC 9162's MTH(D[n]): its left subtree holds the largest power
of two below ``n`` leaves.

Every subtree the RFC's recursion ever names is made of *perfect* subtrees (2^level leaves,
starting at a multiple of 2^level), which never change once complete. Node ``(level,
index)`` is the perfect subtree over leaves ``[index << level, (index + 1) << level)``. The
database keeps every complete node (audit.checkpoints), so that:

* growing the tree from ``m`` to ``n`` leaves needs only the compact range of ``m`` (at most
  log2(m) stored nodes, the left edge) and the new leaves (``extend``);
* the root of any size is a fold of at most log2(n) stored nodes (``root_from``);
* a proof is a list of subtree ranges (``inclusion_ranges``, ``consistency_ranges``), each a
  fold of stored nodes: at most log2(n)^2 nodes, read in one query.
"""

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)

EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) = SHA-256 of the empty string


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def event_leaf(chain_hash: str) -> bytes:
    """The leaf data of an event: its chain hash as text (whatever a superuser may have put
    there: any text has a leaf, so a rewritten row never stops the tree being built)."""
    return chain_hash.encode("utf-8", "replace")


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_cover(start: int, end: int) -> list[Node]:
    """The perfect subtrees that make up leaves ``[start, end)``, left to right, largest
    first where alignment allows. For a subtree of the RFC's recursion (and for ``[0, n)``)
    these are its binary decomposition, and its hash is ``fold`` of them."""
    nodes: list[Node] = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while start + (1 << level) > end:
            level -= 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a subtree from its perfect parts (left to right): right to left, as the
    RFC's recursion pairs the left part with everything to its right."""
    if not hashes:
        return EMPTY_ROOT
    value = hashes[-1]
    for left in reversed(hashes[:-1]):
        value = node_hash(left, value)
    return value


def range_hash(span: Range, nodes: Mapping[Node, bytes]) -> bytes:
    return fold([nodes[node] for node in perfect_cover(*span)])


def root_from(size: int, nodes: Mapping[Node, bytes]) -> bytes:
    """MTH(D[size]) from the stored nodes of its compact range (``perfect_cover(0, size)``)."""
    return range_hash((0, size), nodes)


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """RFC 9162 §2.1.3.1 PATH(index, D[size]) as the leaf ranges of its hashes, leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    path.reverse()  # the RFC lists the sibling nearest the leaf first
    return path


def consistency_ranges(first: int, second: int) -> list[Range]:
    """RFC 9162 §2.1.4.1 PROOF(first, D[second]) as the leaf ranges of its hashes."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from {first} leaves to {second}")
    proof: list[Range] = []
    start, end, m, complete = 0, second, first, True
    while m != end - start:
        k = _largest_power_of_two_below(end - start)
        if m <= k:
            proof.append((start + k, end))
            end = start + k
        else:
            proof.append((start, start + k))
            start, m, complete = start + k, m - k, False
    if not complete:
        proof.append((start, end))
    proof.reverse()  # the RFC's recursion appends on the way back up
    return proof


def nodes_needed(spans: Iterable[Range]) -> set[Node]:
    return {node for span in spans for node in perfect_cover(*span)}


def extend(size: int, frontier: Mapping[Node, bytes], leaves: Sequence[bytes]) -> dict[Node, bytes]:
    """The nodes completed by appending ``leaves`` (leaf hashes) to a tree of ``size``
    leaves, whose compact range ``frontier`` holds (``perfect_cover(0, size)``'s nodes).
    Returns every new node, leaves included: what the database adds."""
    new: dict[Node, bytes] = {(0, size + offset): value for offset, value in enumerate(leaves)}
    total = size + len(leaves)
    level = 0
    while total >> (level + 1):
        for index in range(size >> (level + 1), total >> (level + 1)):
            left, right = (level, 2 * index), (level, 2 * index + 1)
            new[(level + 1, index)] = node_hash(
                new[left] if left in new else frontier[left],
                new[right] if right in new else frontier[right],
            )
        level += 1
    return new


def tree_nodes(leaves: Sequence[bytes]) -> dict[Node, bytes]:
    """Every complete node of the tree of ``leaves`` (leaf hashes): the full recomputation."""
    return extend(0, {}, leaves)


def naive_root(leaves: Sequence[bytes]) -> bytes:
    """MTH straight from the RFC's definition (tests and the benchmark's baseline)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _largest_power_of_two_below(len(leaves))
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def proof_hashes(spans: Sequence[Range], node: Callable[[Node], bytes]) -> list[bytes]:
    nodes = {wanted: node(wanted) for wanted in nodes_needed(spans)}
    return [range_hash(span, nodes) for span in spans]


def inclusion_verified(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: whether ``proof`` shows the leaf hash ``leaf`` at ``index`` of the
    tree ``root`` of ``size`` leaves (the witness script's inclusion_valid, for the pages)."""
    if not 0 <= index < size:
        return False
    fn, sn, value = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            value = node_hash(sibling, value)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            value = node_hash(value, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and value == root
