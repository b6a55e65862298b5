"""Ed25519 helpers that need neither Django nor a database.

The department's key itself (one per department schema) is ``audit.signing``; it signs the
evidence exports (footage.export) and the access log's checkpoints (audit.checkpoints). These
helpers work on its raw bytes, so that an export or a checkpoint can be verified in a plain
Python process.
"""

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

RAW = serialization.Encoding.Raw


def public_key_fingerprint(public_raw: bytes) -> str:
    """SHA-256 hex of the raw 32-byte public key."""
    return hashlib.sha256(bytes(public_raw)).hexdigest()


def public_key_from_private(private_raw: bytes) -> bytes:
    key = Ed25519PrivateKey.from_private_bytes(bytes(private_raw))
    return key.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)


def sign_with(private_raw: bytes, data: bytes) -> bytes:
    """Ed25519 signature (64 bytes) of ``data`` with a raw 32-byte private key."""
    return Ed25519PrivateKey.from_private_bytes(bytes(private_raw)).sign(data)


def signature_valid(public_raw: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes(public_raw)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_pem(public_raw: bytes) -> str:
    """The public key as SubjectPublicKeyInfo PEM, for ``openssl pkeyutl -verify``."""
    key = Ed25519PublicKey.from_public_bytes(bytes(public_raw))
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def private_key_generate() -> tuple[bytes, bytes]:
    """A new key pair as raw bytes: (private 32 bytes, public 32 bytes)."""
    private = Ed25519PrivateKey.generate()
    return (
        private.private_bytes(RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
        private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw),
    )
