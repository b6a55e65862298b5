"""/ws/console/incidents/: the console's live feed of the department's incidents.

Authorization is the console pages' (cameras.mixins.StaffConsoleMixin): an officer or a
supervisor, active, whose session passed a second factor. A refused socket is logged as a
refused console page is (console_denied) and closed with a code of docs/console-incidents.md.
The socket joins the department's incidents group (incidents.events) and the officer's own
group (accounts.events: a deactivation or a role change is pushed there), and re-checks the
session every RECHECK_SECONDS as well.

Every database call sets the tenant again (TenantConsumerMixin.db): all consumers of a
process share one sync thread (stack-pitfalls §1).
"""

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from accounts.events import user_group
from accounts.models import User
from accounts.selectors import session_passed_mfa, user_has_mfa
from cameras import access
from incidents.events import incidents_group
from tenants.asgi import TenantConsumerMixin, socket_session_user

from .incident_feed import incident_message_by_id

__all__ = [
    "CLOSE_ACCOUNT",
    "CLOSE_DENIED",
    "CLOSE_MFA_REQUIRED",
    "CLOSE_UNAUTHENTICATED",
    "IncidentsConsumer",
]

logger = logging.getLogger("porchlight.console")

# Close codes (docs/console-incidents.md lists each; tests/console/test_incident_socket.py checks).
CLOSE_UNAUTHENTICATED = 4401  # not signed in, or the session ended (signed out, timed out)
CLOSE_DENIED = 4403  # signed in, but not an officer or a supervisor (logged: console_denied)
CLOSE_MFA_REQUIRED = 4407  # staff whose session did not pass a second factor (logged: console_denied)
CLOSE_ACCOUNT = 4411  # the officer's account was deactivated while the socket was open

# A session timing out is not pushed to anyone: the socket asks again this often. A
# deactivation or a role change is pushed (accounts.events) and acted on at once.
RECHECK_SECONDS = 30.0

PATH = "/ws/console/incidents/"


@dataclass(frozen=True)
class _Read:
    """One read of an incident, and when it began (monotonic seconds)."""

    started: float
    message: dict[str, Any] | None


def _read(public_id: str) -> _Read:
    started = time.monotonic()
    return _Read(started, incident_message_by_id(public_id))


# Reads of an incident under way in this process, by (schema, incident): the consoles of one
# process that hear of one change together share one read instead of queueing twenty on the
# process's one database thread (bench/incidents.py). A console shares a read only if it began
# after the console heard of the change, so it cannot miss that change (see _incident).
_reads: dict[tuple[str, str], "asyncio.Future[_Read]"] = {}


def _refusal(user: Any, session: Any) -> int | None:
    """The close code for this socket's session and user as they stand now, or None if allowed."""
    if not getattr(user, "is_authenticated", False):
        return CLOSE_UNAUTHENTICATED
    if user.role not in access.CAMERA_ROLES:
        return CLOSE_DENIED
    if not (session_passed_mfa(session) and user_has_mfa(user)):
        return CLOSE_MFA_REQUIRED
    return None


def _check(scope: dict[str, Any], user_id: int | None) -> int | None:
    """Re-read the socket's session (as the handshake did) and judge it again."""
    session, user = socket_session_user(scope)
    code = _refusal(user, session)
    if (
        code == CLOSE_UNAUTHENTICATED
        and user_id is not None
        and User.objects.filter(pk=user_id, is_active=False).exists()
    ):
        return CLOSE_ACCOUNT
    return code


def _authorize(scope: dict[str, Any], actor: access.Actor) -> int | None:
    """At the handshake: the refusal's code, with a staff refusal logged as console_denied."""
    code = _refusal(actor.user, scope["session"])
    if code in (CLOSE_DENIED, CLOSE_MFA_REQUIRED):
        access.console_denied(actor=actor, path=PATH)
    return code


class IncidentsConsumer(TenantConsumerMixin, AsyncWebsocketConsumer):
    joined: tuple[str, ...] = ()
    watch: "asyncio.Task[None] | None" = None

    async def connect(self) -> None:
        await self.accept()  # then close with a code the page reads, rather than a bare 403
        user = self.scope["user"]
        self.schema = str(self.scope["tenant"].schema_name)
        actor = access.Actor(
            user=user,
            mfa=session_passed_mfa(self.scope["session"]),
            session_hash=self.scope.get("session_key_hash", ""),
            ip=(self.scope.get("client") or [None])[0],
            user_agent=dict(self.scope.get("headers", [])).get(b"user-agent", b"").decode("latin-1")[:300],
        )
        code = await self.db(_authorize, self.scope, actor)
        if code is not None:
            await self.close(code=code)
            return
        self.user_id: int = user.pk
        for group in (incidents_group(self.schema), user_group(self.schema, user.pk)):
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined += (group,)
        await self.send(json.dumps({"type": "ready"}))
        self.watch = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while self.joined:
            await asyncio.sleep(RECHECK_SECONDS)
            await self._recheck()

    async def _recheck(self) -> None:
        code = await self.db(_check, self.scope, self.user_id)
        if code is not None:
            logger.info("incident feed closed", extra={"code": code, "schema": self.schema})
            await self._leave()
            await self.close(code=code)

    async def live_recheck(self, event: dict[str, Any]) -> None:
        """The officer's account changed (deactivated, role): ask again now."""
        if self.joined:
            await self._recheck()

    async def incident_changed(self, event: dict[str, Any]) -> None:
        if not self.joined:
            return
        message = await self._incident(str(event["incident"]), heard=time.monotonic())
        if message is not None:
            await self.send(json.dumps({"type": "incident", "incident": message}))

    async def _incident(self, public_id: str, *, heard: float) -> dict[str, Any] | None:
        key = (self.schema, public_id)
        shared = _reads.get(key)
        if shared is not None:
            read = await asyncio.shield(shared)
            if read.started >= heard:
                return read.message
        future: asyncio.Future[_Read] = asyncio.ensure_future(self.db(_read, public_id))
        _reads[key] = future
        future.add_done_callback(lambda done: _reads.pop(key) if _reads.get(key) is done else None)
        return (await asyncio.shield(future)).message

    async def _leave(self) -> None:
        joined, self.joined = self.joined, ()
        for group in joined:
            with contextlib.suppress(Exception):  # the membership expires by itself
                await self.channel_layer.group_discard(group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.watch is not None and self.watch is not asyncio.current_task():
            self.watch.cancel()
        await self._leave()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """The feed only speaks; anything the page sends is ignored."""
