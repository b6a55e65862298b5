"""client_ip becomes text holding exactly the string the writer hashed.

As ``inet`` it came back spelled by PostgreSQL, which for some IPv6 addresses differs from
Python's spelling (and Python's changed in 3.13), so an untouched row could fail
verification. ``host()`` converts existing rows to the text the verifier already read
(``inet::text`` would append the netmask). ALTER ... TYPE fires no row trigger.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chain_in_database")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accessevent",
                    name="client_ip",
                    field=models.CharField(blank=True, max_length=45, null=True),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE audit_accessevent ALTER COLUMN client_ip TYPE varchar(45) USING host(client_ip)",
                    "ALTER TABLE audit_accessevent ALTER COLUMN client_ip TYPE inet USING client_ip::inet",
                ),
            ],
        ),
    ]
