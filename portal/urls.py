from django.urls import path

from . import views, views_access, views_compliance

urlpatterns = [
    path("", views.PortalHomeView.as_view(), name="portal-home"),
    path("my/", views.MyCamerasView.as_view(), name="portal-my-cameras"),
    path("my/addresses/", views.AddressSuggestView.as_view(), name="portal-address-suggest"),
    path("my/sites/new/", views.SiteCreateView.as_view(), name="portal-site-create"),
    path("my/sites/<uuid:site_id>/", views.SiteUpdateView.as_view(), name="portal-site-update"),
    path("my/sites/<uuid:site_id>/delete/", views.SiteDeleteView.as_view(), name="portal-site-delete"),
    path("my/sites/<uuid:site_id>/cameras/new/", views.CameraCreateView.as_view(), name="portal-camera-create"),
    path("my/cameras/<uuid:camera_id>/", views.CameraUpdateView.as_view(), name="portal-camera-update"),
    path("my/cameras/<uuid:camera_id>/delete/", views.CameraDeleteView.as_view(), name="portal-camera-delete"),
    path("my/cameras/<uuid:camera_id>/status/", views.CameraStatusView.as_view(), name="portal-camera-status"),
    path("my/cameras/<uuid:camera_id>/consent/", views.ConsentEditView.as_view(), name="portal-consent-edit"),
    path("my/consent-preview/", views.ConsentPreviewView.as_view(), name="portal-consent-preview"),
    path("my/pause-all/", views.PauseAllView.as_view(), name="portal-pause-all"),
    path("my/revoke-all/", views.RevokeAllView.as_view(), name="portal-revoke-all"),
    path("my/resume-all/", views.ResumeAllView.as_view(), name="portal-resume-all"),
    path("my/access/", views_access.AccessEventListView.as_view(), name="portal-access-log"),
    path("my/obligations/", views_compliance.ObligationsView.as_view(), name="portal-obligations"),
    path(
        "my/sites/<uuid:site_id>/ordinances/<uuid:ordinance_id>/attest/",
        views_compliance.AttestationFileView.as_view(),
        name="portal-attestation-file",
    ),
    path(
        "my/sites/<uuid:site_id>/ordinances/<uuid:ordinance_id>/appeal/",
        views_compliance.AppealRequestView.as_view(),
        name="portal-appeal-request",
    ),
]
