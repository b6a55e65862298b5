import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_tenant_model, tenant_context

from audit.verify import chain_verify

_CHECKPOINT = re.compile(r"#?(\d{1,18}):([0-9a-fA-F]{64})")


class Command(BaseCommand):
    help = (
        "Verify a department's access-log hash chain; prints 'ok' with the count and head hash, "
        "or the first broken event."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True, help="the department's schema, e.g. rialto")
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="a checkpoint kept outside the database (e.g. the head shown on the public page): "
            "event SEQ must still be there with this hash; repeatable",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        department = get_tenant_model().objects.filter(schema_name=options["schema"]).first()
        if department is None or options["schema"] == "public":
            raise CommandError(f"No department with the schema '{options['schema']}'.")
        expect = []
        for text in options["expect"]:
            match = _CHECKPOINT.fullmatch(text.strip())
            if match is None or int(match[1]) < 1:
                raise CommandError(
                    f"--expect {text!r}: give SEQ:HASH (events are numbered from 1), e.g. 1234:{'0' * 64}."
                )
            expect.append((int(match[1]), match[2].lower()))
        with tenant_context(department):
            report = chain_verify(expect=expect)
        if not report.ok:
            raise CommandError(report.sentence())
        self.stdout.write(report.sentence())
