"""The integrations' shared secrets: made, kept encrypted, fingerprinted, and used to check
a delivery's signature (docs/webhooks.md).

Why encrypted and not hashed: a sender signs each delivery with HMAC-SHA256 under the shared
secret, and checking that signature needs the secret itself; a hash of it (as for passwords)
could not check anything. So the secret is kept encrypted (Fernet: AES-128-CBC with an
HMAC-SHA256 tag) under a key that is *not* in the database: ``PORCHLIGHT_INTEGRATION_SECRET_KEY``
or, when it is empty, a key derived from ``SECRET_KEY`` with HKDF. A copy of the database
alone (a backup, a read-only leak) gives no secret; someone with both the database and the
application's settings can read them, as they could forge any session. Pages show only a
fingerprint (the first 12 hex digits of the secret's SHA-256), which names a secret without
revealing it. The secret itself is shown once, when made or rotated.

Changing the key (or SECRET_KEY, when the key is derived from it) makes the stored secrets
unreadable: every integration then needs a rotation. Set the dedicated key to avoid that.
"""

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = [
    "SecretUnreadable",
    "secret_decrypt",
    "secret_encrypt",
    "secret_fingerprint",
    "secret_generate",
    "signature_for",
    "signature_matches",
]

# Senders can tell a Porchlight secret from their other keys by this prefix.
PREFIX = "whsec_"
# 32 random bytes: HMAC-SHA256's own block of strength; more adds nothing.
SECRET_BYTES = 32


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted (the key changed): the integration needs a rotation."""


def _fernet() -> Fernet:
    configured = settings.PORCHLIGHT_INTEGRATION_SECRET_KEY
    material = (configured or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"porchlight integration secrets").derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def secret_generate() -> str:
    return PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable from exc


def secret_fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def signature_for(secret: str, *, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 a sender puts after ``sha256=``: over ``<timestamp>.`` + the raw body."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, *, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison of a received hex signature with the expected one."""
    return hmac.compare_digest(signature_for(secret, timestamp=timestamp, body=body), signature.lower())
