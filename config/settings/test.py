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


# Tests use their own Redis database (15), so flushing it never touches a running demo.
if REDIS_URL:
    REDIS_URL = _redis_db(REDIS_URL, env.int("PORCHLIGHT_TEST_REDIS_DB", default=15))
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
