"""The log's Merkle tree in the department's schema, its signed checkpoints and its proofs.

docs/transparency-log.md describes the formats. Leaf ``i`` is event ``#i+1`` (audit.merkle:
the leaf data is the event's chain hash). The tree's complete nodes are kept in
``audit_merklenode`` (audit.models.MerkleNode), so that:

* ``tree_grow`` adds only the events since the last growth: it reads the compact range of the
  old size (at most log2 n nodes) and the new events, and writes the nodes they complete;
* a checkpoint's root is a fold of at most log2 n nodes, and a proof needs at most log2(n)^2
  nodes, read in one query (``_nodes``).

The tree is derived from the events. Before growing, the newest leaf is compared with its
event: if that event is gone or has another hash, the events were rewritten (a chain
recomputed so that audit_verify alone passes, or a restore), and the tree is rebuilt from the
events as they now are, so the next checkpoint publishes what the log holds: a witness that
kept an earlier checkpoint then finds that no consistency proof joins the two
(tools/porchlight_witness.py). Before the rebuild, the events are read beside the old leaves to
name the first that no longer matches (audit.integrity.rewrite_locate), and the rewrite is kept
as a failure of the log (audit.integrity.log_failure_found), which tells the board, the
administrators and the public; the operators are told at once (an error log and a mail).

A checkpoint is a C2SP signed note (c2sp.org/signed-note, c2sp.org/tlog-checkpoint) signed by
the department's key (audit.signing), the key that signs evidence exports.
"""

import base64
import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import Invalid, NotFound
from core.mail import mail_admins_send
from core.signing import public_key_fingerprint, sign_with
from tenants.models import Domain

from . import merkle
from .integrity import RewriteLocation, log_failure_found, rewrite_locate
from .merkle import Node
from .models import MERKLE_INDEX_BITS, SignedCheckpoint, SigningKey
from .signing import department_signing_key

logger = logging.getLogger(__name__)

_MASK = (1 << MERKLE_INDEX_BITS) - 1
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('porchlight.audit.merkle.' || current_schema()))"
_BATCH = 50_000
ORIGIN_SUFFIX = "/audit-log"
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space (C2SP signed-note)
ED25519 = b"\x01"  # the signature type of an Ed25519 key in a note's key id


class ProofError(Invalid):
    """A proof that cannot be given because the question was wrong (a size beyond the tree,
    reversed sizes): the sentence says which."""

    def __init__(self, sentence: str, *, code: str = "proof_invalid") -> None:
        super().__init__(sentence, code=code)


class ProofNotFound(NotFound):
    """A proof that cannot be given because there is nothing to prove it from (no checkpoint
    yet, no such event)."""

    def __init__(self, sentence: str, *, code: str = "proof_not_found") -> None:
        super().__init__(sentence, code=code)


def _position(node: Node) -> int:
    return node[0] << MERKLE_INDEX_BITS | node[1]


def _nodes(wanted: Iterable[Node]) -> dict[Node, bytes]:
    positions = sorted({_position(node) for node in wanted})
    if not positions:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT position, hash FROM audit_merklenode WHERE position = ANY(%s)", [positions])
        return {(position >> MERKLE_INDEX_BITS, position & _MASK): bytes(value) for position, value in cursor}


def tree_size() -> int:
    """How many events the stored tree holds (its leaves are the level-0 nodes)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(position) FROM audit_merklenode WHERE position <= %s", [_MASK])
        last = cursor.fetchone()[0]
    return 0 if last is None else last + 1


@dataclass(frozen=True)
class TreeGrowth:
    size: int
    root: bytes
    added: int  # events added to the tree by this growth
    problem: str = ""  # why the tree was rebuilt, or why it stopped short of the newest event
    rebuilt: str = ""  # why the tree was rebuilt (the events no longer matched it)


def _leaf_problem(size: int) -> str:
    """Why the stored tree no longer ends with its event (empty: it does)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM audit_accessevent WHERE seq = %s", [size])
        row = cursor.fetchone()
    if row is None:
        return f"event #{size}, the newest the tree holds, is no longer in the log: events were removed"
    if merkle.leaf_hash(merkle.event_leaf(row[0])) != _nodes([(0, size - 1)]).get((0, size - 1)):
        return (
            f"event #{size} no longer has the hash the tree holds: the events were rewritten "
            "(with their chain recomputed, or restored from elsewhere)"
        )
    return ""


def _rewritten(location: RewriteLocation) -> str:
    """Why the tree is rebuilt, naming the first event that no longer matches it."""
    if location.first == location.last:
        return (
            f"event #{location.first} no longer has the hash the tree holds: it was rewritten "
            "(with its hash recomputed, or restored from elsewhere)"
        )
    return (
        f"event #{location.first} and {location.events - 1} of the events after it, to #{location.last}, no longer "
        "have the hashes the tree holds: the events were rewritten from it on (with their chain recomputed, or "
        "restored from elsewhere)"
    )


def _insert(nodes: dict[Node, bytes]) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy("COPY audit_merklenode (position, hash) FROM STDIN") as copy:
        for node, value in nodes.items():
            copy.write_row((_position(node), value))


def tree_grow() -> TreeGrowth:
    """Add the events since the last growth to the tree (or rebuild it; see the module).
    Runs under the department's tree lock, in a transaction of its own or the caller's."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_LOCK)
        size = tree_size()
        problem = rebuilt = _leaf_problem(size) if size else ""
        if problem:
            # The newest leaf only says that something changed: the events are read once, beside
            # the tree's leaves (still there), to name the first that no longer matches.
            location = rewrite_locate()
            if location is not None:
                problem = rebuilt = _rewritten(location)
            schema = connection.schema_name  # type: ignore[attr-defined]
            logger.error("access log tree rebuilt", extra={"schema": schema, "problem": problem})
            mail_admins_send(
                kind="log-rewritten",
                about=[problem],
                subject=f"Porchlight: the access log of {schema} was rewritten",
                body=f"The log's Merkle tree was rebuilt from the events as they are now: {problem}. Witnesses "
                "holding an earlier checkpoint will find the next one inconsistent with it.",
                fail_silently=True,  # the error above is logged; the checkpoint must still be made
            )
            log_failure_found(found_by="checkpoint", problem=problem, seq=size, location=location)
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_merklenode")
            size = 0
        start = size
        frontier = _nodes(merkle.perfect_cover(0, size))
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT seq, hash FROM audit_accessevent WHERE seq > %s ORDER BY seq LIMIT %s", [size, _BATCH]
                )
                rows = cursor.fetchall()
                leaves: list[bytes] = []
                for seq, chain_hash in rows:
                    if seq != size + len(leaves) + 1:
                        gap = f"event #{size + len(leaves) + 1} is missing from the log: the tree stops before it"
                        logger.error("access log tree stopped at a gap", extra={"problem": gap})
                        problem = problem or gap
                        break
                    leaves.append(merkle.leaf_hash(merkle.event_leaf(chain_hash)))
                if leaves:
                    added = merkle.extend(size, frontier, leaves)
                    _insert(added)
                    size += len(leaves)
                    frontier = {node: added.get(node) or frontier[node] for node in merkle.perfect_cover(0, size)}
                if len(rows) < _BATCH or len(leaves) < len(rows):
                    break
        return TreeGrowth(size, merkle.root_from(size, frontier), size - start, problem, rebuilt)


# --- Checkpoints ------------------------------------------------------------------------------


def log_origin(*, key: SigningKey | None = None) -> str:
    """The log's name in its checkpoints and its key's: the department's primary host and
    ``/audit-log`` as they were when the log first named itself, then kept with the key.

    Read from the department's row, not from the connection's tenant: under schema_context
    (the beat, commands) the tenant has no host, and the log was named after its schema, which
    no published key names. Kept, not read afresh: a new host would otherwise rename the log,
    and every witness that pinned its key would report the next checkpoint as forged."""
    key = key or department_signing_key()  # a caller that has it already saves the query
    if key.log_origin:
        return key.log_origin
    schema = connection.schema_name  # type: ignore[attr-defined]
    host = Domain.objects.filter(tenant__schema_name=schema, is_primary=True).values_list("domain", flat=True).first()
    # Fixed once, whoever comes first (two first uses name it alike; the update keeps the first).
    SigningKey.objects.filter(pk=key.pk, log_origin="").update(log_origin=f"{host or schema}{ORIGIN_SUFFIX}")
    return SigningKey.objects.values_list("log_origin", flat=True).get(pk=key.pk)


def key_id(name: str, public_key: bytes) -> bytes:
    """C2SP signed-note key id: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || key)."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def verifier_key(*, key: SigningKey | None = None) -> str:
    """The log's public key as a note verifier key (``name+keyid+base64(0x01 || key)``): what a
    witness pins. ``key``: the department's signing key, if the caller has read it already."""
    key = key or department_signing_key()
    name, public = log_origin(key=key), bytes(key.public_key)
    return f"{name}+{key_id(name, public).hex()}+{base64.b64encode(ED25519 + public).decode()}"


def key_fingerprint() -> str:
    return public_key_fingerprint(bytes(department_signing_key().public_key))


def note_body(origin: str, size: int, root: bytes, made_at: dt.datetime) -> str:
    """The checkpoint's text: origin, tree size, base64 root, and one extension line, the time."""
    when = made_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {when}\n"


def note_sign(body: str, *, name: str, private_key: bytes, public_key: bytes) -> str:
    signature = sign_with(private_key, body.encode())
    line = f"{SIGNATURE_PREFIX}{name} {base64.b64encode(key_id(name, public_key) + signature).decode()}\n"
    return f"{body}\n{line}"


def checkpoint_make() -> SignedCheckpoint:
    """Grow the tree and keep a signed checkpoint of it (every 15 minutes: audit.tasks)."""
    with transaction.atomic():
        growth = tree_grow()
        key = department_signing_key()
        origin, made_at = log_origin(), timezone.now().replace(microsecond=0)
        note = note_sign(
            note_body(origin, growth.size, growth.root, made_at),
            name=origin,
            private_key=bytes(key.private_key),
            public_key=bytes(key.public_key),
        )
        return SignedCheckpoint.objects.create(
            tree_size=growth.size, root_hash=growth.root, made_at=made_at, note=note, rewrite_found=growth.rebuilt
        )


def checkpoint_latest() -> SignedCheckpoint | None:
    return SignedCheckpoint.objects.order_by("-pk").first()


def published_size() -> int:
    """How many events the latest checkpoint holds (0 before the first): an event numbered up
    to this has an inclusion proof (the owner's access list links to it)."""
    return SignedCheckpoint.objects.order_by("-pk").values_list("tree_size", flat=True).first() or 0


def checkpoint_of_size(size: int) -> SignedCheckpoint | None:
    """The latest checkpoint of ``size`` events (a tree rebuilt after a rewrite may have signed
    another root for the same size: the newest says what the log holds now)."""
    return SignedCheckpoint.objects.filter(tree_size=size).order_by("-pk").first()


def _published_size() -> int:
    latest = checkpoint_latest()
    if latest is None:
        raise ProofNotFound(_("The log has no checkpoint yet; the first is made within 15 minutes."))
    return latest.tree_size


def _within_tree(size: int, what: str) -> None:
    """Proofs are given for the published tree, and for the stored one (the same, unless a
    rebuild is under way)."""
    published = _published_size()
    if size > published:
        raise ProofError(
            _("%(name)s %(size)s is beyond the latest checkpoint, of %(published)s events.")
            % {"name": what, "size": size, "published": published}
        )
    if size > tree_size():
        raise ProofError(
            _("%(name)s %(size)s is beyond the stored tree; ask again after the next checkpoint.")
            % {"name": what, "size": size}
        )


def consistency_proof(first: int, second: int) -> list[bytes]:
    """RFC 9162 consistency proof from the tree of ``first`` events to that of ``second``."""
    if first < 1:
        raise ProofError(_("first must be at least 1: there is no proof from the empty log."))
    if first > second:
        raise ProofError(
            _("first (%(first)s) must not be larger than second (%(second)s).") % {"first": first, "second": second}
        )
    _within_tree(second, "second")
    spans = merkle.consistency_ranges(first, second)
    return merkle.proof_hashes(spans, _nodes(merkle.nodes_needed(spans)).__getitem__)


@dataclass(frozen=True)
class Inclusion:
    seq: int
    leaf_index: int
    tree_size: int
    chain_hash: str  # the event's hash: the leaf data
    proof: list[bytes]


def inclusion_proof(seq: int, size: int | None = None) -> Inclusion:
    """RFC 9162 inclusion proof of event ``#seq`` (leaf ``seq - 1``) in the tree of ``size``
    events (default: the latest checkpoint's)."""
    if seq < 1:
        raise ProofError(_("seq must be at least 1: events are numbered from #1."))
    size = _published_size() if size is None else size
    if size < 1:
        raise ProofError(_("tree_size must be at least 1."))
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM audit_accessevent WHERE seq = %s", [seq])
        row = cursor.fetchone()
    if row is None:
        raise ProofNotFound(_("There is no event #%(seq)s in the log.") % {"seq": seq})
    if seq > size:
        raise ProofError(
            _("Event #%(seq)s is not in the tree of %(size)s events yet; it will be in the next checkpoint after it.")
            % {"seq": seq, "size": size}
        )
    _within_tree(size, "tree_size")
    spans = merkle.inclusion_ranges(seq - 1, size)
    proof = merkle.proof_hashes(spans, _nodes(merkle.nodes_needed(spans)).__getitem__)
    return Inclusion(seq, seq - 1, size, row[0], proof)


@dataclass(frozen=True)
class OwnerProof:
    """An owner's access and its proof, for the page the access list links to."""

    seq: int
    event_hash: str
    inclusion: Inclusion | None  # None: no published checkpoint holds the event yet
    checkpoint: SignedCheckpoint | None
    verified: bool  # the proof holds against the checkpoint's signed root

    @property
    def proof_b64(self) -> list[str]:
        return [base64.b64encode(value).decode() for value in self.inclusion.proof] if self.inclusion else []


def owner_proof(*, owner_id: int, seq: int) -> OwnerProof:
    """The proof of event ``#seq`` if it touched the owner's cameras; NotFound otherwise (an
    event of someone else's cameras is none of theirs: the same answer as no such event)."""
    from .selectors import events_for_owner  # here: selectors import this module

    event_hash = events_for_owner(owner_id=owner_id).filter(seq=seq).values_list("hash", flat=True).first()
    if event_hash is None:
        raise NotFound(_("There is no such access to your cameras."), code="not_found")
    checkpoint = checkpoint_latest()
    if checkpoint is None or seq > checkpoint.tree_size:
        return OwnerProof(seq, event_hash, None, None, False)
    # inclusion_proof's reads less the event (read above) and the checks a page needs not: the
    # latest checkpoint's size is within the stored tree unless it was rebuilt, which the
    # verification below then shows.
    spans = merkle.inclusion_ranges(seq - 1, checkpoint.tree_size)
    try:
        proof = merkle.proof_hashes(spans, _nodes(merkle.nodes_needed(spans)).__getitem__)
    except KeyError:  # the stored tree is being rebuilt and no longer reaches the checkpoint
        cut = Inclusion(seq, seq - 1, checkpoint.tree_size, event_hash, [])
        return OwnerProof(seq, event_hash, cut, checkpoint, False)
    inclusion = Inclusion(seq, seq - 1, checkpoint.tree_size, event_hash, proof)
    verified = merkle.inclusion_verified(
        inclusion.leaf_index,
        inclusion.tree_size,
        merkle.leaf_hash(merkle.event_leaf(inclusion.chain_hash)),
        inclusion.proof,
        bytes(checkpoint.root_hash),
    )
    return OwnerProof(seq, event_hash, inclusion, checkpoint, verified)


def root_of(size: int) -> bytes:
    """The stored tree's root at ``size`` (at most the stored size)."""
    return merkle.root_from(size, _nodes(merkle.perfect_cover(0, size)))


# --- Does the log still match its checkpoints? -------------------------------------------------


def checkpoint_mismatch(checkpoint: SignedCheckpoint) -> str:
    """Why the log no longer matches ``checkpoint`` (empty: it does). A few indexed reads,
    whatever the log's size: the stored tree's root at the checkpoint's size must be its root
    (else the tree was rebuilt from rewritten events), and the checkpoint's last event must still
    have the hash of its leaf (else the events were rewritten since the tree last grew; the chain
    ties every earlier event to it)."""
    size = checkpoint.tree_size
    if size == 0:
        return ""
    if tree_size() < size:
        return _("the log no longer holds the %(size)s events of this checkpoint") % {"size": size}
    if root_of(size) != bytes(checkpoint.root_hash):
        return _("the log's events up to #%(size)s are no longer those this checkpoint signed") % {"size": size}
    if _leaf_problem(size):
        return _("event #%(size)s, or one before it, was rewritten after this checkpoint was signed") % {"size": size}
    return ""


@dataclass(frozen=True)
class LogIntegrity:
    """What the board's integrity banner states: the latest signed checkpoint, whether the log
    still matches it and every earlier one, and the latest rebuild of the tree that found the
    events rewritten (kept with the checkpoint that followed it)."""

    latest: SignedCheckpoint | None
    problem: str  # why the log no longer matches a stored checkpoint (empty: it matches them all)
    rewrite: SignedCheckpoint | None  # the latest checkpoint whose tree was rebuilt


def log_integrity() -> LogIntegrity:
    """Cheap at any size: the latest checkpoint is checked (checkpoint_mismatch); the earlier
    ones match it unless a rebuild was recorded since, as the tree otherwise only grows, so the
    checkpoint before the latest rebuild is checked too."""
    latest = checkpoint_latest()
    if latest is None:
        return LogIntegrity(None, "", None)
    problem = checkpoint_mismatch(latest)
    rewrite = SignedCheckpoint.objects.exclude(rewrite_found="").order_by("-pk").first()
    if not problem and rewrite is not None:
        before = SignedCheckpoint.objects.filter(pk__lt=rewrite.pk).order_by("-pk").first()
        if before is not None and checkpoint_mismatch(before):
            problem = _(
                "the tree was rebuilt from rewritten events on %(at)s (%(why)s): the checkpoints signed "
                "before it no longer match the log"
            ) % {
                # the board's page reads times in the department's zone (the request's), named
                "at": date_format(timezone.localtime(rewrite.made_at), "Y-m-d H:i T"),
                "why": rewrite.rewrite_found,
            }
    return LogIntegrity(latest, problem, rewrite)
