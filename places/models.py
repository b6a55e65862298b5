"""The department's address points (an OpenAddresses file, loaded by ``address_import``)."""

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex


class AddressPoint(models.Model):
    """One address with its position. Written only by places.services.address_points_upsert;
    ``street_key``, ``search`` and ``key`` are derived there from the other fields."""

    number = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    location = models.PointField(geography=True, srid=4326)
    # normalize(street) without accents ("west baseline road"): intersections join on it.
    street_key = models.CharField(max_length=200, db_index=True)
    # normalize("number street unit city postcode") without accents: the trigram search column.
    search = models.TextField()
    # normalize(number|street|unit|city|postcode): a re-import updates the row, never doubles it.
    key = models.CharField(max_length=400, unique=True)

    class Meta:
        indexes = [
            GinIndex(fields=["search"], opclasses=["gin_trgm_ops"], name="places_addr_search_trgm"),
            GinIndex(fields=["street_key"], opclasses=["gin_trgm_ops"], name="places_addr_street_trgm"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return address_label(
            number=self.number, street=self.street, unit=self.unit, city=self.city, postcode=self.postcode
        )


def address_label(*, number: str, street: str, unit: str, city: str, postcode: str) -> str:
    """'1200 W Baseline Rd, Unit 4, Rialto 92376' as people write it."""
    parts = [f"{number} {street}".strip()]
    if unit:
        parts.append(unit if not unit.isdigit() else f"#{unit}")
    place = f"{city} {postcode}".strip()
    if place:
        parts.append(place)
    return ", ".join(parts)
