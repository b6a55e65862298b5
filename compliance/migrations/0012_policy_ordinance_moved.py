"""The department policy's old single-ordinance fields moved into an ordinance of their own, in
every department's schema (compliance.policy_ordinance). A data migration: migrate_schemas runs
it once per department; a department whose policy had no ordinance changes nothing."""

from zoneinfo import ZoneInfo

from django.db import migrations
from django.utils import timezone


def move(apps, schema_editor):  # noqa: ANN001, ANN201 (Django's migration signature)
    from compliance.policy_ordinance import policy_ordinance_move

    schema = schema_editor.connection.schema_name
    department = apps.get_model("tenants", "Department").objects.filter(schema_name=schema).first()
    if department is None:
        return
    policy = apps.get_model("tenants", "DepartmentPolicy").objects.filter(department=department).first()
    now = timezone.now()
    policy_ordinance_move(
        policy=policy,
        ordinance_model=apps.get_model("compliance", "Ordinance"),
        version_model=apps.get_model("compliance", "OrdinanceVersion"),
        historical_ordinance_model=apps.get_model("compliance", "HistoricalOrdinance"),
        historical_version_model=apps.get_model("compliance", "HistoricalOrdinanceVersion"),
        historical_policy_model=apps.get_model("tenants", "HistoricalDepartmentPolicy"),
        record_model=apps.get_model("compliance", "ComplianceRecord"),
        now=now,
        today=now.astimezone(ZoneInfo(department.time_zone)).date(),  # the department's day
    )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0011_coverage_exits"),
        ("tenants", "0014_policy_compliance_contact"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
