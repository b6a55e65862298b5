"""Sending Porchlight's own e-mails, each with a Message-ID that says what it is about.

A Celery task that e-mails marks its work done only after the mail server accepted the
message; a worker that dies between the two (docs/notices-and-tasks.md, "What exactly once
means for an e-mail") has the message sent a second time. No mail server can be asked whether
it already holds a message, so the second copy is made the *same* message instead: its
Message-ID is built from what the e-mail is about (its kind and the row it tells of, e.g.
``footage-request`` and the owner's request), never drawn at random, and mail systems keep one
message per Message-ID. Two different e-mails never share one: the kind and the row name one
e-mail, and the department's schema is part of every id.

Every e-mail of a task goes through ``mail_send`` (to people) or ``mail_admins_send`` (to the
platform's operators, as Django's mail_admins), so no sender can forget the header.
"""

import hashlib
import re
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection

_ATOM = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _part(value: object) -> str:
    """One part of a Message-ID's left side: as it is when it is a plain word (a kind, a row
    id, a schema), else a digest of it (a sentence, an address: RFC 5322 allows few
    characters there, and what an id is built from need not be readable in it)."""
    text = str(value)
    if _ATOM.fullmatch(text):
        return text
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def mail_message_id(*, kind: str, about: Sequence[object]) -> str:
    """The Message-ID of the e-mail of ``kind`` about ``about`` (row ids, or whatever names the
    one e-mail) in the current department: the same on every call with the same arguments,
    ``<kind.about….schema@domain of DEFAULT_FROM_EMAIL>``."""
    schema = getattr(connection, "schema_name", "public")
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">").strip() or "porchlight.invalid"
    left = ".".join(_part(part) for part in (kind, *about, schema))
    return f"<{left}@{domain}>"


def mail_send(
    *,
    kind: str,
    about: Sequence[object],
    subject: str,
    body: str,
    to: Sequence[str],
    from_email: str | None = None,
    reply_to: Sequence[str] = (),
) -> int:
    """Send one plain-text e-mail, its Message-ID made from ``kind`` and ``about``
    (mail_message_id): sent again, it is the same message. Raises what the mail backend raises."""
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=from_email,
        to=list(to),
        reply_to=list(reply_to),
        headers={"Message-ID": mail_message_id(kind=kind, about=about)},
    )
    return message.send()


def mail_admins_send(
    *, kind: str, about: Sequence[object], subject: str, body: str, fail_silently: bool = False
) -> int:
    """Django's mail_admins (to settings.ADMINS, from SERVER_EMAIL, the subject prefixed with
    EMAIL_SUBJECT_PREFIX), with a Message-ID made from ``kind`` and ``about``. Nothing is
    sent when there are no ADMINS."""
    # Django 5.2's (name, address) pairs, or plain addresses as Django 6 allows.
    recipients = [admin if isinstance(admin, str) else admin[1] for admin in settings.ADMINS]
    if not recipients:
        return 0
    message = EmailMessage(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.SERVER_EMAIL,
        to=recipients,
        headers={"Message-ID": mail_message_id(kind=kind, about=about)},
    )
    return message.send(fail_silently=fail_silently)
