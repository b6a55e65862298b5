from django.urls import path

from . import views

urlpatterns = [
    path("console/live/", views.LiveWallOpenView.as_view(), name="console-live"),
    path("console/live/<str:handle>/", views.LiveWallView.as_view(), name="console-live-page"),
    path("my/bridges/", views.BridgesView.as_view(), name="portal-bridges"),
    path("my/bridges/<uuid:bridge>/porchlight-bridge.pyz", views.BridgePyzView.as_view(), name="portal-bridge-pyz"),
]
