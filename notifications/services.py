"""Telling staff what waits for them: an in-app entry and an e-mail, per recipient.

This app sits just above ``accounts`` (it knows users and roles, nothing of cameras, footage
or the log), so that the gate, footage and any task above the log can call it. What is said
is the caller's; how it is stored and sent is here:

- the entry is written in the caller's transaction, so it exists exactly when the action
  that caused it committed;
- the e-mail is a task recorded in the outbox in that same transaction and sent after the
  commit (tenants.outbox.enqueue_on_commit), so a broker outage delays it and never loses it;
- both are in the recipient's own language: the caller passes sentences that are translated
  when used (``text``), and they are rendered here under the recipient's language.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from accounts.language import user_language
from accounts.models import Role, User
from tenants.outbox import enqueue_on_commit

from .models import Kind, Notification

__all__ = [
    "language_of",
    "notification_mark_read",
    "notification_send",
    "notification_send_to_role",
    "notifications_mark_all_read",
    "notifications_settle",
    "owner_reply_notify",
    "text",
]


def text(message: str | Promise, /, **params: Any) -> str:
    """A sentence translated when it is used, not when it is written: ``message`` (a
    ``gettext_lazy`` string) with its ``%(name)s`` parameters filled in then. Pass these to
    notification_send, which renders them in the recipient's language."""

    def render() -> str:
        return str(message) % params if params else str(message)

    # A lazy str (django-stubs types it as the str it becomes): rendered each time it is used.
    return lazy(render, str)()


def language_of(user: User) -> str:
    """The language a user reads their e-mail in (their own, else the department's, else the site's)."""
    return user_language(user)


def _local_path(link: str) -> str:
    # The list's "Open" button redirects to the link: only a path of this host may be one.
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValueError(f"A notification links to a path of the department's own site, not {link!r}.")
    return link


def notification_send(
    *,
    recipient: User,
    kind: Kind | str,
    subject: str | Promise,
    body: str | Promise,
    link: str = "",
    once_key: str = "",
) -> Notification | None:
    """Tell one staff member something: an in-app entry now, an e-mail after the commit.

    ``subject`` and ``body`` are rendered in the recipient's language (pass them through
    ``text``); ``link`` is a path of the department's site where they act on it (a page, never
    an action: a GET from a mail scanner must change nothing). With ``once_key``, a
    recipient who already got that key gets nothing more (returns None). Deactivated users
    are not told (None).
    """
    link = _local_path(link)
    if not recipient.is_active:
        return None
    with translation.override(language_of(recipient)):
        rendered_subject, rendered_body = str(subject)[:200], str(body)
    with transaction.atomic():
        if once_key and Notification.objects.filter(recipient=recipient, once_key=once_key).exists():
            return None
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    subject=rendered_subject,
                    body=rendered_body,
                    link=link,
                    once_key=once_key,
                )
        except IntegrityError:  # the same key written at this very moment by another run
            return None
        from .tasks import notification_email_send as notification_email_send_task

        enqueue_on_commit(notification_email_send_task, notification_id=notification.pk)
    return notification


def notification_send_to_role(
    *,
    role: Role | str,
    kind: Kind | str,
    subject: str | Promise,
    body: str | Promise,
    link: str = "",
    exclude_user_id: int | None = None,
    once_key: str = "",
) -> list[Notification]:
    """notification_send to every active user of ``role`` in this department (but the one
    excluded: a supervisor is not asked to approve their own purpose)."""
    recipients = User.objects.filter(role=role, is_active=True).order_by("pk")
    if exclude_user_id is not None:
        recipients = recipients.exclude(pk=exclude_user_id)
    sent = (
        notification_send(recipient=user, kind=kind, subject=subject, body=body, link=link, once_key=once_key)
        for user in recipients
    )
    return [n for n in sent if n is not None]


def _own(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk)


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (another's, or none: DoesNotExist)."""
    with transaction.atomic():
        notification = _own(user).select_for_update().get(pk=notification_id)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return _own(user).filter(read_at__isnull=True).update(read_at=timezone.now())


def notifications_settle(*, once_key: str) -> int:
    """Mark read, for everyone, the unread notifications sent with ``once_key``: what they
    asked for was done (one supervisor decided the purpose the others were asked about)."""
    return Notification.objects.filter(once_key=once_key, read_at__isnull=True).update(read_at=timezone.now())


def owner_reply_notify(*, officer: User, case_number: str, link: str) -> Notification | None:
    """An owner answered the officer's message (to be called by messaging when a reply is
    stored, in its transaction). It says which case, never who answered or what: the officer
    reads the reply on ``link``, where what the owner chose to share is shown."""
    return notification_send(
        recipient=officer,
        kind=Kind.OWNER_REPLIED,
        subject=text(_("An owner replied about case %(case)s"), case=case_number),
        body=text(_("A camera owner replied to your message about case %(case)s."), case=case_number),
        link=link,
    )
