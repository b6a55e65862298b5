"""Licences imported twice before numbers were compared by letters and digits ("L-1", then
"l-1") are merged into the oldest row by the data migration compliance 0009: the values of the
row imported last, the site link, every invitation and the history of both kept; run again,
nothing changes."""

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Role
from cameras.access import Actor
from compliance.licences.merge import licences_merge_duplicates
from compliance.licences.services import invitations_record
from compliance.models import InvitationChannel, Licence, LicenceInvitation
from tests.factories import UserFactory, site_make

pytestmark = pytest.mark.django_db

MODELS = {
    "licence_model": Licence,
    "historical_model": Licence.history.model,
    "invitation_model": LicenceInvitation,
}


def _legacy(number: str, *, name: str, source: str = "business_licence", **fields: Any) -> Licence:
    """A licence row as an import before normalisation wrote it (with its history)."""
    bulk_create_with_history(
        [Licence(source=source, number=number, name=name, address="1 Main St", address_key="1 main street", **fields)],
        Licence,
        default_change_reason="import",
    )
    return Licence.objects.get(source=source, number=number)


def test_duplicates_merge_into_the_oldest_with_the_latest_values_the_site_the_invitations_and_history(
    in_rialto: Any,
) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    site = site_make(UserFactory(role=Role.BUSINESS), in_rialto, kind="business", business_name="Joe's Gas")
    old = _legacy("L-1", name="Joe's Gas (old name)")
    new = _legacy(
        "l-1", name="Joe's Gas", city="Rialto", state="CA", postal_code="92376", site=site, matched_by="permit"
    )
    Licence.objects.filter(pk=new.pk).update(updated_at=timezone.now() + dt.timedelta(seconds=1))
    for licence in (old, new):
        invitations_record(actor=Actor(user=admin, mfa=True), licences=[licence], channel=InvitationChannel.LETTER)

    merged = licences_merge_duplicates(**MODELS, now=timezone.now())

    (survivor,) = Licence.objects.filter(number__iexact="l-1")
    assert merged == 1
    assert survivor.pk == old.pk
    assert (survivor.number, survivor.name, survivor.postal_code) == ("l-1", "Joe's Gas", "92376")
    assert (survivor.site_id, survivor.matched_by) == (site.pk, "permit")
    assert LicenceInvitation.objects.filter(licence=survivor).count() == 2
    history = Licence.history.model.objects
    assert history.filter(id=new.pk, history_type="-", history_change_reason__contains="L-1, l-1").exists()
    assert history.filter(id=old.pk, history_type="~", name="Joe's Gas").exists()
    assert history.filter(id=old.pk, history_type="+", name="Joe's Gas (old name)").exists()


def test_merging_again_changes_nothing_and_other_sources_or_numbers_are_left_apart(in_rialto: Any) -> None:
    _legacy("L-1", name="Licence")
    _legacy("L-1", name="Permit", source="building_permit")
    _legacy("L-10", name="Another")
    _legacy("L 1", name="Same licence")

    first = licences_merge_duplicates(**MODELS, now=timezone.now())
    again = licences_merge_duplicates(**MODELS, now=timezone.now())

    assert (first, again) == (1, 0)
    assert sorted(Licence.objects.values_list("source", "number")) == [
        ("building_permit", "L-1"),
        ("business_licence", "L 1"),
        ("business_licence", "L-10"),
    ]


def test_the_data_migration_merges_with_the_models_it_is_given(in_rialto: Any) -> None:
    migration = importlib.import_module("compliance.migrations.0009_licences_merge_duplicates")
    _legacy("BL-7", name="One")
    _legacy("bl7", name="Two")

    migration.merge(apps, None)

    assert Licence.objects.filter(name__in=["One", "Two"]).count() == 1
