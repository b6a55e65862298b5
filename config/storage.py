"""Where files live: Django's STORAGES, with the clip store on S3 when it is configured.

Kept apart from the settings module so a test can build the same configuration from its
own environment (a local S3-compatible server) and prove it, rather than a copy of it.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Environment variables that select S3-compatible object storage for footage.
S3_BUCKET = "PORCHLIGHT_S3_BUCKET"
S3_ENDPOINT_URL = "PORCHLIGHT_S3_ENDPOINT_URL"
S3_REGION = "PORCHLIGHT_S3_REGION"
S3_ACCESS_KEY_ID = "PORCHLIGHT_S3_ACCESS_KEY_ID"
S3_SECRET_ACCESS_KEY = "PORCHLIGHT_S3_SECRET_ACCESS_KEY"  # noqa: S105 (the variable's name, not a secret)
S3_ADDRESSING_STYLE = "PORCHLIGHT_S3_ADDRESSING_STYLE"
S3_CLIPS_PREFIX = "PORCHLIGHT_S3_CLIPS_PREFIX"
S3_STAGING_PREFIX = "PORCHLIGHT_S3_STAGING_PREFIX"


def _s3(environ: Mapping[str, str], *, location: str, overwrite: bool) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bucket_name": environ[S3_BUCKET],
        "location": location,
        "file_overwrite": overwrite,
        "default_acl": None,  # the bucket's own policy decides; footage is never public
        "querystring_auth": True,
        "signature_version": "s3v4",
    }
    for key, variable in (
        ("endpoint_url", S3_ENDPOINT_URL),
        ("region_name", S3_REGION),
        ("access_key", S3_ACCESS_KEY_ID),
        ("secret_key", S3_SECRET_ACCESS_KEY),
        ("addressing_style", S3_ADDRESSING_STYLE),
    ):
        if environ.get(variable):
            options[key] = environ[variable]
    # Without keys, boto3's own chain applies (instance profile, AWS_* variables, ...).
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def storages_from_env(environ: Mapping[str, str], *, staging_root: Path | str) -> dict[str, dict[str, Any]]:
    """STORAGES for these environment variables.

    ``clips`` holds the original footage (keys start with the department's schema);
    ``clip_staging`` holds the pieces of resumable uploads until they are finished or
    abandoned, outside the clip store. With ``PORCHLIGHT_S3_BUCKET`` set both go to that
    bucket (under separate prefixes), so any app server can take the next piece of an
    upload; otherwise clips go under MEDIA_ROOT and pieces under ``staging_root``.
    """
    storages: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if environ.get(S3_BUCKET):
        # Evidence is never overwritten in place; a retried piece of an upload is.
        storages["clips"] = _s3(environ, location=environ.get(S3_CLIPS_PREFIX, ""), overwrite=False)
        storages["clip_staging"] = _s3(environ, location=environ.get(S3_STAGING_PREFIX, "staging"), overwrite=True)
    else:
        storages["clips"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # MEDIA_ROOT
        storages["clip_staging"] = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(staging_root)},
        }
    return storages
