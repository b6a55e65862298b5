"""The log's name in its checkpoints, fixed with the department's key (audit.checkpoints.log_origin).

The table is still footage's (footage_signingkey, created by footage's migrations): wait for it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0022_merge_purpose_text_search"),
        ("footage", "0007_signing_key_to_audit"),
    ]

    operations = [
        migrations.AddField(
            model_name="signingkey",
            name="log_origin",
            field=models.CharField(blank=True, default="", max_length=300),
        ),
    ]
