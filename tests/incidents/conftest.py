"""Integrations made through the service, and deliveries signed as a sender signs them."""

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import Role
from cameras.access import Actor
from incidents import services
from incidents.models import Integration, IntegrationKind, PayloadShape
from incidents.secrets import signature_for
from tests.factories import UserFactory


def admin_actor() -> Actor:
    admin = UserFactory(role=Role.DEPT_ADMIN, badge_number="A1")
    return Actor(user=admin, mfa=True, session_hash="a" * 64, ip="10.0.0.9", user_agent="pytest")


def integration_make(
    *, kind: str = IntegrationKind.CAD, shape: str = PayloadShape.GENERIC, name: str = "County CAD"
) -> tuple[Integration, str]:
    """An integration of the current department, and its secret."""
    return services.integration_create(actor=admin_actor(), kind=kind, name=name, shape=shape)


def signed_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "HTTP_X_PORCHLIGHT_TIMESTAMP": stamp,
        "HTTP_X_PORCHLIGHT_SIGNATURE": "sha256=" + signature_for(secret, timestamp=stamp, body=body),
    }


def events_url(integration: Integration) -> str:
    return f"/api/v1/integrations/{integration.public_id}/events/"


def post_signed(client: Any, integration: Integration, secret: str, payload: Any, **headers: Any) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        events_url(integration),
        data=body,
        content_type="application/json",
        **{**signed_headers(secret, body), **headers},
    )


@pytest.fixture
def cad(in_rialto: Any) -> tuple[Integration, str]:
    return integration_make()


@pytest.fixture
def send(rialto_client: Any) -> Callable[..., Any]:
    def _send(integration: Integration, secret: str, payload: Any, **headers: Any) -> Any:
        return post_signed(rialto_client, integration, secret, payload, **headers)

    return _send
