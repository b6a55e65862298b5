from django.urls import path

from . import compliance_actions, views

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
    # Compliance: the department's actions (console.compliance_actions).
    path(
        "compliance/sites/<uuid:site_id>/",
        compliance_actions.ComplianceSiteView.as_view(),
        name="console-compliance-site",
    ),
    path(
        "compliance/sites/<uuid:site_id>/ordinances/<uuid:ordinance_id>/inspect/",
        compliance_actions.InspectionRecordView.as_view(),
        name="console-compliance-inspect",
    ),
    path(
        "compliance/sites/<uuid:site_id>/ordinances/<uuid:ordinance_id>/notice/",
        compliance_actions.NoticeIssueView.as_view(),
        name="console-compliance-notice",
    ),
    path(
        "compliance/notices/<int:notice_id>/resolve/",
        compliance_actions.NoticeResolveView.as_view(),
        name="console-compliance-notice-resolve",
    ),
    path("compliance/appeals/", compliance_actions.AppealListView.as_view(), name="console-compliance-appeals"),
    path(
        "compliance/appeals/<uuid:appeal_id>/",
        compliance_actions.AppealDecideView.as_view(),
        name="console-compliance-appeal",
    ),
    path(
        "compliance/appeals/<uuid:appeal_id>/files/<uuid:attachment_id>/",
        compliance_actions.AppealAttachmentDownloadView.as_view(),
        name="console-compliance-appeal-file",
    ),
]
