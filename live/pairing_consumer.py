"""``/ws/bridge/pair/``: a bridge program trades a one-time pairing code for its token.

One message each way, then the server closes: the bridge sends
``{"type": "pair", "code": "K7QM-4XZB", "name": "<its host name>"}``; the answer is
``{"type": "paired", "token": …, "bridge": "<uuid>", "name": …, "cameras": [{"id", "label"}]}``
(closed 1000), or a close whose code and reason say why not (docs/bridge-protocol.md,
"Pairing"). The department is the host's (tenants.asgi); attempts are counted per address and
per department before the code is looked up (core.ratelimit ``bridge_pair``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from bridge import protocol
from core import ratelimit
from core.errors import Unavailable
from tenants.asgi import TenantConsumerMixin

from . import pairing

logger = logging.getLogger("porchlight.live")

# A program that connects and says nothing holds a connection for no more than this (seconds).
FIRST_MESSAGE_SECONDS = 15.0
MAX_MESSAGE_BYTES = 1024
PAIRING_RETRY_REASON = "too many pairing attempts; retry after {seconds} s"


class BridgePairConsumer(TenantConsumerMixin, AsyncWebsocketConsumer):
    timeout: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        await self.accept()
        self.timeout = asyncio.create_task(self._close_if_silent())

    async def disconnect(self, code: int) -> None:
        if self.timeout is not None:
            self.timeout.cancel()

    async def _close_if_silent(self) -> None:
        await asyncio.sleep(FIRST_MESSAGE_SECONDS)
        await self.close(code=protocol.CLOSE_MALFORMED, reason="no pairing message")

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.timeout is not None:
            self.timeout.cancel()
        schema = str(self.scope["tenant"].schema_name)
        ip = (self.scope.get("client") or ("unknown", 0))[0]
        try:
            refusal = await ratelimit.alimit_take(limit=ratelimit.Limit.BRIDGE_PAIR, schema=schema, ip=ip, key="all")
        except Unavailable:
            await self.close(code=protocol.CLOSE_TRY_AGAIN_LATER)
            return
        if refusal is not None:
            logger.warning("bridge pairing refused: too many attempts", extra={"schema": schema, "ip": ip})
            await self.close(
                code=protocol.CLOSE_TOO_MANY_ATTEMPTS, reason=PAIRING_RETRY_REASON.format(seconds=refusal.retry_after)
            )
            return
        message = _pair_message(text_data)
        if message is None:
            logger.warning("bridge pairing refused: malformed message", extra={"schema": schema, "ip": ip})
            await self.close(code=protocol.CLOSE_MALFORMED, reason='expected {"type": "pair", "code": "…"}')
            return
        code, name = message
        try:
            redeemed = await self.db(pairing.bridge_pairing_redeem, code=code, ip=ip, name=name)
        except pairing.PairingRefused as exc:
            logger.warning(
                "bridge pairing refused",
                extra={"schema": schema, "ip": ip, "refusal": str(exc.refusal), "computer": name},
            )
            await self.close(code=exc.close_code, reason=exc.reason)
            return
        logger.info(
            "bridge paired",
            extra={"schema": schema, "ip": ip, "bridge": str(redeemed.bridge.public_id), "computer": name},
        )
        await self.send(
            json.dumps(
                {
                    "type": protocol.PAIRED,
                    "token": redeemed.token,
                    "bridge": str(redeemed.bridge.public_id),
                    "name": redeemed.bridge.name,
                    "cameras": [{"id": str(c.public_id), "label": c.label} for c in redeemed.cameras],
                }
            )
        )
        await self.close(code=1000)


def _pair_message(text: str | None) -> tuple[str, str] | None:
    """(code, name) of a well-formed pair message, else None."""
    if text is None or len(text) > MAX_MESSAGE_BYTES:
        return None
    with contextlib.suppress(ValueError, RecursionError):
        message: Any = json.loads(text)
        if (
            isinstance(message, dict)
            and message.get("type") == protocol.PAIR
            and isinstance(message.get("code"), str)
            and isinstance(message.get("name", ""), str)
        ):
            return message["code"], message.get("name", "")
    return None
