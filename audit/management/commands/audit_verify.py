from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_tenant_model, tenant_context

from audit.verify import chain_verify


class Command(BaseCommand):
    help = (
        "Verify a department's access-log hash chain; prints 'ok' with the count and head hash, "
        "or the first broken event."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True, help="the department's schema, e.g. rialto")

    def handle(self, *args: Any, **options: Any) -> None:
        department = get_tenant_model().objects.filter(schema_name=options["schema"]).first()
        if department is None or options["schema"] == "public":
            raise CommandError(f"No department with the schema '{options['schema']}'.")
        with tenant_context(department):
            report = chain_verify()
        if not report.ok:
            raise CommandError(report.sentence())
        self.stdout.write(report.sentence())
