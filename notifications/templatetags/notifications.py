"""The unread count beside "Notifications" in the menu."""

from typing import Any

from django import template

from accounts.models import STAFF_ROLES
from notifications.selectors import notifications_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_unread(context: Any) -> int:
    """How many of the signed-in staff member's notifications are unread (no query for others)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "role", None) not in STAFF_ROLES:
        return 0
    return notifications_unread_count(user=user)
