from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_tenant_model, tenant_context

from audit.selectors import chain_head


class Command(BaseCommand):
    help = (
        "Print a department's access-log head as SEQ:HASH, to keep outside the database (with a backup, in a "
        "ticket, on paper) and give back later to `audit_verify --expect`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True, help="the department's schema, e.g. rialto")

    def handle(self, *args: Any, **options: Any) -> None:
        department = get_tenant_model().objects.filter(schema_name=options["schema"]).first()
        if department is None or options["schema"] == "public":
            raise CommandError(f"No department with the schema '{options['schema']}'.")
        with tenant_context(department):
            head = chain_head()
        if head.count == 0:
            raise CommandError(f"The access log of '{options['schema']}' has no events yet: there is no head to keep.")
        self.stdout.write(f"{head.count}:{head.head_hash}")
