from django.urls import path

from . import compliance, licence_views, views

urlpatterns = [
    path("", views.MapView.as_view(), name="console-map"),
    path("purpose/", views.PurposeView.as_view(), name="console-purpose"),
    path("approvals/", views.ApprovalsView.as_view(), name="console-approvals"),
    path("map-data/", views.MapDataView.as_view(), name="console-map-data"),
    path("addresses/", views.AddressSuggestView.as_view(), name="console-address-suggest"),
    path("search/", views.SearchView.as_view(), name="console-search"),
    path("search/export.csv", views.ExportView.as_view(), name="console-export"),
    path("cameras/<str:camera_id>/", views.CameraDetailView.as_view(), name="console-camera"),
    path("cameras/<str:camera_id>/contact/", views.OwnerContactView.as_view(), name="console-owner-contact"),
    path("compliance/", compliance.ComplianceDashboardView.as_view(), name="console-compliance"),
    path("compliance/map-data/", compliance.ComplianceMapDataView.as_view(), name="console-compliance-map-data"),
    path("compliance/export.csv", compliance.ComplianceExportView.as_view(), name="console-compliance-export"),
    path("compliance/sites/<uuid:site_id>/", compliance.ComplianceSiteView.as_view(), name="console-compliance-site"),
    # The city's licence files and the businesses they show unregistered (dept_admin).
    path("licences/", licence_views.LicencesView.as_view(), name="console-licences"),
    path("licences/imports/<uuid:job_id>/", licence_views.LicenceImportView.as_view(), name="console-licence-import"),
    path(
        "licences/imports/<uuid:job_id>/status/",
        licence_views.LicenceImportStatusView.as_view(),
        name="console-licence-import-status",
    ),
    path(
        "licences/imports/<uuid:job_id>/retry/",
        licence_views.LicenceImportRetryView.as_view(),
        name="console-licence-import-retry",
    ),
    path("licences/match/", licence_views.LicencesMatchView.as_view(), name="console-licences-match"),
    path(
        "licences/not-registered/",
        licence_views.LicencesNotRegisteredView.as_view(),
        name="console-licences-not-registered",
    ),
    path("licences/invite/", licence_views.LicencesInviteView.as_view(), name="console-licences-invite"),
]
