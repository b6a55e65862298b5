"""ASGI entry point: HTTP goes to Django (django-tenants picks the schema per request);
WebSockets go through the tenant middleware, which resolves the department from Host."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (after Django setup)

from config.routing import websocket_urlpatterns  # noqa: E402
from tenants.asgi import TenantWebsocketMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": TenantWebsocketMiddleware(URLRouter(websocket_urlpatterns)),
    }
)
