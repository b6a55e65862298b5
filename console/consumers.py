"""/ws/console/incidents/: the console's live feed of the department's incidents.

Authorization is the console pages' (cameras.mixins.StaffConsoleMixin): an officer or a
supervisor, active, whose session passed a second factor. A refused socket is logged as a
refused console page is (console_denied) and closed with a code of docs/console-incidents.md.
The socket joins its process's feed of the department's incidents (_Feed: one membership of
the department's incidents group, incidents.events, per process) and the officer's own group
(accounts.events: a deactivation or a role change is pushed there), and re-checks the session
every RECHECK_SECONDS as well.

Every database call sets the tenant again (TenantConsumerMixin.db): all consumers of a
process share one sync thread (stack-pitfalls §1).
"""

import asyncio
import contextlib
import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from accounts.events import user_group
from accounts.models import User
from accounts.selectors import session_passed_mfa, user_has_mfa
from cameras import access
from incidents.events import INCIDENT_CHANGED, incident_ids_of, incidents_group
from incidents.selectors import incidents_by_ids
from tenants.asgi import TenantConsumerMixin, run_in_tenant, socket_session_user

from .incident_feed import incident_message

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


def _read(public_ids: list[str]) -> list[dict[str, Any]]:
    """The messages for these incidents of the current department (one query), in their order."""
    found = incidents_by_ids(public_ids=public_ids)
    return [incident_message(found[i]) for i in public_ids if i in found]


# An incident's read runs on a thread of the default executor, not on the process's one
# database thread (database_sync_to_async's thread_sensitive default): reads of different
# incidents wait for the database side by side, up to the connection pool's size, instead of
# in one queue behind every other consumer's call. The tenant is set inside (run_in_tenant),
# on whichever thread and connection the read gets.
_read_in_tenant = database_sync_to_async(run_in_tenant, thread_sensitive=False)


class _Feed:
    """The incidents of one department for the consoles of this process.

    One channel of this process joins the department's incidents group, whatever the number
    of consoles open here, reads each incident once and sends it to each of them. With a
    group membership per console, 20 consoles meant 20 messages per incident through Redis,
    popped one at a time by the process's one channel-layer reader: at 50 incidents a second
    that reader fell behind, messages waited seconds, and the channel layer dropped those over
    a channel's capacity (bench/incidents.py). The feed holds only consoles whose socket was
    authorized (IncidentsConsumer.connect) and of this department: it is keyed by the schema.

    Reads are batched: while one read is under way, the incidents heard meanwhile wait and
    are then read together, in one query. However slow the database (a loaded PostgreSQL took
    100-300 ms a statement in bench/incidents.py), the feed keeps up with the rate: each read
    takes all that arrived during the one before. An incident is read after its change was heard,
    so after the change's commit: what is sent is that change or a later one, never an older one.
    """

    def __init__(self, layer: Any, tenant: Any) -> None:
        self.layer = layer
        self.tenant = tenant
        self.group = incidents_group(str(tenant.schema_name))
        self.consoles: set[IncidentsConsumer] = set()
        self.channel = ""
        self.tasks: list[asyncio.Task[None]] = []
        self.heard: dict[str, None] = {}  # incidents to read next, in the order heard
        self.wake = asyncio.Event()

    async def start(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.tasks = [
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._deliver()),
            asyncio.create_task(self._renew()),
        ]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(BaseException):  # cancelled, or already failed and logged
                await task
        with contextlib.suppress(Exception):  # Redis gone: the membership expires by itself
            await self.layer.group_discard(self.group, self.channel)

    async def _renew(self) -> None:
        """The channel layer forgets a membership after group_expiry: join again well within it."""
        expiry = getattr(self.layer, "group_expiry", None)
        while expiry:
            await asyncio.sleep(expiry / 4)
            with contextlib.suppress(Exception):  # the next turn tries again
                await self.layer.group_add(self.group, self.channel)

    async def _listen(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis gone for a moment: wait, join again, go on
                logger.warning("incident feed could not read the channel layer", exc_info=True)
                await asyncio.sleep(1)
                with contextlib.suppress(Exception):
                    await self.layer.group_add(self.group, self.channel)
                continue
            if message.get("type") == INCIDENT_CHANGED:
                for public_id in incident_ids_of(message):
                    self.heard[public_id] = None
                if self.heard:
                    self.wake.set()

    async def _deliver(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            public_ids, self.heard = list(self.heard), {}
            try:
                incidents = await _read_in_tenant(self.tenant, _read, public_ids)
            except Exception:
                logger.exception("incident feed could not read incidents", extra={"incidents": len(public_ids)})
                continue
            texts = [json.dumps({"type": "incident", "incident": incident}) for incident in incidents]
            # Side by side: a console on a slow link holds up its own socket, not the others'.
            await asyncio.gather(*(_send_all(console, texts) for console in list(self.consoles)))


async def _send_all(console: "IncidentsConsumer", texts: list[str]) -> None:
    with contextlib.suppress(Exception):  # that socket is closing; the others still get theirs
        for text in texts:
            await console.send(text)


# The feeds of this process, by event loop and schema (a test runs each case in a loop of its own).
_feeds: dict[tuple[int, str], _Feed] = {}
_feeds_lock: dict[int, asyncio.Lock] = {}


async def _feed_join(console: "IncidentsConsumer") -> None:
    loop = id(asyncio.get_running_loop())
    key = (loop, str(console.scope["tenant"].schema_name))
    async with _feeds_lock.setdefault(loop, asyncio.Lock()):
        feed = _feeds.get(key)
        if feed is None or feed.layer is not console.channel_layer:
            feed = _Feed(console.channel_layer, console.scope["tenant"])
            await feed.start()
            _feeds[key] = feed
        feed.consoles.add(console)


async def _feed_leave(console: "IncidentsConsumer") -> None:
    loop = id(asyncio.get_running_loop())
    key = (loop, str(console.scope["tenant"].schema_name))
    async with _feeds_lock.setdefault(loop, asyncio.Lock()):
        feed = _feeds.get(key)
        if feed is None or console not in feed.consoles:
            return
        feed.consoles.discard(console)
        if not feed.consoles:
            del _feeds[key]
            await feed.stop()


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
    joined: tuple[str, ...] = ()  # the officer's own group (accounts.events)
    in_feed = False
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
        group = user_group(self.schema, user.pk)
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined = (group,)
        await _feed_join(self)
        self.in_feed = True
        await self.send(json.dumps({"type": "ready"}))
        self.watch = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while self.in_feed:
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
        if self.in_feed:
            await self._recheck()

    async def _leave(self) -> None:
        if self.in_feed:
            self.in_feed = False
            await _feed_leave(self)
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
