"""Fire the integrity notices' guard in every session, replica mode included.

A trigger fires only in origin (default) or local replication mode unless it is enabled
ALWAYS: a session that set ``session_replication_role = replica`` could delete a notice or
change what was detected. Same reasoning as audit/migrations/0010_triggers_enable_always.py.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("footage", "0004_download_link_access_event")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE footage_integritynotice ENABLE ALWAYS TRIGGER footage_integritynotice_guard;",
            "ALTER TABLE footage_integritynotice ENABLE TRIGGER footage_integritynotice_guard;",
        )
    ]
