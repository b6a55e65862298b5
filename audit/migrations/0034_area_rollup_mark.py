"""The police-area figures' mark gets a table of its own, which only the owner writes.

It was the row "areas" of audit_rollupmark, beside the anomaly queue's marks, which the serving
processes' app role must write (the rules run as a Celery task). The area figures are now counted
by the owner's function (cameras migration 0014), so their mark moves out of the app role's
reach: a mark moved forward would have left events out of the figures, one moved back would
have counted them twice. The row moves as it is (how far it read, the zone it counted in).
"""

from django.db import migrations, models

MOVE = """
INSERT INTO audit_arearollupmark (id, seq, time_zone)
SELECT 1, seq, time_zone FROM audit_rollupmark WHERE name = 'areas';
DELETE FROM audit_rollupmark WHERE name = 'areas';
"""

BACK = """
INSERT INTO audit_rollupmark (name, seq, time_zone) SELECT 'areas', seq, time_zone FROM audit_arearollupmark;
DELETE FROM audit_arearollupmark;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0033_rollups_in_database")]

    operations = [
        migrations.CreateModel(
            name="AreaRollupMark",
            fields=[
                ("id", models.SmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("time_zone", models.CharField(blank=True, max_length=64)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="audit_arearollupmark_one_row")
                ],
            },
        ),
        migrations.RunSQL(MOVE, BACK),
    ]
