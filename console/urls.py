from django.urls import path

from . import (
    compliance,
    compliance_actions,
    department_camera_views,
    incident_views,
    integration_views,
    licence_views,
    ordinance_views,
    views,
)

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
    # Incidents (console.incident_views): the list, one incident and its timeline, its dock.
    path("incidents/", incident_views.IncidentListView.as_view(), name="console-incidents"),
    path("incidents/<str:incident_id>/", incident_views.IncidentDetailView.as_view(), name="console-incident"),
    path(
        "incidents/<str:incident_id>/close/", incident_views.IncidentCloseView.as_view(), name="console-incident-close"
    ),
    path(
        "incidents/<str:incident_id>/purpose/",
        incident_views.IncidentPurposeView.as_view(),
        name="console-incident-purpose",
    ),
    path(
        "incidents/<str:incident_id>/cameras/", incident_views.IncidentDockView.as_view(), name="console-incident-dock"
    ),
    path("compliance/", compliance.ComplianceDashboardView.as_view(), name="console-compliance"),
    path("compliance/map-data/", compliance.ComplianceMapDataView.as_view(), name="console-compliance-map-data"),
    path("compliance/export.csv", compliance.ComplianceExportView.as_view(), name="console-compliance-export"),
    path(
        "compliance/coverage-exits/<uuid:exit_id>/review/",
        compliance.CoverageExitReviewView.as_view(),
        name="console-compliance-coverage-exit-review",
    ),
    # The department's ordinances (dept_admin; console.ordinance_views).
    path("ordinances/", ordinance_views.OrdinancesView.as_view(), name="console-ordinances"),
    path("ordinances/new/", ordinance_views.OrdinanceCreateView.as_view(), name="console-ordinance-new"),
    path("ordinances/<uuid:ordinance_id>/", ordinance_views.OrdinanceDetailView.as_view(), name="console-ordinance"),
    path(
        "ordinances/<uuid:ordinance_id>/retire/",
        ordinance_views.OrdinanceRetireView.as_view(),
        name="console-ordinance-retire",
    ),
    path(
        "ordinances/<uuid:ordinance_id>/versions/new/",
        ordinance_views.OrdinanceVersionCreateView.as_view(),
        name="console-ordinance-version-new",
    ),
    path(
        "ordinances/<uuid:ordinance_id>/versions/<int:version_id>/",
        ordinance_views.OrdinanceVersionEditView.as_view(),
        name="console-ordinance-version",
    ),
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
    path(
        "licences/imports/<uuid:job_id>/discard/",
        licence_views.LicenceImportDiscardView.as_view(),
        name="console-licence-import-discard",
    ),
    path("licences/match/", licence_views.LicencesMatchView.as_view(), name="console-licences-match"),
    path(
        "licences/not-registered/",
        licence_views.LicencesNotRegisteredView.as_view(),
        name="console-licences-not-registered",
    ),
    path("licences/invite/", licence_views.LicencesInviteView.as_view(), name="console-licences-invite"),
    # The department's own cameras (dept_admin; console.department_camera_views).
    path(
        "department-cameras/",
        department_camera_views.DepartmentCamerasView.as_view(),
        name="console-department-cameras",
    ),
    path(
        "department-cameras/new/",
        department_camera_views.DepartmentCameraCreateView.as_view(),
        name="console-department-camera-new",
    ),
    path(
        "department-cameras/<uuid:camera_id>/",
        department_camera_views.DepartmentCameraEditView.as_view(),
        name="console-department-camera",
    ),
    path(
        "department-cameras/<uuid:camera_id>/retire/",
        department_camera_views.DepartmentCameraRetireView.as_view(),
        name="console-department-camera-retire",
    ),
    path(
        "department-cameras/imports/",
        department_camera_views.DepartmentCameraImportsView.as_view(),
        name="console-department-camera-imports",
    ),
    path(
        "department-cameras/imports/<uuid:job_id>/",
        department_camera_views.DepartmentCameraImportView.as_view(),
        name="console-department-camera-import",
    ),
    path(
        "department-cameras/imports/<uuid:job_id>/status/",
        department_camera_views.DepartmentCameraImportStatusView.as_view(),
        name="console-department-camera-import-status",
    ),
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
    path(
        "compliance/sites/<uuid:site_id>/photos/<int:photo_id>/",
        compliance_actions.InspectionPhotoView.as_view(),
        name="console-compliance-inspection-photo",
    ),
    path(
        "compliance/attestations/<uuid:attestation_id>/",
        compliance_actions.AttestationView.as_view(),
        name="console-compliance-attestation",
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
    # The senders of incidents and their shared secrets (dept_admin; console.integration_views).
    path("integrations/", integration_views.IntegrationListView.as_view(), name="console-integrations"),
    path("integrations/new/", integration_views.IntegrationCreateView.as_view(), name="console-integration-new"),
    path(
        "integrations/<uuid:integration_id>/",
        integration_views.IntegrationDetailView.as_view(),
        name="console-integration",
    ),
    path(
        "integrations/<uuid:integration_id>/rotate/",
        integration_views.IntegrationRotateView.as_view(),
        name="console-integration-rotate",
    ),
    path(
        "integrations/<uuid:integration_id>/active/",
        integration_views.IntegrationActiveView.as_view(),
        name="console-integration-active",
    ),
]
