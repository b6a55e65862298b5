"""The type of a request that a login-requiring view receives: its user is signed in.

``HttpRequest.user`` is ``User | AnonymousUser``. Behind ``LoginRequiredMixin`` (and the
owner, staff and admin mixins built on it) the anonymous case never reaches the handler, so
the handlers annotate ``request: "AuthenticatedHttpRequest"`` and pass ``request.user`` on
where a ``User`` is wanted. This is django-stubs' documented pattern; it is for the type
checker only and checks nothing at run time (the mixin does).
"""

from django.http import HttpRequest

from .models import User

__all__ = ["AuthenticatedHttpRequest"]


class AuthenticatedHttpRequest(HttpRequest):
    user: User
