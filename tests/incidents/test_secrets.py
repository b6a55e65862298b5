"""The shared secrets are kept encrypted under a key outside the database, and named by a fingerprint."""

import pytest
from django.test import override_settings

from incidents.secrets import (
    SecretUnreadable,
    secret_decrypt,
    secret_encrypt,
    secret_fingerprint,
    secret_generate,
    signature_for,
    signature_matches,
)


def test_a_secret_is_stored_encrypted_and_read_back_with_the_same_key() -> None:
    secret = secret_generate()

    stored = secret_encrypt(secret)

    assert secret not in stored
    assert secret_decrypt(stored) == secret
    assert secret.startswith("whsec_")
    assert len(secret) > 40


def test_two_secrets_are_never_the_same() -> None:
    assert secret_generate() != secret_generate()


def test_a_secret_stored_under_another_key_cannot_be_read() -> None:
    with override_settings(PORCHLIGHT_INTEGRATION_SECRET_KEY="the key of another installation"):
        stored = secret_encrypt("whsec_x")

    with pytest.raises(SecretUnreadable):
        secret_decrypt(stored)


def test_the_dedicated_key_keeps_secrets_readable_when_secret_key_changes() -> None:
    with override_settings(PORCHLIGHT_INTEGRATION_SECRET_KEY="dedicated", SECRET_KEY="a" * 50):
        stored = secret_encrypt("whsec_y")

    with override_settings(PORCHLIGHT_INTEGRATION_SECRET_KEY="dedicated", SECRET_KEY="b" * 50):
        assert secret_decrypt(stored) == "whsec_y"


def test_the_fingerprint_names_a_secret_without_revealing_it() -> None:
    fingerprint = secret_fingerprint("whsec_abc")

    assert len(fingerprint) == 12
    assert fingerprint == secret_fingerprint("whsec_abc")
    assert fingerprint != secret_fingerprint("whsec_abd")


@pytest.mark.parametrize("signature", ["", "0" * 64, "A" * 64])
def test_a_wrong_signature_does_not_match(signature: str) -> None:
    assert not signature_matches("whsec_k", timestamp="1", body=b"{}", signature=signature)


def test_the_signature_matches_in_either_case_of_hex() -> None:
    signature = signature_for("whsec_k", timestamp="1", body=b"{}")

    assert signature_matches("whsec_k", timestamp="1", body=b"{}", signature=signature.upper())
