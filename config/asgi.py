"""ASGI entry point: HTTP goes to Django (django-tenants picks the schema per request);
WebSockets go through the tenant middleware, which resolves the department from Host."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
# This process serves requests on many threads: its settings give it a bounded database
# connection pool (config/settings/base.py). The flag is for loading this process's settings
# only, so it is removed again and never reaches a process started from here.
os.environ["PORCHLIGHT_ASGI"] = "1"
try:
    django_asgi_app = get_asgi_application()
finally:
    del os.environ["PORCHLIGHT_ASGI"]

# Imported only now: they need Django set up.
from channels.routing import ProtocolTypeRouter, URLRouter

from config.routing import websocket_urlpatterns
from core.body_limit import RequestBodyLimit
from tenants.asgi import TenantWebsocketMiddleware

application = ProtocolTypeRouter(
    {
        # An oversized upload is refused before its body is read (core.body_limit).
        "http": RequestBodyLimit(django_asgi_app),
        "websocket": TenantWebsocketMiddleware(URLRouter(websocket_urlpatterns)),
    }
)
