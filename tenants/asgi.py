"""Tenancy for WebSockets: django-tenants only covers the HTTP path.

``TenantWebsocketMiddleware`` resolves the department from the Host header (unknown
host or the public site: the handshake is refused), checks the Origin when a browser
sends one, and loads the session and user *inside that tenant's schema*. A staff session
past its idle or absolute timeout is ended as the HTTP middleware ends it, and the socket
sees an anonymous user (a live view closes with 4401).

Every database call a consumer makes must set the tenant again, inside the sync
function: all ``database_sync_to_async`` calls of a process share one thread and one
connection, so a schema set for one consumer would otherwise leak into the next
(stack-pitfalls §1). ``TenantConsumerMixin.db`` does that.
"""

import hashlib
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from importlib import import_module
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user, logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_tenants.utils import (
    get_public_schema_name,
    get_tenant_domain_model,
    remove_www,
    schema_context,
    tenant_context,
)

from core.sessions import staff_session_expiry

if TYPE_CHECKING:
    # The user model (AUTH_USER_MODEL) as django-stubs' plugin resolves it: tenants sits below
    # accounts (pyproject's layers), so it names no accounts module, even for the type checker.
    from django.contrib.auth.models import _AnyUser
    from django.contrib.sessions.backends.base import SessionBase

    from .models import Department

T = TypeVar("T")

# WebSocket close codes (docs/bridge-protocol.md). An unknown host is told after the handshake,
# so that a program (a bridge) reads the code and stops retrying; a refused handshake reaches it
# only as an HTTP 403, which looks like any passing failure. A foreign Origin (a browser on
# another site's page) is refused at the handshake: no socket is opened for it at all.
CLOSE_UNKNOWN_TENANT = 4404
CLOSE_BAD_ORIGIN = 4403


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _tenant_for_host(host: str) -> Any:
    with schema_context(get_public_schema_name()):
        domain = get_tenant_domain_model().objects.select_related("tenant").filter(domain=host).first()
        return domain.tenant if domain else None


def _session_timed_out(session: "SessionBase", user: "_AnyUser") -> bool:
    """Whether the staff session timeouts end this session, as they would on an HTTP request.

    The rule is core.sessions.staff_session_expiry, which accounts' HTTP middleware also
    asks. An ended session is signed out here as there (which also ends it for the
    browser's next page). The socket does not count as activity: the page that opened it did.
    """
    if not getattr(user, "is_staff_role", False) or staff_session_expiry(session, now=time.time()) is None:
        return False
    request = HttpRequest()
    request.session = session
    request.user = user
    logout(request)
    return True


def _session_and_user(tenant: "Department", session_key: str | None) -> "tuple[SessionBase, _AnyUser]":
    engine = import_module(settings.SESSION_ENGINE)
    with tenant_context(tenant):
        session = engine.SessionStore(session_key)
        user = get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]
        if user.is_authenticated:
            user.role  # noqa: B018  (load fields now, inside the schema)
            if _session_timed_out(session, user):
                user = AnonymousUser()
        return session, user


def socket_session_user(scope: dict[str, Any]) -> "tuple[SessionBase, _AnyUser]":
    """The socket's session and user as they stand now: what the handshake found, asked again
    (signed out, timed out, password changed: an anonymous user). Runs in the scope's tenant."""
    session_key = getattr(scope.get("session"), "session_key", None)
    return _session_and_user(scope["tenant"], session_key)


def run_in_tenant(tenant: "Department", fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with tenant_context(tenant):
        return fn(*args, **kwargs)


async def _accept_and_close(receive: Any, send: Any, *, code: int) -> None:
    """Complete the handshake, then close with ``code``: the client reads why it was refused."""
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": code})


class TenantWebsocketMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        host = remove_www(_header(scope, b"host").split(":")[0].lower())
        tenant = await database_sync_to_async(_tenant_for_host)(host) if host else None
        if tenant is None or tenant.schema_name == get_public_schema_name():
            return await _accept_and_close(receive, send, code=CLOSE_UNKNOWN_TENANT)
        origin = _header(scope, b"origin")
        # Browsers always send Origin; a page of another host must not ride on our cookies.
        if origin and (urlsplit(origin).hostname or "").lower() != host:
            await send({"type": "websocket.close", "code": CLOSE_BAD_ORIGIN})
            return None
        cookies = SimpleCookie()
        cookies.load(_header(scope, b"cookie"))
        morsel = cookies.get(settings.SESSION_COOKIE_NAME)
        session_key = morsel.value if morsel else None
        session, user = await database_sync_to_async(_session_and_user)(tenant, session_key)
        scope = dict(
            scope,
            tenant=tenant,
            session=session,
            user=user if user is not None else AnonymousUser(),
            session_key_hash=hashlib.sha256(session_key.encode()).hexdigest() if session_key else "",
        )
        return await self.app(scope, receive, send)


class TenantConsumerMixin:
    """For consumers: ``await self.db(fn, ...)`` runs ``fn`` in this connection's tenant."""

    scope: dict[str, Any]

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await database_sync_to_async(run_in_tenant)(self.scope["tenant"], fn, *args, **kwargs)
