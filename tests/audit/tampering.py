"""What someone with superuser rights on the database can do to the access log."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def replica_mode() -> Iterator[None]:
    """The test's transaction in replica mode, which skips triggers not enabled ALWAYS
    (session_replication_role: a superuser's, or a role's granted SET on it)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
