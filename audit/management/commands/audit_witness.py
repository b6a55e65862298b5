"""``manage.py audit_witness``: the standalone witness (tools/porchlight_witness.py), run
against a department's log, over HTTP (``--log``) as a board member's computer does, or on
the server itself (``--schema``: the same public endpoints, called in-process).

The witness's code is tools/porchlight_witness.py's, unchanged: one implementation.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import HttpRequest, QueryDict
from django_tenants.utils import get_public_schema_name, get_tenant_model, tenant_context

from audit import api as api_proofs
from audit.checkpoints import verifier_key
from tools.porchlight_witness import (
    CANNOT_CHECK,
    Fetch,
    Verifier,
    WitnessError,
    http_fetcher,
    timeout_checked,
    witness,
)

_VIEWS = {
    "/api/v1/log/checkpoint/": api_proofs.checkpoint_api,
    "/api/v1/log/consistency/": api_proofs.consistency_api,
}


class Command(BaseCommand):
    help = (
        "Hold a department's access log to the checkpoint this witness saw last (kept in --state): fetch the "
        "new signed checkpoint and the consistency proof, check both, and fail loudly if the log was rewritten, "
        "truncated or forked. docs/transparency-log.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--log", help="the department's address, e.g. https://rialto.example.org (over HTTP)")
        where.add_argument("--schema", help="a department of this server, e.g. rialto (in-process)")
        parser.add_argument("--state", required=True, type=Path, help="the file that keeps the last checkpoint seen")
        parser.add_argument(
            "--key",
            help="the log's verifier key (name+keyid+base64) to pin; with --schema, the department's own by default",
        )
        parser.add_argument("--timeout", default="20", help="with --log: seconds to wait for each answer (20)")

    def handle(self, *args: Any, **options: Any) -> None:
        state = Path(options["state"])  # a string when called with call_command(state=...)
        try:
            timeout = timeout_checked(str(options["timeout"]))
            if options["log"]:
                if not options["key"]:
                    raise CommandError("--log needs --key: the verifier key you pinned from the log's page.")
                sentence = witness(http_fetcher(options["log"], timeout), Verifier.parse(options["key"]), state)
            else:
                department = get_tenant_model().objects.filter(schema_name=options["schema"]).first()
                if department is None or options["schema"] == get_public_schema_name():
                    raise CommandError(f"No department with the schema '{options['schema']}'.")
                with tenant_context(department):
                    verifier = Verifier.parse(options["key"] or verifier_key())
                    sentence = witness(_in_process(), verifier, state)
        except WitnessError as exc:
            raise CommandError(f"WITNESS FAILED: {exc}", returncode=exc.status) from None
        self.stdout.write(sentence)


def _in_process() -> Fetch:
    """The public endpoints' own views, called without HTTP, in the current department."""

    def fetch(path: str, params: dict[str, int] | None) -> dict:
        request = HttpRequest()
        request.method, request.path = "GET", path
        request.GET = QueryDict(mutable=True)  # type: ignore[assignment]  # stubs: an immutable one
        request.GET.update({name: str(value) for name, value in (params or {}).items()})
        response = _VIEWS[path](request)
        data = json.loads(response.content)
        if response.status_code != 200:
            raise WitnessError(
                f"unreachable: {path} answered {response.status_code}. {data.get('detail', '')}", CANNOT_CHECK
            )
        return data

    return fetch
