"""Verify an evidence export offline: ``manage.py verify_export export.zip``."""

import base64
import binascii
import re
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from footage.export import export_verify


class Command(BaseCommand):
    help = "Check an evidence export's signature, clips and custody (reads no database)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the export zip")
        expected = parser.add_mutually_exclusive_group()
        expected.add_argument("--public-key", help="the department's public key (base64 of the raw 32 bytes)")
        expected.add_argument("--fingerprint", help="the department's key fingerprint (SHA-256 hex)")

    def handle(self, *args: Any, **options: Any) -> None:
        public_key = None
        if options["public_key"]:
            try:
                public_key = base64.b64decode(options["public_key"], validate=True)
            except (binascii.Error, ValueError):
                raise CommandError("--public-key is not valid base64") from None
            if len(public_key) != 32:
                raise CommandError("--public-key must be the 32 raw bytes of an Ed25519 key, base64-encoded")

        report = export_verify(options["file"], public_key=public_key)
        problems = list(report.problems)
        if options["fingerprint"]:
            expected = re.sub(r"[\s:]", "", options["fingerprint"]).lower()
            if report.fingerprint != expected:
                problems.append(f"signed by key {report.fingerprint or '(none)'}, not by the expected key {expected}")

        if problems:
            for problem in problems:
                self.stderr.write(f"PROBLEM: {problem}")
            raise CommandError(f"export is NOT valid: {len(problems)} problem(s)")
        self.stdout.write(f"OK: {report.files} clips, signed by key {report.fingerprint}")
