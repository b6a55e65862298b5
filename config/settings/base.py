"""Settings shared by every environment.

Environment variables are read through one ``env`` object (django-environ); the
per-environment modules (local, test, production) only override what differs.
"""

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from kombu import Exchange, Queue

from config.storage import storages_from_env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# `.local/services.env` is written by scripts/services.sh with the URLs of the
# PostgreSQL and Redis it found or started; real environment variables win.
_services_env = BASE_DIR / ".local" / "services.env"
if _services_env.exists():
    env.read_env(str(_services_env), overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Only local/test may fall back to this; production.py refuses it.
INSECURE_DEFAULT_SECRET_KEY = "insecure-porchlight-development-key-do-not-use-in-production"  # noqa: S105 (refused by production.py)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[".localhost", "localhost", "127.0.0.1"])

# --- Tenancy ----------------------------------------------------------------------------
# Each app is either shared (public schema) or tenant (one copy per department schema).
SHARED_APPS = [
    "django_tenants",  # must come first
    "tenants",  # Department (the tenant), Domain, DepartmentPolicy: platform-wide records
    "django.contrib.contenttypes",  # both: content types differ per schema
    "django.contrib.auth",  # both: operators log into the public admin, staff into their tenant
    "accounts",  # both: public schema holds platform operators, each tenant its own users
    "django.contrib.sessions",  # both: sessions are per schema, so a cookie never crosses tenants
    "django.contrib.admin",  # both: operator admin in public, department admin in tenants
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's session list and WebAuthn pages load it
    "django.contrib.gis",
    "allauth",
    "allauth.account",  # both: e-mail addresses and confirmations follow the user table
    "allauth.mfa",  # both: authenticators follow the user table
    "allauth.usersessions",  # both: lets an admin end every session of a deactivated user
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "channels",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "accounts",
    "django.contrib.sessions",
    "django.contrib.admin",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "simple_history",
    "notifications",  # staff notifications: each department's staff, told within their department only
    "audit",  # the department's own append-only access log
    "places",  # the department's own address points (pg_trgm/unaccent search), below cameras
    "cameras",  # sites, cameras, consent: each department's own registry
    "portal",  # resident/business pages over the cameras services (no models)
    "console",  # department pages over the access gate (no models)
    "live",  # bridges and live-view sessions of the department
    "footage",  # footage requests, clips and their chain of custody
    "ownerdata",  # owners' own data: download everything, delete the account (no models)
    "messaging",  # officers' messages to the department's camera owners and their replies
    "compliance",  # the department's ordinances and each site's attestations, inspections, notices
    "incidents",  # the department's integrations (signed webhooks) and the incidents they send
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Department"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
# django-tenants 4.0.1 clears its cached search_path on rollback *and* on
# savepoint rollback (the fix for #1262), so setting it once per connection is
# safe; tests/tenants/test_search_path.py proves both the saving and the safety.
TENANT_LIMIT_SET_CALLS = True
# migrate_schemas skips the departments already up to date (one query for all of them) and
# hands the rest to django-tenants' executor (tenants/migration_executors.py); with
# --executor=multiprocessing, this many forked workers migrate them (make migrate).
GET_EXECUTOR_FUNCTION = "tenants.migration_executors.get_executor"
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("PORCHLIGHT_MIGRATE_PROCESSES", default=2)
TENANT_MULTIPROCESSING_CHUNKS = 1
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/porchlight")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# The role the serving processes connect as (tenants/db_grants.py, docs/database-roles.md): the
# migrations give it its privileges after they run. DATABASE_URL is the owner's for migrate,
# seed_demo and create_department, and the app role's (DATABASE_APP_URL in .local/services.env)
# for the server, workers and beat that scripts/run.sh and scripts/prod.sh start.
# Empty: no app role (the grants are skipped).
PORCHLIGHT_DB_APP_ROLE: str = env(
    "PORCHLIGHT_DB_APP_ROLE", default=urlsplit(env("DATABASE_APP_URL", default="")).username or "porchlight_app"
)
# With the pool below, this makes Django give psycopg_pool its check: each connection is
# tested as it is handed out, so after PostgreSQL restarts no request gets a dead one
# (tests/faults/test_postgres_restart.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The ASGI server borrows connections from one bounded pool (psycopg_pool, through Django's
# OPTIONS["pool"]). Under ASGI Django runs every request on a thread of its own, so
# persistent per-thread connections (CONN_MAX_AGE) grew to ~30 per idle process and made
# PostgreSQL refuse clients under load; the pool caps them at DJANGO_DB_POOL_MAX_SIZE.
# A borrowed connection is given back when the request (or consumer call) ends, and
# django-tenants forgets its cached search_path whenever a connection is given back, so the
# next borrower always sets its own (tests/test_db_pool.py proves it).
# Other processes have one thread each: commands and Celery beat keep one connection, and
# Celery's prefork children would close a pool after every task anyway, so they go without
# one by default (and a command whose database is unreachable says so at once, instead of
# waiting DJANGO_DB_POOL_TIMEOUT). config/asgi.py sets PORCHLIGHT_ASGI before loading settings.
_ASGI_SERVER = env.bool("PORCHLIGHT_ASGI", default=False)
DB_POOL_MAX_SIZE = env.int("DJANGO_DB_POOL_MAX_SIZE", default=8 if _ASGI_SERVER else 0)
if DB_POOL_MAX_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(env.int("DJANGO_DB_POOL_MIN_SIZE", default=1), DB_POOL_MAX_SIZE),
        "max_size": DB_POOL_MAX_SIZE,
        # A backend keeps the relation and catalog caches of every department schema it has
        # served and never frees them (~0.44 MB per department: 47 MB after 100 departments),
        # so each connection is replaced after this many seconds (psycopg_pool takes up to 5 %
        # off at random so they do not all reconnect at once). 60 s: a new connection costs
        # ~20-35 ms, made by the pool's own thread, once a minute per connection; bench/http_pool.py
        # measures the memory it keeps bounded.
        "max_lifetime": env.float("DJANGO_DB_POOL_MAX_LIFETIME", default=60.0),
        # Idle connections above min_size are closed after 60 s.
        "max_idle": env.float("DJANGO_DB_POOL_MAX_IDLE", default=60.0),
        # How long a request waits for a free connection before failing (psycopg_pool's
        # default is 30 s, longer than anyone waits for a page).
        "timeout": env.float("DJANGO_DB_POOL_TIMEOUT", default=10.0),
    }
else:
    # No pool: one connection per thread, kept this long.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
# Short OLTP queries: PostGIS marks its functions as costly, so without these the planner
# JIT-compiles small searches (20-60 ms) and starts parallel workers; random_page_cost for
# SSDs lets a 500-row page be fetched by index (bench/search.py, bench/README.md).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    "-c jit=off -c max_parallel_workers_per_gather=0 -c random_page_cost=1.1"
)
ORIGINAL_BACKEND = "django.contrib.gis.db.backends.postgis"
# Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial
# references. Porchlight parses GeoJSON with an explicit SRID and drops any "crs"
# member first (tenants.services.boundary_from_geojson), so no reference is read from input.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- Redis: cache, Celery broker, channel layer -------------------------------------------
REDIS_URL: str = env("REDIS_URL", default="")


def channel_prefix(url: str, *, name: str = "porchlight") -> str:
    """The pub/sub prefix of an installation on the Redis database of ``url``: ``name-<db>``.

    Pub/sub channels are one namespace for the whole Redis server, whatever the database
    number (unlike keys): two Porchlights (or test runs) on one Redis must publish under
    different prefixes, or each would hear the other's frames and pushes. Carrying the
    database number keeps installations that are kept apart by database apart on pub/sub too.
    """
    path = urlsplit(url).path.strip("/")
    return f"{name}-{int(path) if path.isdigit() else 0}"


CHANNEL_PREFIX: str = env("PORCHLIGHT_CHANNEL_PREFIX", default=channel_prefix(REDIS_URL))
# "pubsub" (the default, see redis_channel_layer) or "core": kept for comparison (bench/relay.py).
CHANNEL_LAYER_KIND: str = env("PORCHLIGHT_CHANNEL_LAYER", default="pubsub")


def redis_channel_layer(url: str, *, prefix: str = "porchlight", kind: str = "pubsub") -> dict[str, Any]:
    """The channels-redis layer on ``url``: Redis pub/sub (``kind="pubsub"``), or the core
    layer of lists and sorted sets (``kind="core"``), with Redis timeouts chosen for each.

    Why pub/sub: a camera's frame is published once and Redis hands one copy to each server
    process with a viewer of it, which fans it out in memory; the core layer pushes one copy
    per viewer into Redis and pops each back through one reader per process, which falls
    behind. With 100 KB frames at 15 fps to 50 viewers: p99 ~30 ms against ~200 ms on a quiet
    machine (issue 18); on a loaded one, 0 frames lost against thousands, with one server
    process or two (bench/relay.py, figures in bench/README.md). What pub/sub does not
    do, and nothing here relies on: queue a message for a consumer that is not subscribed at
    that instant (it is lost, as a group_send to an empty group is), bound a slow consumer's
    queue (a viewer drops frames older than STALE_FRAME_SECONDS instead), or expire
    memberships (they live in the process: they end with it, so there is no group_expiry to
    renew). Every push is a courtesy on top of a committed change that the consumers also
    re-check on their own (core.groups), a bridge that reconnects is told again what to
    stream, and each bridge connection compares every 2 s what it told its bridge with the
    views open (live.presence) and says start/stop again where they differ, so a start or
    stop lost while its process's subscriber reconnected is made good (live.consumers).

    ``prefix`` names every pub/sub channel (PORCHLIGHT_CHANNEL_PREFIX): pub/sub ignores the
    Redis database number, so deployments or test runs sharing one Redis need their own.

    Timeouts: reads time out after 15 s, connecting after 5 s. For the core layer this is
    three of its 5 s blocking pops (BZPOPMIN): redis-py 8's default 5 s socket timeout made
    an idle consumer's read time out just as Redis answered, and the consumer died (an idle
    bridge dropped every 5 s, a viewer waiting for its bridge closed with "relay
    unavailable"). The pub/sub reader polls with its own short timeout and is not affected;
    a publish to a Redis that is gone fails at once, and a viewer's watchdog, which publishes
    a probe every PORCHLIGHT_LIVE_WATCH_INTERVAL, closes the view with "relay unavailable"
    (4503). After Redis returns, redis-py subscribes the process's channels again.
    group_expiry (core only) drops the memberships of consumers that died without leaving;
    a living consumer renews its own every quarter of it (live.consumers).
    """
    host = {"address": url, "socket_timeout": 15.0, "socket_connect_timeout": 5.0, "socket_keepalive": True}
    if kind == "core":
        return {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [host], "group_expiry": 3600, "prefix": prefix},
        }
    if kind != "pubsub":
        raise ValueError(f"PORCHLIGHT_CHANNEL_LAYER must be pubsub or core, not {kind!r}")
    return {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [host], "prefix": f"{prefix}:"},
    }


if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Prefixes every key with the schema, so a rate limit (login lockout)
            # or cached value of one department never applies to another.
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "KEY_PREFIX": "porchlight",
        }
    }
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL, prefix=CHANNEL_PREFIX, kind=CHANNEL_LAYER_KIND)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The broker may be a Redis of its own, with persistence on (docs/deploy.md): CELERY_BROKER_URL.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
# Without Redis there is no worker to reach: run tasks in-process instead.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# Celery's Django fixup closes every database connection before and after each task unless
# this is set; it then closes them every this many tasks only. config/celery.py handles the
# connections instead, as Django does between requests (CONN_MAX_AGE, health checks), so the
# fixup's count is set out of reach: a worker's connection lives CONN_MAX_AGE, as elsewhere.
CELERY_DB_REUSE_MAX = 10**9
# tenant-schemas-celery reads the task's department (by its schema's name) before every task
# unless it is cached: two statements (SET search_path to public, the SELECT) of the 4-5 that
# a delivery's task costs when a batch already did its work (incidents.tasks). Kept 10 s per
# worker process: a change to a department's name, time zone or boundary reaches the workers
# within 10 s; the policy is not cached (tenants.selectors reads it afresh at each use).
CELERY_TASK_TENANT_CACHE_SECONDS = 10
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Integrations' deliveries (incidents.tasks.delivery_process_task) have a queue of their own, so
# that an incident reaches the consoles within its half second (issue 17: 50 a second) however
# long the other tasks (an import, the nightly compliance run, a slow mail server) keep the
# general workers busy. A worker started without -Q consumes both queues (tests, benchmarks, a
# single worker); make run and make run-prod start an `intake` worker for it and the general
# workers leave it (-X intake): Procfile, Procfile.prod, docs/deploy.md.
CELERY_INTAKE_QUEUE = "intake"
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue("celery", Exchange("celery"), routing_key="celery"),
    Queue(CELERY_INTAKE_QUEUE, Exchange(CELERY_INTAKE_QUEUE), routing_key=CELERY_INTAKE_QUEUE),
]
CELERY_TASK_ROUTES = {"incidents.tasks.delivery_process_task": {"queue": CELERY_INTAKE_QUEUE}}
# The outbox (tenants.outbox): tasks owed by committed actions are published again by a sweep
# every PORCHLIGHT_OUTBOX_SWEEP_SECONDS when their publish after the commit failed (broker
# down) and they are older than PORCHLIGHT_OUTBOX_GRACE_SECONDS (time for that publish to
# finish), or when they were published but not delivered PORCHLIGHT_OUTBOX_REDELIVER_SECONDS
# later: 3 hours, more than the ~2 hours a notice may spend in its own retries (8 waits of at
# most 1, 2, 4, 8, 16, 30, 30, 30 minutes) and than the broker's one-hour visibility timeout.
PORCHLIGHT_OUTBOX_SWEEP_SECONDS = env.int("PORCHLIGHT_OUTBOX_SWEEP_SECONDS", default=60)
# How often beat sends the owners' compliance reminders (compliance.reminders): hourly, so a
# reminder is at most an hour late on its day; a test's worker sets seconds to see beat send it.
PORCHLIGHT_COMPLIANCE_REMINDERS_SECONDS = env.int("PORCHLIGHT_COMPLIANCE_REMINDERS_SECONDS", default=3600)
PORCHLIGHT_OUTBOX_GRACE_SECONDS = env.int("PORCHLIGHT_OUTBOX_GRACE_SECONDS", default=60)
PORCHLIGHT_OUTBOX_REDELIVER_SECONDS = env.int("PORCHLIGHT_OUTBOX_REDELIVER_SECONDS", default=3 * 3600)
# Entries without tenant_schemas are sent to every department each time (tenant-schemas-celery).
# The every-minute ones and the anomalies instead run once, in public, as tenants.tasks.periodic_dispatch: it asks
# every department at once which have work and enters only those (tenants.periodic, bench/periodic.py).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # One sweep for every department: the outbox is in the public schema (tenants.models).
    "sweep-outbox": {
        "task": "tenants.tasks.outbox_sweep",
        "schedule": float(PORCHLIGHT_OUTBOX_SWEEP_SECONDS),
        "tenant_schemas": ["public"],
    },
    "clear-expired-sessions": {
        "task": "accounts.tasks.sessions_clear_expired",
        "schedule": 3600.0,
    },
    "purge-expired-clips": {"task": "footage.tasks.clips_purge", "schedule": 3600.0},
    "remind-footage-requests": {"task": "footage.tasks.requests_remind", "schedule": 3600.0},
    "rehash-stored-clips": {"task": "footage.tasks.clips_rehash", "schedule": 7 * 24 * 3600.0},
    "purge-abandoned-uploads": {"task": "footage.tasks.clip_uploads_purge", "schedule": 3600.0},
    # The log's check, and its department administrators told when it fails (footage.tasks).
    "verify-access-log": {"task": "footage.tasks.access_log_verify_hourly", "schedule": 3600.0},
    # The log's signed checkpoint for witnesses, in every department (audit.tasks, docs/transparency-log.md).
    "checkpoint-access-log": {"task": "audit.tasks.log_checkpoint", "schedule": 15 * 60.0},
    # Live views and bridge presences left open by a process that died (live.tasks).
    "sweep-live-views": {
        "task": "tenants.tasks.periodic_dispatch",
        "schedule": 60.0,
        "args": ["live.tasks.live_sessions_sweep"],
        "tenant_schemas": ["public"],
    },
    # Mobile cameras' tracks (kept while watched) go after the footage retention (live.positions).
    "purge-position-tracks": {"task": "live.tasks.position_samples_purge", "schedule": 3600.0},
    # Bridges whose process died without a disconnect: the stored compliance of their sites
    # ("live connection required") judged again within a minute (live.liveness).
    "sweep-bridge-liveness": {
        "task": "tenants.tasks.periodic_dispatch",
        "schedule": 60.0,
        "args": ["live.tasks.bridge_liveness_sweep"],
        "tenant_schemas": ["public"],
    },
    # Integrations' deliveries, kept PORCHLIGHT_INTEGRATION_DELIVERY_KEEP_DAYS (incidents.tasks).
    "purge-integration-deliveries": {"task": "incidents.tasks.deliveries_purge", "schedule": 3600.0},
    # Owners' timed pauses (24 hours, 7 days) end by themselves: at most this late (cameras.tasks).
    "end-timed-pauses": {
        "task": "tenants.tasks.periodic_dispatch",
        "schedule": 60.0,
        "args": ["cameras.tasks.suspensions_expire"],
        "tenant_schemas": ["public"],
    },
    # The oversight figures by police area, a minute behind the log at most (cameras.area_rollups).
    "area-rollups": {
        "task": "tenants.tasks.periodic_dispatch",
        "schedule": 60.0,
        "args": ["cameras.tasks.area_rollups_catch_up"],
        "tenant_schemas": ["public"],
    },
    # The board's anomaly queue, five minutes behind the log at most (cameras.anomalies, docs/anomalies.md).
    "anomalies": {
        "task": "tenants.tasks.periodic_dispatch",
        "schedule": 300.0,
        "args": ["cameras.tasks.anomalies_catch_up"],
        "tenant_schemas": ["public"],
    },
    # Every site's stored compliance, judged again nightly (compliance.records): the safety net
    # behind the per-change task and the read-time recheck of rows whose day has come.
    "compliance-refresh-all": {"task": "compliance.tasks.compliance_refresh_all", "schedule": 24 * 3600.0},
    # Owners reminded of attestations due and notices' cure deadlines, once each (compliance.reminders).
    "compliance-reminders": {
        "task": "compliance.tasks.reminders_send",
        "schedule": float(PORCHLIGHT_COMPLIANCE_REMINDERS_SECONDS),
    },
    # Licence files of imports left unfinished, deleted after their days (compliance.licences.services).
    "licence-import-files-purge": {"task": "compliance.tasks.licence_import_files_purge", "schedule": 24 * 3600.0},
}

# --- Django core --------------------------------------------------------------------------
MIDDLEWARE = [
    "config.middleware.TenantMiddleware",  # first: everything below runs in the tenant's schema
    "config.middleware.ApiGZipMiddleware",  # the API's JSON only (not pages: BREACH), after all else has run
    "config.middleware.StreamingConnectionMiddleware",  # a streamed clip holds no pooled connection
    "config.middleware.RequestLogMiddleware",
    "config.middleware.DepartmentTimeZoneMiddleware",
    "config.middleware.ServiceUnavailableMiddleware",  # Redis unreachable: 503 with a sentence, sign-in fails closed
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.UnreadableRequestMiddleware",  # too many parameters or fields: a 400 with a sentence
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "console.middleware.StaffRefusalLogMiddleware",  # logs console attempts the next one turns away
    "audit.middleware.BoardRefusalLogMiddleware",  # logs board-page attempts the next one turns away
    "accounts.middleware.StaffMFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "config.middleware.SignInLockoutMiddleware",  # the failed-login lockout is a 429 with Retry-After
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.ErrorPageMiddleware",  # last: 404/403/400 pages on the request's own thread (ASGI)
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tenants.context_processors.department",
            ],
        },
    }
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".local" / "staticfiles"
# Front-end packages come from npm (package.json); `make` installs them into node_modules.
STATICFILES_DIRS: list[object] = [BASE_DIR / "static"] + [
    (prefix, BASE_DIR / "node_modules" / package)
    for prefix, package in (
        ("vendor/leaflet", "leaflet/dist"),
        ("vendor/leaflet-draw", "leaflet-draw/dist"),
        ("vendor/markercluster", "leaflet.markercluster/dist"),
        ("vendor/htmx", "htmx.org/dist"),
        ("vendor/jmuxer", "jmuxer/dist"),
    )
    if (BASE_DIR / "node_modules" / package).is_dir()
]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise ahead of the
# session, login and MFA middleware: never redirected to MFA set-up, never logged as a refusal.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_ROOT = env.path("PORCHLIGHT_MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media"))
MEDIA_URL = "/media/"
# Footage goes through the named storages "clips" and "clip_staging" (config/storage.py):
# local files by default, S3-compatible object storage when PORCHLIGHT_S3_BUCKET is set.
STORAGES = storages_from_env(
    env.ENVIRON,
    staging_root=env.path("PORCHLIGHT_UPLOAD_STAGING_ROOT", default=str(BASE_DIR / ".local" / "upload-staging")),
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Sessions and login security -------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600  # residents; staff are cut much shorter, below
# Staff sessions: enforced server-side by accounts.middleware.SessionTimeoutMiddleware.
PORCHLIGHT_STAFF_IDLE_TIMEOUT_SECONDS = env.int("PORCHLIGHT_STAFF_IDLE_TIMEOUT_SECONDS", default=30 * 60)
PORCHLIGHT_STAFF_ABSOLUTE_TIMEOUT_SECONDS = env.int("PORCHLIGHT_STAFF_ABSOLUTE_TIMEOUT_SECONDS", default=12 * 3600)
CSRF_COOKIE_HTTPONLY = False  # htmx reads it

# --- allauth ---------------------------------------------------------------------------
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirmation keys are random and stored in the department's schema. allauth's default
# (HMAC) key only signs the address's row id, which another department's schema also has:
# a link mailed by one department would confirm that row in another.
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Choosing a password from an e-mailed link (a staff invitation, a reset) signs the user in: they
# just proved the mailbox and chose the password, and asking for it again at once is what made a
# new staff member type it twice (accounts.adapter: a user with MFA still gives their code).
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
# allauth's own limits (counted in the cache, whose keys carry the schema: per department),
# each from the environment (docs/rate-limits.md). Five failed logins for one e-mail in 15
# minutes lock that account until the window has passed.
ACCOUNT_RATE_LIMITS = {
    "login": env.str("PORCHLIGHT_RATE_LIMIT_LOGIN", default="30/m/ip"),
    "login_failed": env.str("PORCHLIGHT_RATE_LIMIT_LOGIN_FAILED", default="20/m/ip,5/15m/key"),
    "signup": env.str("PORCHLIGHT_RATE_LIMIT_SIGNUP", default="20/m/ip"),
    "reset_password": env.str("PORCHLIGHT_RATE_LIMIT_RESET_PASSWORD", default="20/m/ip,5/m/key"),
    "reset_password_from_key": env.str("PORCHLIGHT_RATE_LIMIT_RESET_PASSWORD_FROM_KEY", default="20/m/ip"),
}
# Porchlight's own limits (core.ratelimit, counted in Redis): amount/window/per, per being ip,
# user, token or key; several separated by commas; empty for none (docs/rate-limits.md).
PORCHLIGHT_RATE_LIMITS = {
    # One count for the API's and the console's searches: a user cannot double it by switching.
    "search": env.str("PORCHLIGHT_RATE_LIMIT_SEARCH", default="60/m/token,120/m/user"),
    "footage_request": env.str("PORCHLIGHT_RATE_LIMIT_FOOTAGE_REQUEST", default="10/m/user,200/d/user"),
    "message": env.str("PORCHLIGHT_RATE_LIMIT_MESSAGE", default="20/m/user,500/d/user"),
    # Before the token is checked: a flood of bad tokens never reaches the database.
    "bridge_connect": env.str("PORCHLIGHT_RATE_LIMIT_BRIDGE_CONNECT", default="30/m/ip,10/m/token"),
    # Pairing codes tried on /ws/bridge/pair/, per address and for the whole department (key):
    # 38-bit codes alive 15 minutes, so even the department-wide cap leaves a guess at ~1e-8.
    "bridge_pair": env.str("PORCHLIGHT_RATE_LIMIT_BRIDGE_PAIR", default="10/15m/ip,300/h/key"),
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Porchlight] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("PORCHLIGHT_SCHEME", default="http")
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The activation page offers one secret until it is used or renewed on purpose (accounts.mfa_forms).
MFA_FORMS = {"activate_totp": "accounts.mfa_forms.TotpActivateForm"}
MFA_TOTP_ISSUER = "Porchlight"
# Accept the code of the neighbouring 30-second step too (RFC 6238 §5.2 allows for clock
# drift and for a code typed just as it rolls over); allauth still refuses a reused code.
MFA_TOTP_TOLERANCE = 1
USERSESSIONS_TRACK_ACTIVITY = False

# How links in e-mails sent without a request (Celery, commands) are built.
PORCHLIGHT_SCHEME = env("PORCHLIGHT_SCHEME", default="http")
PORCHLIGHT_PORT = env.int("PORCHLIGHT_PORT", default=8000)  # 0 = default port of the scheme

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / ".local" / "mail"))
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Porchlight <no-reply@porchlight.localhost>")

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_VERSIONING_CLASS": None,
    "DEFAULT_PAGINATION_CLASS": "accounts.api_pagination.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "accounts.api_base.exception_handler",
    # JSON only: an error asked for with a browser's Accept header is JSON too (no browsable
    # API; /api/v1/docs/ is the page for people).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "accounts.api_parsers.StrictTextJSONParser",  # lone surrogates and NUL: a 400, not a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Porchlight API",
    "DESCRIPTION": "Consent-first camera registry for police departments. Every department has its "
    "own host name; all paths are relative to it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",  # the default hook, kept
        "accounts.api_schema.add_error_responses",
    ],
    # A site's compliance (cameras.site_status) has a `status` and a `code` of its own: named
    # here, since a camera's `status` would otherwise collide into a hashed name.
    "ENUM_NAME_OVERRIDES": {
        "ComplianceStatusEnum": "cameras.site_status.STATUSES",
        "RequirementCodeEnum": "cameras.site_status.REQUIREMENT_CODES",
    },
}

# --- Address search (places.geocoders) -----------------------------------------------------
# "builtin" (the department's own address index, no network), or "nominatim:<base URL>" /
# "pelias:<base URL>" for a department that runs one. Each outside request waits at most
# PORCHLIGHT_GEOCODER_TIMEOUT seconds: suggestions are typed live, and an officer would
# rather see "the address service did not answer" than a box that hangs.
PORCHLIGHT_GEOCODER = env("PORCHLIGHT_GEOCODER", default="builtin")
PORCHLIGHT_GEOCODER_TIMEOUT = env.float("PORCHLIGHT_GEOCODER_TIMEOUT", default=3.0)

# --- Integrations (incidents/): signed webhooks from CAD, gunshot detection, plate readers --
# The key that encrypts the integrations' shared secrets at rest (incidents.secrets). Empty:
# derived from SECRET_KEY (HKDF), so a leaked database alone does not give the secrets; set it
# to keep the two apart (rotating SECRET_KEY then leaves the integrations working). Any text.
PORCHLIGHT_INTEGRATION_SECRET_KEY = env("PORCHLIGHT_INTEGRATION_SECRET_KEY", default="")
# A delivery's body may be at most this large: an incident is a few hundred bytes of JSON;
# 64 KB leaves room for a verbose CAD export while bounding what a sender can make us parse.
PORCHLIGHT_INTEGRATION_MAX_BODY_BYTES = env.int("PORCHLIGHT_INTEGRATION_MAX_BODY_BYTES", default=64 * 1024)
# How far a delivery's signed time may be from ours, either way (clock skew, a retry's delay).
PORCHLIGHT_INTEGRATION_WINDOW_SECONDS = env.int("PORCHLIGHT_INTEGRATION_WINDOW_SECONDS", default=300)
# After a rotation the previous secret is still accepted this long, so the sender can switch.
PORCHLIGHT_INTEGRATION_ROTATION_GRACE_SECONDS = env.int("PORCHLIGHT_INTEGRATION_ROTATION_GRACE_SECONDS", default=3600)
# Deliveries (bodies as received) are kept this long for the integration's page, then deleted
# (incidents.tasks.deliveries_purge); their incidents stay. Must exceed the signature window:
# a replay is refused by the stored signature within the window, by the timestamp after it.
PORCHLIGHT_INTEGRATION_DELIVERY_KEEP_DAYS = env.int("PORCHLIGHT_INTEGRATION_DELIVERY_KEEP_DAYS", default=30)
# A delivery's task also takes up to this many - 1 other accepted deliveries of its department
# and processes them in the same transaction (incidents.tasks): ~19 statements and one push to
# the consoles for the lot instead of ~19 statements and a push each. 50: a second's worth at
# the issue's 50 a second; a batch of 50 took 0.23 s in process on a loaded machine (load 7-9,
# bench/intake_profile.py), inside the half second an incident may take to reach a console.
PORCHLIGHT_INTAKE_BATCH = env.int("PORCHLIGHT_INTAKE_BATCH", default=50)

# --- Content Security Policy (config.middleware) ------------------------------------------
PORCHLIGHT_TILE_URL = env("PORCHLIGHT_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
CSP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https:; connect-src 'self' ws: wss:; "
    # The live view plays H.264 through Media Source Extensions: its <video> takes a blob: URL.
    "media-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)

# --- Logging: one JSON object per line -------------------------------------------------
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"tenant": {"()": "config.logging.TenantFilter"}},
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["tenant"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "porchlight": {"level": LOG_LEVEL, "propagate": True},
    },
}

# --- Registry ----------------------------------------------------------------------------
PORCHLIGHT_SNAPSHOT_MAX_BYTES = env.int("PORCHLIGHT_SNAPSHOT_MAX_BYTES", default=5 * 1024 * 1024)

# --- Footage ---------------------------------------------------------------------------
# Messages through Porchlight (messaging/): an officer may send at most this many an hour
# (a refusal beyond it is logged), an owner may send at most this many replies an hour. A
# canvass of a block is a dozen owners; more than that an hour is a mass mailing, not a question.
PORCHLIGHT_MESSAGES_PER_HOUR = env.int("PORCHLIGHT_MESSAGES_PER_HOUR", default=30)
PORCHLIGHT_REPLIES_PER_HOUR = env.int("PORCHLIGHT_REPLIES_PER_HOUR", default=60)
# Checks of compliance certificate codes an hour from one address (portal.views.certificates):
# a person checking shop windows needs a few; more is a script guessing codes.
PORCHLIGHT_CERTIFICATE_CHECKS_PER_HOUR = env.int("PORCHLIGHT_CERTIFICATE_CHECKS_PER_HOUR", default=30)
PORCHLIGHT_CLIP_MAX_BYTES = env.int("PORCHLIGHT_CLIP_MAX_BYTES", default=2 * 1024**3)
PORCHLIGHT_DOWNLOAD_LINK_SECONDS = env.int("PORCHLIGHT_DOWNLOAD_LINK_SECONDS", default=300)
# The console player's stream link: a browser keeps fetching ranges while a clip plays.
PORCHLIGHT_STREAM_LINK_SECONDS = env.int("PORCHLIGHT_STREAM_LINK_SECONDS", default=30 * 60)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads stream to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Resumable uploads: the browser sends pieces of exactly this size (the last one smaller);
# a piece is read by the view itself, so DATA_UPLOAD_MAX_MEMORY_SIZE does not cap it.
PORCHLIGHT_UPLOAD_CHUNK_BYTES = env.int("PORCHLIGHT_UPLOAD_CHUNK_BYTES", default=8 * 1024 * 1024)
# An unfinished upload untouched this long is deleted with its pieces (footage.tasks).
PORCHLIGHT_UPLOAD_ABANDON_SECONDS = env.int("PORCHLIGHT_UPLOAD_ABANDON_SECONDS", default=24 * 3600)

# --- Live view ---------------------------------------------------------------------------
PORCHLIGHT_LIVE_MAX_FRAME_BYTES = env.int("PORCHLIGHT_LIVE_MAX_FRAME_BYTES", default=1024 * 1024)
PORCHLIGHT_LIVE_MAX_FPS = env.int("PORCHLIGHT_LIVE_MAX_FPS", default=15)
# An open live view asks the gate again this often (seconds), reading only; pushes
# (revocation, pause, owner's end, deactivation, role) and known deadlines (limit, expiry,
# window end) come sooner. 0.5 s keeps every other change (sign-out, MFA removed, policy)
# within the design's one second, with room for the check itself on a loaded machine.
PORCHLIGHT_LIVE_WATCH_INTERVAL = env.float("PORCHLIGHT_LIVE_WATCH_INTERVAL", default=0.5)
# A bridge connection renews its liveness every third of this (live.presence): its owner sees it
# offline this many seconds after its server process died (seconds).
PORCHLIGHT_LIVE_BRIDGE_ALIVE_SECONDS = env.float("PORCHLIGHT_LIVE_BRIDGE_ALIVE_SECONDS", default=6.0)
# A restarted bridge overlapping its old process needs two; more is a copied token.
PORCHLIGHT_LIVE_BRIDGE_MAX_CONNECTIONS = env.int("PORCHLIGHT_LIVE_BRIDGE_MAX_CONNECTIONS", default=3)
# Where the owner's single-file bridge download (live.bridge_pyz) is kept once built; any
# writable directory (each process builds the same bytes once). Pairing: a code the owner's page
# shows is good for this many seconds, once (live.pairing).
PORCHLIGHT_BRIDGE_PYZ_DIR = env.str(
    "PORCHLIGHT_BRIDGE_PYZ_DIR", default=str(Path(tempfile.gettempdir()) / "porchlight-bridge-pyz")
)
PORCHLIGHT_BRIDGE_PAIRING_SECONDS = env.int("PORCHLIGHT_BRIDGE_PAIRING_SECONDS", default=15 * 60)

# --- The department's own cameras (cameras.department) -------------------------------------
# A city's CCTV inventory is hundreds to a few thousand cameras; a file is checked whole, then
# stored in one transaction (all or nothing), so the rows are capped to keep that transaction
# bounded: measured 17 ms a camera on the shared 2-core test machine (1,000 rows in 17 s), so
# 5,000 rows hold it about a minute and a half. 5 MB holds 5,000 rows of GeoJSON with room to spare.
PORCHLIGHT_CAMERA_IMPORT_MAX_ROWS = env.int("PORCHLIGHT_CAMERA_IMPORT_MAX_ROWS", default=5000)
PORCHLIGHT_CAMERA_IMPORT_MAX_BYTES = env.int("PORCHLIGHT_CAMERA_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)

# --- Compliance: the city's licence and permit files (compliance.licences) ----------------
# A 50,000-row licence file is about 10 MB; ten times that is refused before it is read, with
# a message, rather than tying up a worker and the disk on a wrong file (a database dump).
PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES = env.int("PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES", default=100 * 1024 * 1024)
# Uploads refused before their body is read when larger (core.body_limit, under ASGI): the
# POST path -> the setting that holds its largest file. Elsewhere Django reads the whole body
# to a temporary file before the view can look at its size.
PORCHLIGHT_UPLOAD_LIMITS = {"/console/licences/": "PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES"}
# An uploaded licence file (names, addresses, e-mails of the city's businesses) is deleted when
# its import is done; one never imported, or stopped and not run again, after this many days.
PORCHLIGHT_LICENCE_IMPORT_FILE_DAYS = env.int("PORCHLIGHT_LICENCE_IMPORT_FILE_DAYS", default=7)
