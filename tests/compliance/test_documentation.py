"""Every requirement code a judgement can carry is documented for the people who set up
ordinances (docs/ordinance-requirements.md)."""

from pathlib import Path

import pytest

from compliance.rules import Requirement, Status

DOC = (Path(__file__).resolve().parents[2] / "docs" / "ordinance-requirements.md").read_text()


@pytest.mark.parametrize("code", [r.value for r in Requirement])
def test_every_requirement_code_is_documented(code: str) -> None:
    assert f"| `{code}` |" in DOC, f"{code} is missing from docs/ordinance-requirements.md"


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_every_status_is_documented(status: str) -> None:
    assert f"`{status}`" in DOC
