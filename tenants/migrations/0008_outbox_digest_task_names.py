"""The owner's access-digest tasks moved from portal/tasks.py to cameras/digest.py (issue 14:
the gate owes them by import, not by name). An outbox row names its task by module path, so
rows written before the move are renamed with it."""

from django.db import migrations

RENAMED = {
    "portal.tasks.access_digest_send": "cameras.digest.access_digest_send",
    "portal.tasks.access_notice_send": "cameras.digest.access_notice_send",
}


def _rename(apps, schema_editor, names):  # noqa: ANN001
    OutboxMessage = apps.get_model("tenants", "OutboxMessage")
    for old, new in names.items():
        OutboxMessage.objects.filter(task_name=old).update(task_name=new)


def forwards(apps, schema_editor):  # noqa: ANN001
    _rename(apps, schema_editor, RENAMED)


def backwards(apps, schema_editor):  # noqa: ANN001
    _rename(apps, schema_editor, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [("tenants", "0007_notice_digest_and_language")]

    operations = [migrations.RunPython(forwards, backwards)]
