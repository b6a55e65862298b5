"""Test settings: real PostgreSQL/PostGIS and Redis, fast hashing, in-memory e-mail."""

from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import CHANNEL_LAYER_KIND, REDIS_URL, channel_prefix, env, redis_channel_layer

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The Celery-worker test sets a file backend for its worker process.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
ALLOWED_HOSTS = [".localhost", "localhost", "testserver"]


def _redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def _test_redis_db() -> int:
    """The tests' Redis database: 15 (or PORCHLIGHT_TEST_REDIS_DB), one lower for each parallel
    worker of `make test` (pytest-xdist's gw0, gw1, ...), so that one worker's caches, rate
    limits, pub/sub prefix and Celery queue are never another's (each worker also has a
    PostgreSQL database of its own: pytest-django adds _gw0, _gw1 to its name). The result is
    written back to the environment, so a server or Celery worker a test starts inherits it
    as it is (and a test may still give one its own database)."""
    import os

    db = env.int("PORCHLIGHT_TEST_REDIS_DB", default=15)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit() and not os.environ.get("PORCHLIGHT_TEST_REDIS_DB_SET"):
        db -= int(worker[2:])
        if db < 0:
            raise RuntimeError(f"Too many parallel test workers for the tests' Redis database ({worker}).")
        os.environ["PORCHLIGHT_TEST_REDIS_DB"] = str(db)
        os.environ["PORCHLIGHT_TEST_REDIS_DB_SET"] = "1"
    return db


# Tests use their own Redis database (15), so flushing it never touches a running demo.
if REDIS_URL:
    REDIS_URL = _redis_db(REDIS_URL, _test_redis_db())
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "KEY_PREFIX": "porchlight-test",
        }
    }
    # Pub/sub ignores the database number: a prefix of the tests' database of its own keeps
    # test runs on other databases (other developers, parallel runs) from hearing these pushes.
    CHANNEL_PREFIX = env("PORCHLIGHT_CHANNEL_PREFIX", default=channel_prefix(REDIS_URL, name="porchlight-test"))
    # The same layer as in production (its Redis timeouts above all), on the tests' database.
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL, prefix=CHANNEL_PREFIX, kind=CHANNEL_LAYER_KIND)}
    CELERY_BROKER_URL = REDIS_URL
# Tests that need the worker start a real one (tests/test_celery_tenancy.py); everything
# else runs tasks in-process so a test sees their effects.
CELERY_TASK_ALWAYS_EAGER = env.bool("PORCHLIGHT_TEST_CELERY_EAGER", default=True)

# Serve static files straight from the apps and node_modules, never a stale collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

ADMINS = [("Porchlight operators", "operators@porchlight.example.org")]
