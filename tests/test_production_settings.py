"""Production settings refuse to start when a safety setting is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": ".porchlight.example",
    "DJANGO_DEBUG": "false",
}
PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
)


def _start(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(GOOD, DJANGO_SETTINGS_MODULE="config.settings.production")
    env.update(overrides)
    env = {k: v for k, v in env.items() if v is not None and v != "<unset>"}
    return subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"DJANGO_SECRET_KEY": "<unset>"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "insecure-porchlight-development-key-do-not-use-in-production"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG must be off"),
        ({"DJANGO_ALLOWED_HOSTS": "<unset>"}, "DJANGO_ALLOWED_HOSTS"),
        ({"FORWARDED_ALLOW_IPS": "*"}, "FORWARDED_ALLOW_IPS"),
        ({"FORWARDED_ALLOW_IPS": "127.0.0.1, *"}, "FORWARDED_ALLOW_IPS"),
    ],
)
def test_production_refuses_to_start_without_safe_settings(overrides: dict[str, str], reason: str) -> None:
    result = _start(**overrides)

    assert result.returncode != 0
    assert "refuses to start in production" in result.stderr
    assert reason in result.stderr


def test_production_starts_with_secure_cookies_and_hsts() -> None:
    result = _start()

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "True"]
