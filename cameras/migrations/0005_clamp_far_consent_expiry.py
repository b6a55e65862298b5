"""Consent expiries saved before they were limited (10 years ahead) could lie past the year
9999 UTC (9999-12-31 23:59:59 in a department west of Greenwich), which psycopg cannot read:
every page and search touching the camera failed. Such dates become the last instant Python
can represent; nothing else changes."""

from django.db import migrations

_CLAMP = "UPDATE {table} SET expires_at = '9999-12-31 00:00:00+00' WHERE expires_at >= '9999-12-31 00:00:00+00'"


class Migration(migrations.Migration):
    dependencies = [("cameras", "0004_exigent_approval")]

    operations = [
        migrations.RunSQL(_CLAMP.format(table="cameras_consentgrant"), migrations.RunSQL.noop),
        migrations.RunSQL(_CLAMP.format(table="cameras_historicalconsentgrant"), migrations.RunSQL.noop),
    ]
