"""Refuse an oversized upload before its body is read, under ASGI.

Django's ASGI handler reads a request's whole body (to a temporary file) before any middleware
or view runs, so a view that checks the size of an upload checks it after the client has sent
all of it: 200 MB of a wrong file written to the server's disk first. This wrapper of the HTTP
application (config.asgi) stops that for the uploads the setting ``PORCHLIGHT_UPLOAD_LIMITS``
lists, by path (POST only):

- A declared ``Content-Length`` over the limit: the application gets an empty body at once
  (nothing of the client's is read), with the request marked (``body_exceeded``), and the view
  answers its own 413 page with a sentence.
- No length (a chunked body): the bytes are counted as they arrive; past the limit the body is
  ended there, the rest is never read, and the request is marked the same way. The view refuses
  it without parsing the cut body; Django deletes the part it spooled. One within the limit is
  given the length counted, which Django's form parsing needs (it reads a body without one as
  empty).

Either way nothing is half-stored: no job, no file. Other paths pass through untouched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["EXCEEDED_KEY", "FRAMING_BYTES", "RequestBodyLimit", "body_exceeded"]

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# The form's other fields and the multipart framing around the file: a few hundred bytes, so a
# file just under its limit is never cut here (the view then checks the file itself).
FRAMING_BYTES = 64 * 1024
# Where the scope says that the body was refused: the declared length, or the bytes counted when
# it was cut (ASGIRequest keeps its scope as ``request.scope``).
EXCEEDED_KEY = "porchlight.body_exceeded"


def body_exceeded(request: HttpRequest) -> int | None:
    """The declared or counted size of a body this wrapper refused, else None (also under WSGI,
    which reads no body before the view: the view's own check of Content-Length applies)."""
    scope = getattr(request, "scope", None)
    return scope.get(EXCEEDED_KEY) if isinstance(scope, dict) else None


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _never() -> Message:
    """What the application's later reads get once the body is refused: nothing, until the
    application stops waiting (Django cancels its watch for a disconnect when it has answered).
    Reading the real channel would pull in the rest of the body this is here to leave unread."""
    await asyncio.Future()
    raise AssertionError("unreachable")  # pragma: no cover


class RequestBodyLimit:
    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limits: dict[str, str] = settings.PORCHLIGHT_UPLOAD_LIMITS
        setting = limits.get(scope.get("path", "")) if scope.get("type") == "http" else None
        if setting is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        limit = int(getattr(settings, setting)) + FRAMING_BYTES
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            scope[EXCEEDED_KEY] = declared
            await self.app(scope, self._refused_receive(), send)
            return
        await self.app(scope, self._counting_receive(scope, receive, limit), send)

    @staticmethod
    def _refused_receive() -> Receive:
        ended = False

        async def receive() -> Message:
            nonlocal ended
            if not ended:
                ended = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return await _never()

        return receive

    @staticmethod
    def _counting_receive(scope: Scope, receive: Receive, limit: int) -> Receive:
        counted = 0
        cut = False

        async def counting() -> Message:
            nonlocal counted, cut
            if cut:
                return await _never()
            message = await receive()
            if message.get("type") != "http.request":
                return message
            counted += len(message.get("body", b""))
            if counted > limit:
                cut = True
                scope[EXCEEDED_KEY] = counted
                return {"type": "http.request", "body": b"", "more_body": False}
            if not message.get("more_body", False) and _declared_length(scope) is None:
                # Django parses a form body by its declared length, and reads one without any as
                # empty: a chunked body within the limit is given the length counted (the
                # request is built from the scope once the body has ended).
                scope["headers"] = [*scope.get("headers", ()), (b"content-length", str(counted).encode())]
            return message

        return counting
