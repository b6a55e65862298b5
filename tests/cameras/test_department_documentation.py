"""docs/department-cameras.md explains every column of an import and every reason a file or a
row is refused: an administrator reads the code there."""

from pathlib import Path

import pytest

from cameras.department_import import Column, FileProblem, RowProblem

DOC = (Path(__file__).resolve().parents[2] / "docs" / "department-cameras.md").read_text()


@pytest.mark.parametrize("code", [p.value for p in RowProblem] + [p.value for p in FileProblem])
def test_every_reason_an_import_is_refused_is_documented(code: str) -> None:
    assert f"| `{code}` |" in DOC, f"{code} is missing from docs/department-cameras.md"


@pytest.mark.parametrize("column", [c.value for c in Column])
def test_every_column_is_documented(column: str) -> None:
    assert f"| `{column}` |" in DOC
