"""Recompute a department's oversight figures from its access log:

    python manage.py tenant_command audit_rollups_rebuild --schema=rialto

Needed after the department's time zone changes (days and hours are local) or to recover
the figures from the log itself; events are not written while it runs (it takes the
chain's lock; a year of a million events takes a few seconds). The police-area figures
start again from the first event and are caught up by the minute's task
(cameras.tasks.area_rollups_catch_up).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from audit.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute this department's oversight figures (rollups) from its access log."

    def handle(self, *args: Any, **options: Any) -> None:
        schema = connection.schema_name  # type: ignore[attr-defined]
        if schema == "public":
            raise CommandError(
                "Run it for a department: manage.py tenant_command audit_rollups_rebuild --schema=<schema>"
            )
        days, hours = rollups_rebuild()
        self.stdout.write(f"{schema}: {days} day rows and {hours} hour rows recomputed from the log.")
