from django.urls import path

from accounts.consumers import WhoAmIConsumer
from console.consumers import IncidentsConsumer
from live.consumers import BridgeConsumer, ViewerConsumer
from live.pairing_consumer import BridgePairConsumer

websocket_urlpatterns = [
    path("ws/whoami/", WhoAmIConsumer.as_asgi()),
    path("ws/bridge/pair/", BridgePairConsumer.as_asgi()),
    path("ws/bridge/", BridgeConsumer.as_asgi()),
    path("ws/live/<str:camera_id>/", ViewerConsumer.as_asgi()),
    path("ws/console/incidents/", IncidentsConsumer.as_asgi()),
]
