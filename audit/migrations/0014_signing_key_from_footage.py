"""The department's signing key moves from footage to audit (audit.signing): the log's
checkpoints are signed with it too, and audit is below footage. Only Django's idea of whose
model it is changes; the table stays footage_signingkey, with its rows (footage migration
0007 lets go of it)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0013_action_message_send'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SigningKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('private_key', models.BinaryField()),
                        ('public_key', models.BinaryField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={'db_table': 'footage_signingkey'},
                ),
            ],
            database_operations=[],
        ),
    ]
