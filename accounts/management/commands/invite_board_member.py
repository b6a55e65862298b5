from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from accounts.models import Role
from accounts.services import AccountError, user_invite
from tenants.models import Department


class Command(BaseCommand):
    help = (
        "Invite a member of a department's civilian oversight board (the platform's operator does this: "
        "the department it oversees cannot add, change or remove board members)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True, help="the department's schema, e.g. rialto")
        parser.add_argument("--email", required=True, help="the member's e-mail (gets a set-password e-mail)")
        parser.add_argument("--name", default="", help="the member's full name")
        parser.add_argument("--language", default="", help="language of the invitation (default: the department's)")

    def handle(self, *args: Any, **options: Any) -> None:
        department = Department.objects.filter(schema_name=options["schema"]).first()
        if department is None or options["schema"] == "public":
            raise CommandError(f"No department with the schema '{options['schema']}'.")
        with tenant_context(department):
            try:
                member = user_invite(
                    actor=None,
                    email=options["email"],
                    role=Role.OVERSIGHT,
                    full_name=options["name"],
                    language=options["language"],
                )
            except AccountError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Invited {member.email} to {department.name}'s oversight board; a set-password e-mail is on its way."
            )
        )
