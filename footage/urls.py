from django.urls import path

from .views import console, integrity, owner, uploads

urlpatterns = [
    path("console/footage/", console.FootageRequestListView.as_view(), name="footage-request-list"),
    path("console/footage/new/", console.FootageRequestCreateView.as_view(), name="footage-request-create"),
    path(
        "console/footage/<uuid:request_id>/", console.FootageRequestDetailView.as_view(), name="footage-request-detail"
    ),
    path("console/footage/<uuid:request_id>/export/", console.FootageExportView.as_view(), name="footage-export"),
    path("console/clips/<str:clip_id>/download/", console.ClipDownloadLinkView.as_view(), name="footage-clip-link"),
    path("console/clips/<str:clip_id>/hold/", console.ClipHoldView.as_view(), name="footage-clip-hold"),
    path("console/clips/<str:clip_id>/play/", console.ClipPlayerView.as_view(), name="footage-clip-play"),
    path("console/clips/viewing/<str:link_id>/", console.ClipViewingView.as_view(), name="footage-clip-viewing"),
    path("console/clips/stream/<str:link_id>/", console.ClipStreamView.as_view(), name="footage-clip-stream"),
    path("department/integrity/", integrity.IntegrityNoticeListView.as_view(), name="footage-integrity-notices"),
    path(
        "department/integrity/<int:notice_id>/acknowledge/",
        integrity.IntegrityNoticeAcknowledgeView.as_view(),
        name="footage-integrity-notice-acknowledge",
    ),
    path("footage/download/<str:token>/", console.ClipDownloadView.as_view(), name="footage-download"),
    path("my/requests/", owner.InboxView.as_view(), name="footage-inbox"),
    path("my/requests/<uuid:request_id>/", owner.AnswerView.as_view(), name="footage-answer"),
    path(
        "my/requests/<uuid:request_id>/uploads/",
        uploads.ClipUploadStartView.as_view(),
        name="footage-upload-start",
    ),
    path("my/uploads/<str:upload_id>/", uploads.ClipUploadView.as_view(), name="footage-upload"),
    path(
        "my/uploads/<str:upload_id>/finish/",
        uploads.ClipUploadFinishView.as_view(),
        name="footage-upload-finish",
    ),
]
