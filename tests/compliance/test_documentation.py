"""Every requirement code a judgement can carry is documented for the people who set up
ordinances (docs/ordinance-requirements.md)."""

from pathlib import Path

import pytest

from compliance.licences.reader import LicenceField, RowProblem
from compliance.rules import Requirement, Status

DOC = (Path(__file__).resolve().parents[2] / "docs" / "ordinance-requirements.md").read_text()


@pytest.mark.parametrize("code", [r.value for r in Requirement])
def test_every_requirement_code_is_documented(code: str) -> None:
    assert f"| `{code}` |" in DOC, f"{code} is missing from docs/ordinance-requirements.md"


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_every_status_is_documented(status: str) -> None:
    assert f"`{status}`" in DOC


LICENCE_DOC = (Path(__file__).resolve().parents[2] / "docs" / "licence-import.md").read_text()


@pytest.mark.parametrize("code", [p.value for p in RowProblem])
def test_every_reason_a_licence_row_is_not_imported_is_documented(code: str) -> None:
    assert f"| `{code}` |" in LICENCE_DOC, f"{code} is missing from docs/licence-import.md"


@pytest.mark.parametrize("field", [f.value for f in LicenceField])
def test_every_licence_field_is_documented(field: str) -> None:
    assert f"`{field}`" in LICENCE_DOC
