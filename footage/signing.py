"""The department's Ed25519 key for signing evidence exports.

Each department (tenant schema) has one signing key, created on first use. Its public
key's fingerprint (SHA-256 of the 32 raw bytes, hex) is what a court or defence expert
compares with the department's transparency page.

The pure helpers here (``public_key_fingerprint``, ``sign_with``, ``signature_valid``)
need neither Django settings nor a database, so ``footage.export`` can verify an export
in a plain Python process; only ``department_signing_key`` and ``sign`` touch the
database, and they import the model lazily.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

if TYPE_CHECKING:
    from footage.models import SigningKey

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


def department_signing_key() -> SigningKey:
    """The current tenant's signing key, created on first use.

    Creation runs under a per-schema advisory transaction lock, so two concurrent first
    exports end up with the same single key. Call it inside the tenant's schema.
    """
    from django.db import connection, transaction
    from django_tenants.utils import get_public_schema_name

    from footage.models import SigningKey

    if connection.schema_name == get_public_schema_name():  # type: ignore[attr-defined]
        raise RuntimeError("signing keys belong to a department; activate its schema first")
    key = SigningKey.objects.order_by("pk").first()
    if key is not None:
        return key
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('porchlight.footage.signing.' || current_schema()))")
        key = SigningKey.objects.order_by("pk").first()
        if key is None:
            private = Ed25519PrivateKey.generate()
            key = SigningKey.objects.create(
                private_key=private.private_bytes(RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
                public_key=private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw),
            )
    return key


def sign(data: bytes) -> bytes:
    """Sign ``data`` with the current department's key."""
    return sign_with(bytes(department_signing_key().private_key), data)
