"""Development settings: what `make run` uses."""

from .base import *  # noqa: F403  (settings modules are star-imported by design)
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Mail is written to files under .local/mail so the demo's e-mails can be read.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
