"""The department's address points (an OpenAddresses file, loaded by ``address_import``), its
police areas (beats, districts) and the places its policy marks as sensitive (GeoJSON,
``police_areas_import`` and ``sensitive_places_import``)."""

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.utils.translation import gettext_lazy as _

# Address points are filed in grid cells of CELL_DEG degrees (~280 m of latitude, ~230 m of
# longitude at 34 deg N) so that where two streets meet is found from the few cells they
# share, not from all their points (places.selectors.intersection_find). A cell's number:
CELL_DEG = 0.0025
CELL_SQL = "((floor({x} / 0.0025)::bigint + 100000) * 200000 + (floor({y} / 0.0025)::bigint + 100000))"
CELL_STEP_X = 200000  # the number of the cell east of a cell is this much higher; north, 1 higher


class AddressPoint(models.Model):
    """One address with its position. Written only by places.services.address_points_upsert;
    ``street_key``, ``search`` and ``key`` are derived there from the other fields."""

    number = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    location = models.PointField(geography=True, srid=4326)
    # normalize(street) without accents ("west baseline road"): the link to its Street.
    street_key = models.CharField(max_length=200)
    # normalize("number street unit city postcode") without accents: the whole address as
    # searched, for ranking and for a scan by hand; the trigram index is on Street.key.
    search = models.TextField()
    cell = models.BigIntegerField()  # CELL_SQL of the location
    # normalize(number|street|unit|city|postcode): a re-import updates the row, never doubles it.
    key = models.CharField(max_length=400, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["street_key", "number"], name="places_addr_street_number"),
            models.Index(fields=["street_key", "cell"], name="places_addr_street_cell"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return address_label(
            number=self.number, street=self.street, unit=self.unit, city=self.city, postcode=self.postcode
        )


class Street(models.Model):
    """One street name of the department, as searched: what the trigram index covers.

    Typos, abbreviations and accents are matched against the few thousand street names, not
    against every address: a trigram such as "ave" or the city's name is in a third (or all)
    of the addresses, and a GIN index must read every row id listed under each trigram of
    the query, which made a search over 500,000 addresses cost hundreds of milliseconds.
    The house number then selects the points of the matched streets by a btree index.
    """

    key = models.CharField(max_length=200, unique=True)  # = AddressPoint.street_key
    name = models.CharField(max_length=200)  # as first imported ("W Baseline Rd")
    cells = ArrayField(models.BigIntegerField(), default=list)  # the cells its points are in

    class Meta:
        indexes = [GinIndex(fields=["key"], opclasses=["gin_trgm_ops"], name="places_street_key_trgm")]

    def __str__(self) -> str:
        return self.name


def address_label(*, number: str, street: str, unit: str, city: str, postcode: str) -> str:
    """'1200 W Baseline Rd, Unit 4, Rialto 92376' as people write it."""
    parts = [f"{number} {street}".strip()]
    if unit:
        parts.append(unit if not unit.isdigit() else f"#{unit}")
    place = f"{city} {postcode}".strip()
    if place:
        parts.append(place)
    return ", ".join(parts)


class AreaKind(models.TextChoices):
    BEAT = "beat", _("Beat")
    DISTRICT = "district", _("District")


class PoliceArea(models.Model):
    """A beat or district the department defines (imported from GeoJSON by
    ``police_areas_import``): the oversight figures are broken down by it (Oakland's
    "geographic breakdown by police area"). Written only by places.areas.areas_import."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices, default=AreaKind.BEAT)
    area = models.MultiPolygonField(_("area"), srid=4326)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class SensitiveKind(models.TextChoices):
    WORSHIP = "worship", _("Place of worship")
    CLINIC = "clinic", _("Clinic")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other sensitive place")


class SensitivePlace(models.Model):
    """A place the policy marks as sensitive (worship, clinics, schools): searches near one
    are flagged for the board (the anomaly queue). Imported like police areas."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SensitiveKind.choices, default=SensitiveKind.OTHER)
    area = models.MultiPolygonField(_("area"), srid=4326)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
