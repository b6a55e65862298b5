"""docs/rate-limits.md names every limit, its environment variable and its default, as the
settings have them: the page people read cannot fall behind the code."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from core.ratelimit import Limit

DOC = (Path(__file__).resolve().parents[2] / "docs" / "rate-limits.md").read_text()
ALLAUTH = ["login", "login_failed", "signup", "reset_password", "reset_password_from_key"]


def _row(name: str) -> str:
    found = re.search(rf"^\| `{name}` \|.*$", DOC, re.MULTILINE)
    assert found, f"{name} is not in docs/rate-limits.md"
    return found.group(0)


@pytest.mark.parametrize(
    ("name", "rates"),
    [(str(limit), lambda n: settings.PORCHLIGHT_RATE_LIMITS[n]) for limit in Limit]
    + [(name, lambda n: settings.ACCOUNT_RATE_LIMITS[n]) for name in ALLAUTH],
)
def test_every_limit_is_documented_with_its_variable_and_default(name: str, rates: Any) -> None:
    row = _row(name)

    assert f"`PORCHLIGHT_RATE_LIMIT_{name.upper()}`" in row
    assert f"`{rates(name)}`" in row
