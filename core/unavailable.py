"""A service Porchlight needs is not answering: how an interface recognises it and says so.

PostgreSQL restarting (a deploy, a fail-over, a crash) ends every open connection: queries in
flight fail with OperationalError ("terminating connection due to administrator command"),
new connections are refused until it is back, and the connection pool may time out waiting
for one (psycopg_pool's PoolTimeout, an OperationalError too). None of these is a bug in the
request: the person is told the service is unavailable for a moment (503, Retry-After) in a
sentence, never shown a 500. Each interface answers in its own form (a page, the API's JSON),
with the one sentence below.
"""

import psycopg
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

__all__ = ["DATABASE_UNAVAILABLE", "RETRY_AFTER_SECONDS", "database_unavailable", "unavailable_sentence"]

# What a 503 asks clients to wait before trying again (seconds): a restarted PostgreSQL or
# Redis is back in a few seconds, a failed-over one in about a minute.
RETRY_AFTER_SECONDS = 60

# Django wraps psycopg's errors in its own classes; a PoolTimeout raised outside Django's
# wrapper (or a psycopg error that escaped it) is psycopg's own OperationalError.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be reached or dropped the connection."""
    return isinstance(exc, DATABASE_UNAVAILABLE)


def unavailable_sentence() -> str:
    return _(
        "This page is unavailable for a moment: a service Porchlight needs is not answering. "
        "Try again in a few minutes."
    )
