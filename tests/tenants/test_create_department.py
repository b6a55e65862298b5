"""`manage.py create_department`: onboarding, and bad input that creates nothing."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import Role, User
from tenants.models import Department, DepartmentPolicy, Domain
from tests.tenancy import connection

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-117.3, 34.0], [-117.2, 34.0], [-117.2, 34.1], [-117.3, 34.1], [-117.3, 34.0]]],
}


def _counts() -> tuple[int, int, int]:
    return Department.objects.count(), Domain.objects.count(), DepartmentPolicy.objects.count()


def _geojson(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "boundary.geojson"
    path.write_text(content)
    return path


def test_create_department_makes_schema_domain_policy_and_invites_the_admin(
    db: None, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    boundary = _geojson(tmp_path, json.dumps({"type": "Feature", "geometry": SQUARE, "properties": {}}))

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_department",
            name="Colton Police Department",
            schema="colton",
            domain="colton.localhost",
            boundary=str(boundary),
            admin_email="chief@colton.example.org",
        )

    department = Department.objects.get(schema_name="colton")
    assert schema_exists("colton")
    assert department.get_primary_domain().domain == "colton.localhost"
    assert department.boundary.num_geom == 1
    assert DepartmentPolicy.objects.get(department=department).prohibited_purposes
    with tenant_context(department):
        admin = User.objects.get(email="chief@colton.example.org")
        assert (admin.role, admin.has_usable_password()) == (Role.DEPT_ADMIN, False)
    assert "http://colton.localhost:8000/accounts/password/reset/key/" in mail.outbox[-1].body

    # Removing the department from the platform keeps its schema: its access log must outlive it.
    department.delete()
    assert schema_exists("colton")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"schema": "rialto"}, "already exists"),
        ({"schema": "Bad-Name"}, "not a valid schema name"),
        ({"schema": "pg_evil"}, "not a valid schema name"),
        ({"schema": "public"}, "reserved"),
        ({"domain": "rialto.localhost"}, "already taken"),
        ({"domain": "not a host"}, "not a valid host name"),
        ({"admin_email": "nobody"}, "not a valid e-mail"),
        ({"name": "  "}, "needs a name"),
    ],
)
def test_create_department_with_bad_input_says_why_and_creates_nothing(
    db: None, options: dict[str, str], message: str
) -> None:
    args = {
        "name": "Colton PD",
        "schema": "colton",
        "domain": "colton.localhost",
        "admin_email": "chief@colton.example.org",
    }
    args.update(options)
    before = _counts()

    with pytest.raises(CommandError, match=message):
        call_command("create_department", **args)

    assert _counts() == before
    assert not schema_exists("colton")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"type": "Point", "coordinates": [1, 2]}), "Polygon or MultiPolygon"),
        (json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}), "could not be read"),
        (
            json.dumps({"type": "Polygon", "coordinates": [[[500000, 0], [500100, 0], [500100, 100], [500000, 0]]]}),
            "longitude/latitude",
        ),
        (
            json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),
            "invalid",
        ),
        (json.dumps({"type": "FeatureCollection", "features": []}), "exactly one feature"),
    ],
)
def test_create_department_with_bad_geojson_says_why_and_creates_nothing(
    db: None, tmp_path: Path, content: str, message: str
) -> None:
    boundary = _geojson(tmp_path, content)
    before = _counts()

    with pytest.raises(CommandError, match=message):
        call_command(
            "create_department",
            name="Colton PD",
            schema="colton",
            domain="colton.localhost",
            boundary=str(boundary),
            admin_email="chief@colton.example.org",
        )

    assert _counts() == before
    assert not schema_exists("colton")


def test_create_department_with_missing_boundary_file_says_so(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "create_department",
            name="Colton PD",
            schema="colton",
            domain="colton.localhost",
            boundary=str(tmp_path / "nope.geojson"),
            admin_email="chief@colton.example.org",
        )


def test_failure_half_way_removes_the_schema_again(db: None, monkeypatch: Any) -> None:
    import accounts.services

    def explode(**kwargs: Any) -> None:
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(accounts.services, "user_invite", explode)
    before = _counts()

    with pytest.raises(RuntimeError):
        call_command(
            "create_department",
            name="Colton PD",
            schema="colton",
            domain="colton.localhost",
            admin_email="c@colton.example.org",
        )

    connection.set_schema_to_public()
    assert _counts() == before
    assert not schema_exists("colton")
