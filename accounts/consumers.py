"""/ws/whoami/: the smallest authenticated consumer, to prove WebSocket tenancy."""

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from tenants.asgi import TenantConsumerMixin
from tenants.selectors import department_current

from .models import User
from .selectors import user_has_mfa

CLOSE_UNAUTHENTICATED = 4401
CLOSE_MFA_REQUIRED = 4403


def _whoami(user_id: int) -> dict[str, Any]:
    # Read the user again from the database: if the schema were wrong, this would
    # return another department's user with the same id (or none).
    user = User.objects.get(pk=user_id)
    department = department_current()
    return {
        "schema": department.schema_name,
        "department": department.name,
        "user": {"id": user.pk, "email": user.email, "role": user.role},
        "mfa_required": user.is_staff_role and not user_has_mfa(user),
    }


class WhoAmIConsumer(TenantConsumerMixin, AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        info = await self.db(_whoami, user.pk)
        if info.pop("mfa_required"):
            await self.close(code=CLOSE_MFA_REQUIRED)
            return
        await self.accept()
        await self.send_json(info)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        info = await self.db(_whoami, self.scope["user"].pk)
        info.pop("mfa_required")
        await self.send_json(info)
