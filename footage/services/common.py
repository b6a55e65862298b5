"""What the footage services share: text PostgreSQL can store, ids."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError

CHUNK = 1024 * 1024


def text_without_nul_check(value: str, *, field: str, message: str) -> None:
    """Refuse text PostgreSQL cannot store (the NUL character) with ``message`` on ``field``,
    as a form's CharField would, instead of failing at the database."""
    if "\x00" in value:
        raise ValidationError({field: [message]})


def valid_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
