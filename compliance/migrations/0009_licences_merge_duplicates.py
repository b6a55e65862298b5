"""Licences imported twice before their numbers were compared by letters and digits ("L-1" and
"l-1") merged into one, in every department's schema, with their history and invitations kept
(compliance.licences.merge). A data migration rather than a command: migrate_schemas runs it
once per department, new and old alike, with nobody to remember it; running it again (a
department with no duplicates) changes nothing."""

from django.db import migrations
from django.utils import timezone


def merge(apps, schema_editor):  # noqa: ANN001, ANN201 (Django's migration signature)
    from compliance.licences.merge import licences_merge_duplicates

    licences_merge_duplicates(
        licence_model=apps.get_model("compliance", "Licence"),
        historical_model=apps.get_model("compliance", "HistoricalLicence"),
        invitation_model=apps.get_model("compliance", "LicenceInvitation"),
        now=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0008_licence_city_state_zip")]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
