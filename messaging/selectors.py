"""Reads on messages, each scoped to the person reading: an officer reads only their own
threads, an owner only the threads about their cameras. A thread id of someone else's raises
Thread.DoesNotExist exactly as a missing one does."""

import uuid
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role, User

from .models import Message, MessagingPreference, Sender, Thread


def _unread(sender: str) -> Count:
    return Count("messages", filter=Q(messages__sender=sender, messages__read_at__isnull=True))


def _public_id(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise Thread.DoesNotExist from exc


def threads_of_officer(*, officer: User) -> QuerySet[Thread]:
    """The officer's threads, latest first, each with ``unread`` (owner replies not read yet)
    and ``total`` messages. Neither the owner nor the camera is joined: officers' pages never
    name the owner, and show camera data only through the gate (the camera's own page)."""
    return (
        Thread.objects.filter(officer=officer)
        .annotate(unread=_unread(Sender.OWNER), total=Count("messages"))
        .order_by("-last_message_at", "-pk")
    )


def threads_of_officer_with_messages(*, officer: User) -> QuerySet[Thread]:
    """threads_of_officer, each with its messages in order (for the staff API)."""
    return threads_of_officer(officer=officer).prefetch_related(
        Prefetch("messages", queryset=Message.objects.order_by("created_at", "pk"))
    )


def thread_of_officer(*, officer: User, public_id: Any) -> Thread:
    return Thread.objects.get(officer=officer, public_id=_public_id(public_id))


def threads_of_owner(*, owner: User) -> QuerySet[Thread]:
    """The owner's threads, latest first, with ``unread`` (officer messages not read yet)."""
    return (
        Thread.objects.filter(owner=owner)
        .select_related("camera__site", "officer")
        .annotate(unread=_unread(Sender.OFFICER), total=Count("messages"))
        .order_by("-last_message_at", "-pk")
    )


def thread_of_owner(*, owner: User, public_id: Any) -> Thread:
    return Thread.objects.select_related("camera__site", "officer").get(owner=owner, public_id=_public_id(public_id))


def messages_of(*, thread: Thread) -> QuerySet[Message]:
    return thread.messages.order_by("created_at", "pk")


def unread_for_owner(*, owner: User) -> int:
    return Message.objects.filter(thread__owner=owner, sender=Sender.OFFICER, read_at__isnull=True).count()


def unread_for_officer(*, officer: User) -> int:
    return Message.objects.filter(thread__officer=officer, sender=Sender.OWNER, read_at__isnull=True).count()


def email_on_message(*, owner: User) -> bool:
    """Whether the owner wants officers' messages by e-mail (yes until they say otherwise)."""
    preference = MessagingPreference.objects.filter(owner=owner).values_list("email_on_message", flat=True).first()
    return True if preference is None else bool(preference)


def officer_words(officer: User) -> str:
    """An officer as an owner sees them: by badge, or by role when they have none; never by name."""
    if officer.badge_number:
        return _("Badge %(badge)s") % {"badge": officer.badge_number}
    return str(Role(officer.role).label) if officer.role in Role.values else _("Officer")


def owner_threads_with_messages(*, owner: User) -> QuerySet[Thread]:
    """Everything Porchlight holds of one owner's messages, for their data export: each
    thread (its camera reference, the officer as ``officer_words`` names them) with all its
    messages in order (sender, text, case number, time, read time, contact shared)."""
    return (
        Thread.objects.filter(owner=owner)
        .select_related("officer", "camera")
        .prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("created_at", "pk")))
        .order_by("created_at", "pk")
    )
