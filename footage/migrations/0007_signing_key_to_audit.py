"""The signing key is audit's model now (audit migration 0014, audit.signing); the table
footage_signingkey and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('footage', '0006_owner_account_deletion'),
        ('audit', '0014_signing_key_from_footage'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='SigningKey')],
            database_operations=[],
        ),
    ]
