"""Celery tasks of accounts. Each runs inside the schema of the tenant that enqueued it."""

import logging
from typing import TYPE_CHECKING

from celery import shared_task
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail import mail_send
from tenants.outbox import OutboxTask

from .language import in_language_of
from .models import User

if TYPE_CHECKING:
    from tenants.models import Department

logger = logging.getLogger("porchlight.accounts")


@shared_task(name="accounts.tasks.user_invitation_send", base=OutboxTask)
def user_invitation_send(*, user_id: int, actor_id: int | None = None) -> None:
    """E-mail a set-password link to an invited staff member (idempotent per invitation)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    from tenants.selectors import department_base_url, department_current

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.invitation_sent_at is not None or user.has_usable_password():
        return
    department = department_current()
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}).replace("UID-KEY", key)
    link = department_base_url(department) + path
    with in_language_of(user):
        _invitation_mail(user, department, link)
    user.invitation_sent_at = timezone.now()
    user._history_user = User.objects.filter(pk=actor_id).first() if actor_id else None  # type: ignore[attr-defined]
    user.save(update_fields=["invitation_sent_at"])
    logger.info("invitation sent", extra={"user_id": user.pk})


def _invitation_mail(user: User, department: "Department", link: str) -> None:
    mail_send(
        kind="invitation",
        about=[user.pk],
        subject=_("[Porchlight] You have been invited to %(department)s") % {"department": department.name},
        body=_(
            "You have been given a %(role)s account on Porchlight for %(department)s.\n\n"
            "Choose your password here (the link works once):\n%(link)s\n\n"
            "After that you will be asked to set up two-factor authentication with an authenticator app.\n"
        )
        % {"role": user.get_role_display(), "department": department.name, "link": link},
        to=[user.email],
    )


@shared_task(name="accounts.tasks.sessions_clear_expired")
def sessions_clear_expired() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
