from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.schema_snapshot import SNAPSHOT_DIR, snapshot_record

# A name no department can clash with in the recorded SQL (it is replaced by the new name).
SOURCE_SCHEMA = "porchlight_snapshot_source"


class Command(BaseCommand):
    help = (
        "Record the schema a new department is created from (tenants/snapshot/): migrate a scratch "
        "schema step by step, dump it with pg_dump, drop it. Run it after adding a tenant migration."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=SNAPSHOT_DIR, help="directory to write to")

    def handle(self, *args: Any, **options: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{SOURCE_SCHEMA}" CASCADE')
            cursor.execute(f'CREATE SCHEMA "{SOURCE_SCHEMA}"')
        try:
            call_command("migrate_schemas", tenant=True, schema_name=SOURCE_SCHEMA, interactive=False, verbosity=0)
            snapshot = snapshot_record(SOURCE_SCHEMA, Path(options["output"]))
        finally:
            connection.set_schema_to_public()  # type: ignore[attr-defined]
            if schema_exists(SOURCE_SCHEMA):
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP SCHEMA "{SOURCE_SCHEMA}" CASCADE')
        self.stdout.write(
            self.style.SUCCESS(
                f"Recorded the department schema ({len(snapshot.migrations)} migrations) in {options['output']}."
            )
        )
