"""The owner's data as one JSON document or a zip of CSV files (format: docs/owner-data.md).

Both are built from the same sections (ownerdata.selectors.SECTIONS), so they always hold
the same data. Nothing is written: building an export has no side effect.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from core.spreadsheets import csv_safe_cell

from .selectors import SECTIONS, Row

if TYPE_CHECKING:
    from accounts.models import User

FORMAT = "porchlight.owner-data"
# Raised when a field changes meaning or goes; a new section or field does not raise it.
VERSION = 1

NOTES = {
    "video": (
        "The video of the clips you sent is not included: the 'clips' section lists each one with "
        "its SHA-256 fingerprint, so that you can match it against your own copy."
    ),
    "times": "Times are ISO 8601, in the department's time zone.",
    "officers": "Officers are named by badge number or role, never by name, as on 'Who accessed my cameras'.",
}


@dataclass(frozen=True)
class OwnerExport:
    generated_at: str
    department: str
    time_zone: str
    sections: dict[str, list[Row]]


def owner_export_collect(*, owner: "User", department_name: str, time_zone: str) -> OwnerExport:
    """Every section for the owner, read now."""
    return OwnerExport(
        generated_at=timezone.localtime(timezone.now()).isoformat(),
        department=department_name,
        time_zone=time_zone,
        sections={name: section(owner, time_zone) for name, section in SECTIONS.items()},
    )


def export_json(export: OwnerExport) -> bytes:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": export.generated_at,
        "department": export.department,
        "time_zone": export.time_zone,
        "notes": NOTES,
        "sections": export.sections,
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def _cell(value: Any) -> Any:
    """A CSV cell: lists and objects as JSON text, None as empty, and text that a spreadsheet
    would run as a formula (an officer's message can start with "=") quoted as text."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return csv_safe_cell(json.dumps(value, ensure_ascii=False))
    return csv_safe_cell(value)


def _csv(rows: list[Row]) -> bytes:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(columns))
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    # With a byte-order mark, so that spreadsheet programs read the accents right.
    return ("\ufeff" + out.getvalue()).encode()


def export_csv_zip(export: OwnerExport) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        readme = [
            f"{FORMAT} version {VERSION}",
            f"Department: {export.department}",
            f"Generated at: {export.generated_at}",
            "",
            "One CSV file per section; lists are written as JSON text in their cell.",
            *NOTES.values(),
            "",
        ]
        archive.writestr("README.txt", "\n".join(readme))
        for name, rows in export.sections.items():
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()
