"""Accepting a verified delivery: stored as received, its processing owed after the commit.

Apart from incidents.services because it enqueues incidents.tasks, which calls the services."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from tenants.outbox import enqueue_on_commit

from .models import Delivery, Integration
from .tasks import delivery_process_task

__all__ = ["DeliveryReplayed", "delivery_accept"]


class DeliveryReplayed(Exception):
    """This integration already received a delivery with this signature."""


def delivery_accept(*, integration: Integration, signature: str, signed_at: dt.datetime, body: Any) -> Delivery:
    """Store a verified delivery and owe its processing (incidents.tasks) after the commit.

    Raises DeliveryReplayed when this integration already has a delivery with this signature
    (the same signed body sent again): the unique constraint decides, so two copies racing
    each other cannot both be accepted. Nothing else happens here: the receiver answers in
    a few milliseconds, and geocoding and the incident are the worker's."""
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                integration=integration, signature=signature, signed_at=signed_at, body=body
            )
            # Not noted as published: a statement and a commit fewer per delivery (at 50 a second);
            # the worker delivers within seconds, and a copy the sweep may publish is skipped.
            enqueue_on_commit(delivery_process_task, note_published=False, delivery_id=delivery.pk)
    except IntegrityError as exc:
        raise DeliveryReplayed from exc
    return delivery
