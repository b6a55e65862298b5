"""The one error vocabulary of the domain (HackSoft's ApplicationError, Saleor's error codes).

A service that refuses raises a :class:`DomainError`: a ``message`` for the person who caused
it (a sentence in the active language), a stable ``code`` (a member of the app's reason
enum, e.g. ``cameras.access.Refusal``: what logs, tests and the API's ``reason`` carry) and,
when the refusal is about one input, its ``field``. The subclass says what kind of refusal it
is; it never carries an HTTP status. Each interface translates the kinds in one place:

- HTML pages: ``config.middleware.ErrorPageMiddleware`` for a refusal a page does not handle,
  :func:`core.http.status_of` for small JSON or text answers, :func:`core.forms.form_errors_add`
  for a form;
- the API: ``accounts.api_base.exception_handler``;
- WebSockets: the close codes in ``live.consumers``.

A :class:`RateLimited` answers 429 with ``Retry-After`` (pages, the API) or its close code (the bridge).

Input that a form validates field by field stays Django's ``ValidationError`` (forms and
serializers already speak it); a DomainError is for what a service decides.
"""

from typing import ClassVar


class DomainError(Exception):
    """A refusal the person who caused it can read and act on."""

    #: What kind of refusal, for interfaces that need a word rather than a class.
    kind: ClassVar[str] = "invalid"

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = str(code)
        self.field = field

    def __str__(self) -> str:
        return self.message


class Invalid(DomainError):
    """The input cannot be accepted as it is (the message says what to change)."""

    kind = "invalid"


class Refused(DomainError):
    """This person may not do this, now (a refusal of the gate or of a role)."""

    kind = "refused"


class AccessRefused(Refused):
    """The access gate refused a staff action on camera data; the refusal is in the access log
    and ``code`` is the gate's reason (cameras.access.Refusal or cameras.consent.Reason)."""

    kind = "access_refused"


class NotFound(DomainError):
    """No such thing, or none this person may know of: both answer alike, so a guess learns nothing."""

    kind = "not_found"


class Conflict(DomainError):
    """The request does not fit the current state (e.g. a piece at the wrong offset)."""

    kind = "conflict"


class Gone(DomainError):
    """It existed and is no longer usable (a used or expired link, a purged clip)."""

    kind = "gone"


class Unavailable(DomainError):
    """A service outside Porchlight did not answer; trying again later may work."""

    kind = "unavailable"


class RateLimited(DomainError):
    """Too many attempts in a while (core.ratelimit): ``retry_after`` is the whole seconds until
    the next one is allowed, which every interface tells (Retry-After, the close reason)."""

    kind = "rate_limited"

    def __init__(self, message: str, *, code: str, retry_after: int) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
