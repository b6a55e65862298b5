from django.urls import path

from . import compliance, views

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
]
