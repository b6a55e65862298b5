from typing import Any

from django.core.management.base import BaseCommand

from tenants.db_grants import app_role, grants_apply_all


class Command(BaseCommand):
    help = (
        "Give the app role (PORCHLIGHT_DB_APP_ROLE) exactly its privileges on public and every "
        "department's schema: DML, SELECT and INSERT only on the access log's tables, never TRUNCATE "
        "(docs/database-roles.md). Run as the owner after migrations; make migrate does. Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        role = app_role()
        if not role:
            self.stdout.write("No app role (PORCHLIGHT_DB_APP_ROLE is empty): nothing to grant.")
            return
        schemas = grants_apply_all()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Privileges of {role} set on {len(schemas)} schemas.")
