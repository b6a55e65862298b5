"""The integrity-notice banner shown to department admins and supervisors on every page."""

from typing import Any

from django import template
from django_tenants.utils import get_public_schema_name

from accounts.selectors import session_passed_mfa
from footage import selectors

register = template.Library()

BANNER_LIMIT = 5


@register.inclusion_tag("footage/_integrity_banner.html", takes_context=True)
def integrity_banner(context: Any) -> dict[str, Any]:
    """Open integrity notices for this user: none (and no query) for other roles, for a
    session that has not passed MFA (it reaches only the MFA set-up pages), or the public site."""
    request = context.get("request")
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if (
        user is None
        or not user.is_authenticated
        or tenant is None
        or tenant.schema_name == get_public_schema_name()
        or getattr(user, "role", None) not in selectors.INTEGRITY_NOTICE_ROLES
        or not session_passed_mfa(request.session)
    ):
        return {"notices": [], "more": 0}
    notices = list(selectors.integrity_notices_open()[: BANNER_LIMIT + 1])
    return {
        "notices": notices[:BANNER_LIMIT],
        "more": len(notices) > BANNER_LIMIT,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
