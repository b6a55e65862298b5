from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.onboarding import department_create
from tenants.exceptions import OnboardingError
from tenants.services import boundary_from_geojson, public_tenant_ensure


class Command(BaseCommand):
    help = "Onboard a department: its schema, domain, default policy and first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="e.g. 'Rialto Police Department'")
        parser.add_argument("--schema", required=True, help="PostgreSQL schema name, e.g. rialto")
        parser.add_argument("--domain", required=True, help="host name, e.g. rialto.localhost")
        parser.add_argument("--admin-email", required=True, help="first department admin (gets a set-password e-mail)")
        parser.add_argument("--boundary", type=Path, help="GeoJSON file with the jurisdiction boundary")
        parser.add_argument("--time-zone", default="America/Los_Angeles")

    def handle(self, *args: Any, **options: Any) -> None:
        boundary = None
        try:
            if options["boundary"] is not None:
                path = Path(options["boundary"])
                if not path.is_file():
                    raise OnboardingError(f"The boundary file {path} does not exist.")
                boundary = boundary_from_geojson(path.read_text(encoding="utf-8"))
            public_tenant_ensure()
            result = department_create(
                name=options["name"],
                schema_name=options["schema"],
                domain=options["domain"],
                admin_email=options["admin_email"],
                boundary=boundary,
                time_zone=options["time_zone"],
            )
        except OnboardingError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.department.name} (schema {result.department.schema_name}) at "
                f"{options['domain']}; a set-password e-mail went to {result.admin.email}."
            )
        )
