"""The record of an erasure from the change history (accounts.Erasure): the database lets the
serving processes blank an owner's personal data in the history only for a user, site or camera
recorded here and deleted in the same transaction (tenants.history_guards)."""

import django.db.models.functions.datetime
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_department_account_role'),
    ]

    operations = [
        migrations.CreateModel(
            name='Erasure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject', models.CharField(max_length=40)),
                ('erased_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
            ],
            options={
                'indexes': [models.Index(fields=['subject'], name='accounts_erasure_subject')],
            },
        ),
    ]
