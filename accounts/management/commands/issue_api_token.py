from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import AccountError, api_token_issue


class Command(BaseCommand):
    help = "Mint an API token for a user of one department. Run it through tenant_command --schema=<schema>."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="issued by operator")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {options['email']} in this department.")
        try:
            issued = api_token_issue(user=user, name=options["name"])
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(issued.raw)
