"""Load a department's police areas (beats, districts) from a GeoJSON FeatureCollection:

    python manage.py tenant_command police_areas_import --schema=rialto beats.geojson [--kind district]

Each feature needs a name property and a Polygon or MultiPolygon in longitude/latitude; its
``kind`` property (beat or district) overrides --kind. All or nothing: bad features are listed
by index and nothing is saved. Idempotent (areas are matched by name).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from places.areas import AreaImportError, areas_import
from places.models import AreaKind

WHICH = "police"
KINDS = AreaKind.values
DEFAULT_KIND = AreaKind.BEAT


class Command(BaseCommand):
    help = "Load police areas (beats, districts) from a GeoJSON file into this department."
    which = WHICH
    kinds: list[str] = KINDS
    default_kind: str = DEFAULT_KIND

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=self.kinds, default=self.default_kind)

    def handle(self, *args: Any, **options: Any) -> None:
        schema = connection.schema_name  # type: ignore[attr-defined]
        if schema == "public":
            raise CommandError(
                f"Run it for a department: manage.py tenant_command {self.__module__.rsplit('.', 1)[-1]} "
                "--schema=<schema> FILE"
            )
        path: Path = options["file"]
        try:
            report = areas_import(path=path, which=self.which, default_kind=options["kind"])  # type: ignore[arg-type]
        except AreaImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{path.name}: {exc}") from exc
        self.stdout.write(
            f"{schema}: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged."
        )
        if report.not_in_file:
            self.stdout.write(f"Kept, though not in the file: {', '.join(report.not_in_file)}.")
