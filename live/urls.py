from django.urls import path

from . import owner_views, track_views, views

urlpatterns = [
    path("console/live/", views.LiveWallOpenView.as_view(), name="console-live"),
    path("console/live/<str:handle>/", views.LiveWallView.as_view(), name="console-live-page"),
    # issue 17: the track of a past live view of a mobile camera, read back
    path(
        "console/live/sessions/<str:session_id>/track/",
        track_views.SessionTrackView.as_view(),
        name="console-live-track",
    ),
    path(
        "console/live/cameras/<str:camera_id>/tracks/",
        track_views.CameraTracksView.as_view(),
        name="console-live-tracks",
    ),
    path("my/bridges/", views.BridgesView.as_view(), name="portal-bridges"),
    path("my/bridges/<uuid:bridge>/porchlight-bridge.pyz", views.BridgePyzView.as_view(), name="portal-bridge-pyz"),
    # issue 19: a camera's live status, snapshot and privacy masks, for its owner
    path("my/cameras/<uuid:camera_id>/live/", owner_views.CameraLiveView.as_view(), name="portal-camera-live"),
    path(
        "my/cameras/<uuid:camera_id>/snapshot/",
        owner_views.CameraSnapshotView.as_view(),
        name="portal-camera-snapshot",
    ),
]
