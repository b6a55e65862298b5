"""``manage.py bridge_pyz [--output FILE]``: build the owner's single-file bridge (live.bridge_pyz)
and print where it is and its SHA-256; the portal then serves the same bytes."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from live.bridge_pyz import bridge_pyz, bridge_pyz_build


class Command(BaseCommand):
    help = "Build porchlight-bridge.pyz, the single-file bridge owners download, and print its SHA-256."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="write it here too (e.g. for a release page)")

    def handle(self, *args: Any, **options: Any) -> None:
        built = bridge_pyz_build(target=Path(options["output"])) if options["output"] else bridge_pyz()
        self.stdout.write(f"{built.path}\nsha256 {built.sha256}\n{built.size} bytes, bridge {built.version}")
