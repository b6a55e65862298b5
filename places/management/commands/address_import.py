"""Load an OpenAddresses file into a department's address index:

    python manage.py tenant_command address_import --schema=rialto addresses.csv.gz

Idempotent (running it again updates changed rows and adds none twice); bad rows are listed
by line number and skipped; a progress bar is drawn only when stdout is a terminal.
"""

import gzip
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from places.services import address_file_import

# Bad rows printed one by one up to this many; the rest are counted (a broken export can
# have a million, and the first ones say what is wrong).
MAX_ROWS_LISTED = 50


class Command(BaseCommand):
    help = "Load an OpenAddresses CSV or GeoJSON file (optionally .gz) into this department's address index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if connection.schema_name == "public":  # type: ignore[attr-defined]
            raise CommandError(
                "Run it for a department: manage.py tenant_command address_import --schema=<schema> FILE"
            )
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        total_lines = _count_lines(path) if self.stdout.isatty() else 0
        started = time.monotonic()

        def progress(rows: int) -> None:
            if not total_lines:
                return
            done = min(1.0, rows / total_lines)
            bar = "#" * int(done * 30)
            self.stdout.write(f"\r[{bar:<30}] {rows:>9,} rows {time.monotonic() - started:6.1f} s", ending="")
            self.stdout.flush()

        try:
            report = address_file_import(path=path, progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if total_lines:
            self.stdout.write("")
        for error in report.errors[:MAX_ROWS_LISTED]:
            self.stderr.write(f"{path.name}: line {error.line}: {error.reason}")
        if len(report.errors) > MAX_ROWS_LISTED:
            self.stderr.write(f"... and {len(report.errors) - MAX_ROWS_LISTED} more bad rows")
        schema = connection.schema_name  # type: ignore[attr-defined]
        self.stdout.write(
            f"{schema}: {report.created} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.errors)} bad rows skipped "
            f"({time.monotonic() - started:.1f} s)."
        )


def _count_lines(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return sum(1 for _ in handle)
