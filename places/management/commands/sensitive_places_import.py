"""Load the places a department's policy marks as sensitive (worship, clinic, school, other)
from a GeoJSON FeatureCollection, as police_areas_import does:

    python manage.py tenant_command sensitive_places_import --schema=rialto places.geojson [--kind clinic]
"""

from places.models import SensitiveKind

from .police_areas_import import Command as PoliceAreasImport


class Command(PoliceAreasImport):
    help = "Load sensitive places (worship, clinic, school, other) from a GeoJSON file into this department."
    which = "sensitive"
    kinds = SensitiveKind.values
    default_kind = SensitiveKind.OTHER
