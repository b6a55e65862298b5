"""How pages and small JSON endpoints answer a DomainError: its HTTP status, in one place.

The API has its own translation (``accounts.api_base.exception_handler``, the same statuses);
WebSockets have close codes (``live.consumers``).
"""

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

from .errors import Conflict, DomainError, Gone, Invalid, NotFound, RateLimited, Refused, Unavailable

#: The HTTP status of each kind of refusal (a subclass answers as its nearest listed base).
HTTP_STATUS: dict[type[DomainError], int] = {
    Invalid: 400,
    Refused: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    RateLimited: 429,
    Unavailable: 503,
}


def status_of(error: DomainError) -> int:
    """The HTTP status that answers ``error``."""
    for kind in type(error).__mro__:
        if kind in HTTP_STATUS:
            return HTTP_STATUS[kind]
    return 400


def text_refusal(message: str, status: int) -> HttpResponse:
    """A plain-text refusal that no cache keeps: for what a browser fetches rather than shows
    as a page (a download, a video's bytes), where an HTML page would be read as the file."""
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    add_never_cache_headers(response)
    return response


def error_text_refusal(error: DomainError) -> HttpResponse:
    """``error`` as a plain-text, never-cached refusal with its status (and, when it is a rate
    limit, when to try again)."""
    response = text_refusal(error.message, status_of(error))
    retry_after(response, error)
    return response


def retry_after(response: HttpResponse, error: DomainError) -> HttpResponse:
    """Sets ``Retry-After`` on the answer to a :class:`RateLimited` (nothing for other errors)."""
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response
