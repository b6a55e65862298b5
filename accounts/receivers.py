"""Signal receivers for Django's own auth events: logging and login bookkeeping only."""

import logging
from typing import TYPE_CHECKING, Any

from django.contrib.auth import user_logged_in
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.utils import timezone

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import User

logger = logging.getLogger("porchlight.security")


def _client_ip(request: "HttpRequest | None") -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_login_failed)
def log_login_failure(
    sender: Any, credentials: dict[str, Any], request: "HttpRequest | None" = None, **kwargs: Any
) -> None:
    logger.warning(
        "login failed",
        extra={
            "event": "login_failed",
            "email": credentials.get("email") or credentials.get("username"),
            "ip": _client_ip(request),
        },
    )


@receiver(user_logged_in)
def log_login(sender: Any, request: "HttpRequest | None", user: "User", **kwargs: Any) -> None:
    logger.info("login", extra={"event": "login", "user_id": user.pk, "ip": _client_ip(request)})


# Django's update_last_login saves the user, which would write a history row on every
# login; record the time without touching history.
user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")


@receiver(user_logged_in, dispatch_uid="porchlight_update_last_login")
def record_last_login(sender: Any, request: "HttpRequest | None", user: "User", **kwargs: Any) -> None:
    # last_login is excluded from history; a plain UPDATE keeps the history table small.
    type(user)._default_manager.filter(pk=user.pk).update(last_login=timezone.now())
    if request is not None and hasattr(request, "session"):
        request.session["auth_started_at"] = timezone.now().timestamp()
