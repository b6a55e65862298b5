"""Every action and every reason code the gate can write is documented."""

import re
from pathlib import Path

import pytest

from audit.models import Action
from cameras.access import _MESSAGES
from cameras.consent import Reason
from footage.services import LINK_REASONS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "audit-events.md").read_text()


@pytest.mark.parametrize("action", [a.value for a in Action])
def test_every_action_is_documented(action: str) -> None:
    assert re.search(rf"^\| `{action}` \|", DOC, re.MULTILINE), f"{action} is missing from docs/audit-events.md"


@pytest.mark.parametrize("reason", sorted({*_MESSAGES, *(r.value for r in Reason), *LINK_REASONS}))
def test_every_reason_code_is_documented(reason: str) -> None:
    assert f"`{reason}`" in DOC
