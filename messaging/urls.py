from django.urls import path

from . import views

urlpatterns = [
    path("console/messages/", views.ConsoleThreadListView.as_view(), name="messaging-console-list"),
    path("console/messages/<uuid:thread_id>/", views.ConsoleThreadView.as_view(), name="messaging-console-thread"),
    path("console/cameras/<str:camera_id>/message/", views.MessageCreateView.as_view(), name="messaging-console-send"),
    path("my/messages/", views.OwnerInboxView.as_view(), name="messaging-owner-inbox"),
    path("my/messages/<uuid:thread_id>/", views.OwnerThreadView.as_view(), name="messaging-owner-thread"),
]
