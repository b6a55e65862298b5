from django.urls import path

from . import views

urlpatterns = [
    path("console/live/", views.LiveView.as_view(), name="console-live"),
    path("my/bridges/", views.BridgesView.as_view(), name="portal-bridges"),
]
