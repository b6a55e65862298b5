"""The number of unread messages beside "Messages" in the menu."""

from typing import Any

from django import template
from django_tenants.utils import get_public_schema_name

from accounts.models import OWNER_ROLES
from accounts.selectors import session_passed_mfa
from cameras.access import CAMERA_ROLES
from messaging import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def messages_unread(context: Any) -> int:
    """Unread messages of the signed-in owner (from officers) or officer (owners' answers);
    0, and no query, for anyone else, on the public site, or for a staff session that has
    not passed MFA (it reaches only the MFA set-up pages)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if user is None or not user.is_authenticated or tenant is None or tenant.schema_name == get_public_schema_name():
        return 0
    if user.role in OWNER_ROLES:
        return selectors.unread_for_owner(owner=user)
    if user.role in CAMERA_ROLES and session_passed_mfa(request.session):
        return selectors.unread_for_officer(officer=user)
    return 0
