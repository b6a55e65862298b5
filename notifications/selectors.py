"""Reads of the signed-in staff member's own notifications."""

from typing import TYPE_CHECKING

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from .models import Notification

if TYPE_CHECKING:
    from accounts.models import User

# The list shows this many; older ones stay (and count as unread) but are not listed.
LIST_LIMIT = 100


def notifications_of(*, user: "User") -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        Notification.objects.filter(recipient_id=user.pk).alias(unread=unread).order_by("-unread", "-created_at", "-pk")
    )


def notifications_unread_count(*, user: "User") -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
