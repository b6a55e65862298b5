import getpass
import re
from dataclasses import replace
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_tenant_model, tenant_context

from audit.verify import chain_reanchor, chain_verify, chain_verify_in_full

_CHECKPOINT = re.compile(r"#?(\d{1,18}):([0-9a-fA-F]{64})")
_REASON_MAX = 500


class Command(BaseCommand):
    help = (
        "Verify a department's whole access-log hash chain, held to the head verified before, and keep the "
        "outcome (the oversight page shows it); prints 'ok' with the count and head hash, or the first "
        "broken event."
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
        parser.add_argument(
            "--accept-head",
            metavar="SEQ:HASH",
            help="acknowledge a flagged break that is legitimate (e.g. a restore from a backup): hold the "
            "chain to this head from now on instead of the one remembered; only if the whole chain verifies "
            "and holds it. Recorded in the access log as chain_reanchored; needs --reason",
        )
        parser.add_argument("--reason", default="", help="why the break is legitimate (with --accept-head)")

    def handle(self, *args: Any, **options: Any) -> None:
        department = get_tenant_model().objects.filter(schema_name=options["schema"]).first()
        if department is None or options["schema"] == "public":
            raise CommandError(f"No department with the schema '{options['schema']}'.")
        expect = [_checkpoint("--expect", text) for text in options["expect"]]
        accept, reason = options["accept_head"], options["reason"].strip()
        if accept is None:
            if reason:
                raise CommandError("--reason goes with --accept-head.")
            with tenant_context(department):
                report = chain_verify_in_full(by="audit_verify")
                # The operator's own checkpoints are checked apart and not kept: one mistyped
                # is the operator's mistake, not a break for the oversight page to show.
                if report.ok and expect:
                    report = replace(chain_verify(expect=expect), held=report.held)
            if not report.ok:
                raise CommandError(report.sentence())
            self.stdout.write(report.sentence())
            return
        head = _checkpoint("--accept-head", accept)
        if expect:
            raise CommandError("--accept-head re-anchors the chain on its own; run --expect separately.")
        if not reason:
            raise CommandError("--accept-head needs --reason: why the break is legitimate (it is logged).")
        if "\x00" in reason or len(reason) > _REASON_MAX:
            raise CommandError(f"--reason: at most {_REASON_MAX} characters, without NUL characters.")
        with tenant_context(department):
            report = chain_reanchor(head=head, reason=reason, operator=f"{_os_user()} (manage.py audit_verify)")
        if not report.ok:
            raise CommandError(f"Not re-anchored: {report.sentence()}")
        self.stdout.write(f"re-anchored at #{head[0]}: {report.sentence()}")


def _checkpoint(option: str, text: str) -> tuple[int, str]:
    match = _CHECKPOINT.fullmatch(text.strip())
    if match is None or int(match[1]) < 1:
        raise CommandError(f"{option} {text!r}: give SEQ:HASH (events are numbered from 1), e.g. 1234:{'0' * 64}.")
    return int(match[1]), match[2].lower()


def _os_user() -> str:
    """Who ran the command, as far as the machine knows (recorded with the acknowledgement)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (e.g. a bare container)
        return "unknown operator"
