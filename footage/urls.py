from django.urls import path

from . import upload_views, views

urlpatterns = [
    path("console/footage/", views.FootageRequestListView.as_view(), name="footage-request-list"),
    path("console/footage/new/", views.FootageRequestCreateView.as_view(), name="footage-request-create"),
    path("console/footage/<uuid:request_id>/", views.FootageRequestDetailView.as_view(), name="footage-request-detail"),
    path("console/footage/<uuid:request_id>/export/", views.FootageExportView.as_view(), name="footage-export"),
    path("console/clips/<str:clip_id>/download/", views.ClipDownloadLinkView.as_view(), name="footage-clip-link"),
    path("console/clips/<str:clip_id>/hold/", views.ClipHoldView.as_view(), name="footage-clip-hold"),
    path("console/clips/<str:clip_id>/play/", views.ClipPlayerView.as_view(), name="footage-clip-play"),
    path("console/clips/viewing/<str:link_id>/", views.ClipViewingView.as_view(), name="footage-clip-viewing"),
    path("console/clips/stream/<str:link_id>/", views.ClipStreamView.as_view(), name="footage-clip-stream"),
    path("department/integrity/", views.IntegrityNoticeListView.as_view(), name="footage-integrity-notices"),
    path(
        "department/integrity/<int:notice_id>/acknowledge/",
        views.IntegrityNoticeAcknowledgeView.as_view(),
        name="footage-integrity-notice-acknowledge",
    ),
    path("footage/download/<str:token>/", views.ClipDownloadView.as_view(), name="footage-download"),
    path("my/requests/", views.InboxView.as_view(), name="footage-inbox"),
    path("my/requests/<uuid:request_id>/", views.AnswerView.as_view(), name="footage-answer"),
    path(
        "my/requests/<uuid:request_id>/uploads/",
        upload_views.ClipUploadStartView.as_view(),
        name="footage-upload-start",
    ),
    path("my/uploads/<str:upload_id>/", upload_views.ClipUploadView.as_view(), name="footage-upload"),
    path(
        "my/uploads/<str:upload_id>/finish/",
        upload_views.ClipUploadFinishView.as_view(),
        name="footage-upload-finish",
    ),
]
