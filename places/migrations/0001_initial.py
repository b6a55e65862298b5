import django.contrib.gis.db.models.fields
import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

# The text-search extensions live in the public schema, next to PostGIS, so every department
# schema (whose search_path is "<schema>, public") sees one copy. Without "SCHEMA public" the
# first department migrated would own them and no other could use them. Both are trusted
# extensions (PostgreSQL 13+): the database owner may create them without being superuser.
# This runs with each department's migrations (places is a tenant app) and is a no-op after
# the first, so test databases and new departments get it with no extra step. Departments
# migrated in parallel (--executor=multiprocessing) would race on "IF NOT EXISTS" (a unique
# violation in pg_extension): the lock makes them take turns until this migration commits.
EXTENSIONS = [
    "SELECT pg_advisory_xact_lock(hashtext('porchlight.places.extensions'))",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
    "CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public",
]


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.RunSQL(EXTENSIONS, reverse_sql=migrations.RunSQL.noop),
        migrations.CreateModel(
            name="AddressPoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.CharField(blank=True, max_length=20)),
                ("street", models.CharField(max_length=200)),
                ("unit", models.CharField(blank=True, max_length=50)),
                ("city", models.CharField(blank=True, max_length=100)),
                ("postcode", models.CharField(blank=True, max_length=20)),
                ("location", django.contrib.gis.db.models.fields.PointField(geography=True, srid=4326)),
                ("street_key", models.CharField(max_length=200)),
                ("search", models.TextField()),
                ("cell", models.BigIntegerField()),
                ("key", models.CharField(max_length=400, unique=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["street_key", "number"], name="places_addr_street_number"),
                    models.Index(fields=["street_key", "cell"], name="places_addr_street_cell"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Street",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=200, unique=True)),
                ("name", models.CharField(max_length=200)),
                (
                    "cells",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), default=list, size=None
                    ),
                ),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["key"], name="places_street_key_trgm", opclasses=["gin_trgm_ops"]
                    )
                ],
            },
        ),
    ]
