"""The one way to speak to a person in their own language: every e-mail, from a request or
from a Celery worker, is rendered inside ``in_language_of(recipient)``.

A worker has no request and no browser: the language that was active where the action
happened (an officer's English console) says nothing about the recipient (a Spanish-speaking
owner). The recipient's own choice (``User.language``) decides; without one, the department's
language (its policy), else the site's default.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpResponseBase
from django.utils import translation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

__all__ = ["department_language", "in_language_of", "language_cookie_set", "language_supported", "user_language"]


def language_supported(code: str | None) -> str:
    """``code`` as one of settings.LANGUAGES ("es-mx" is "es"), or "" when Porchlight does not
    speak it."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return ""


def department_language() -> str:
    """The language of the current department (its policy), "" outside a department."""
    from tenants.selectors import department_current, policy_current

    department = department_current()  # public's FakeTenant has no pk and no policy
    if getattr(department, "pk", None) is None:
        return ""
    return language_supported(policy_current().language)


def user_language(user: "User | AnonymousUser") -> str:
    """The language to write to ``user`` in: their own, else their department's, else the site's."""
    return (
        language_supported(getattr(user, "language", ""))
        or department_language()
        or language_supported(settings.LANGUAGE_CODE)
        or "en"
    )


@contextmanager
def in_language_of(user: "User") -> Iterator[str]:
    """Render what is inside (subject, body, labels, dates) in ``user``'s language."""
    language = user_language(user)
    with translation.override(language):
        yield language


def language_cookie_set(response: HttpResponseBase, language: str) -> None:
    """Make the browser's pages speak ``language`` (LocaleMiddleware reads this cookie), as
    Django's own language switch does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
