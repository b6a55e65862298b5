import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.log_export import manifest_verify

CHUNK = 1024 * 1024


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


class Command(BaseCommand):
    help = (
        "Check an export of the access log (CSV or JSON, from the oversight board's search) against its "
        "signed manifest: the signature, and the file's SHA-256 and size. Needs no database."
    )
    requires_system_checks: list[str] = []  # a reader's check, not the server's

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the exported CSV or JSON file")
        parser.add_argument("manifest", help="its manifest (…manifest.json)")
        parser.add_argument(
            "--fingerprint",
            default="",
            help=(
                "the department's published key fingerprint (SHA-256 hex); "
                "without it, the key inside the manifest is trusted"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        file, manifest = Path(options["file"]), Path(options["manifest"])
        for path in (file, manifest):
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        try:
            document = json.loads(manifest.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{manifest}: not JSON ({exc})") from None
        problems = manifest_verify(data=_chunks(file), document=document, fingerprint=options["fingerprint"])
        if problems:
            raise CommandError("NOT VERIFIED: " + "; ".join(problems))
        described = document["manifest"]
        key = document["signature"]["fingerprint"]
        self.stdout.write(
            f"ok: {described.get('count')} events (#{described.get('first_seq')} to #{described.get('last_seq')}), "
            f"read up to the chain head #{described['chain_head']['seq']} {described['chain_head']['hash']}; "
            f"signed by the key {key}"
            + ("" if options["fingerprint"] else " (compare it with the department's published fingerprint)")
        )
