"""`seed_demo` (run by `make run`) is idempotent: running it twice creates nothing twice."""

from io import StringIO
from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Department, Domain


def _counts(departments: list[Department]) -> dict[str, int]:
    counts = {"departments": Department.objects.count(), "domains": Domain.objects.count()}
    for department in departments:
        with tenant_context(department):
            counts[f"{department.schema_name}.users"] = User.objects.count()
            counts[f"{department.schema_name}.authenticators"] = Authenticator.objects.count()
    return counts


def test_seed_demo_twice_creates_nothing_twice(rialto: Any, fontana: Any) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts([rialto, fontana])

    call_command("seed_demo", stdout=StringIO())

    assert _counts([rialto, fontana]) == first
    assert first["rialto.authenticators"] >= 8  # TOTP + recovery codes for four staff roles
    assert "officer@rialto.example.org" in out.getvalue()
    assert "TOTP" in out.getvalue()
