# The board's search by case number, whatever its case (audit.log_search): "cr-2025-001" finds
# "CR-2025-001". A b-tree on (UPPER(case_number), occurred_at), the expression the filter
# compares, so a log of a million events is read from the index, in the search's order. The
# exact index audit_event_case_time stays (the exigent anomaly rule matches a case exactly).
#
# CONCURRENTLY on a department's live log (a plain CREATE INDEX would block every insert, and
# so every police access, while it is built); a plain index when the migration runs inside a
# transaction (a new department's schema, provisioned in one, has an empty log), as 0014 and
# 0019 do. An interrupted concurrent build leaves an invalid index: drop it and migrate again.

from typing import Any

import django.db.models.functions.text
from django.db import migrations, models

INDEX = (
    "CREATE INDEX {concurrently} IF NOT EXISTS audit_event_case_upper_time ON audit_accessevent "
    "(UPPER(case_number), occurred_at)"
)


def _concurrently(schema_editor: Any) -> str:
    return "" if schema_editor.connection.in_atomic_block else "CONCURRENTLY"


def _index(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(INDEX.format(concurrently=_concurrently(schema_editor)))


def _index_drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f"DROP INDEX {_concurrently(schema_editor)} IF EXISTS audit_event_case_upper_time")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0030_compliance_owner_denied_action"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="accessevent",
                    index=models.Index(
                        django.db.models.functions.text.Upper("case_number"),
                        models.F("occurred_at"),
                        name="audit_event_case_upper_time",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(_index, _index_drop)],
        ),
    ]
