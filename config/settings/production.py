"""Production settings. Refuses to start when a safety setting is missing."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DEBUG, INSECURE_DEFAULT_SECRET_KEY, SECRET_KEY, env


def _refuse(reason: str) -> None:
    raise ImproperlyConfigured(f"Porchlight refuses to start in production: {reason}")


if not SECRET_KEY or SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
    _refuse("set DJANGO_SECRET_KEY to a random value of at least 32 characters.")
if DEBUG:
    _refuse("DJANGO_DEBUG must be off.")
if not env.list("DJANGO_ALLOWED_HOSTS", default=[]) or not ALLOWED_HOSTS:
    _refuse("set DJANGO_ALLOWED_HOSTS to the platform's host names (e.g. .porchlight.example).")
# The client's address is REMOTE_ADDR everywhere (the access log, sign-in limits, the public
# certificate check's rate limit): uvicorn's --proxy-headers (Procfile) sets it from
# X-Forwarded-For only for connections from the proxies in FORWARDED_ALLOW_IPS (127.0.0.1 by
# default), taking the right-most address they did not add. "*" would let any client name
# its own address in that header, and so escape every per-address limit and fill the log
# with made-up addresses.
if "*" in [part.strip() for part in env.str("FORWARDED_ALLOW_IPS", default="127.0.0.1").split(",")]:
    _refuse("FORWARDED_ALLOW_IPS must list the reverse proxies' addresses, not '*'.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PORCHLIGHT_SCHEME = "https"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
