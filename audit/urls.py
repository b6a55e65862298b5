from django.urls import path

from . import views

urlpatterns = [
    path("oversight/", views.OversightLogView.as_view(), name="oversight-log"),
]
