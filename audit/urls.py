from django.urls import path

from . import api
from .views import anomalies, dashboard, log, records, report, workspace

urlpatterns = [
    path("oversight/", log.OversightLogView.as_view(), name="oversight-log"),
    # The board records a failure of the log's verification resolved (audit.integrity).
    path(
        "oversight/failures/<int:pk>/resolve/",
        log.LogFailureResolveView.as_view(),
        name="audit-board-log-failure-resolve",
    ),
    # The log's latest signed checkpoint as text, public (audit.api, docs/transparency-log.md).
    path("audit-log/checkpoint", api.checkpoint_note, name="audit-log-checkpoint"),
    # --- Dashboard (issue 15: rollups, charts, police areas) ---
    path("oversight/dashboard/", dashboard.OversightDashboardView.as_view(), name="oversight-dashboard"),
    # --- end dashboard ---
]

# The oversight board's workspace (audit.views.workspace): search, export with a signed manifest,
# administrative changes.
urlpatterns += [
    path("oversight/search/", workspace.LogSearchView.as_view(), name="audit-board-search"),
    path("oversight/export/<str:fmt>/", workspace.LogExportView.as_view(), name="audit-board-export"),
    path(
        "oversight/export/<str:fmt>/manifest/",
        workspace.LogExportManifestView.as_view(),
        name="audit-board-export-manifest",
    ),
    path("oversight/changes/", workspace.AdminChangesView.as_view(), name="audit-board-admin-changes"),
]

# The anomaly queue (audit.views.anomalies, docs/anomalies.md).
urlpatterns += [
    path("oversight/anomalies/", anomalies.AnomalyQueueView.as_view(), name="audit-board-anomalies"),
    path(
        "oversight/anomalies/<int:pk>/review/",
        anomalies.AnomalyQueueView.as_view(),
        name="audit-board-anomaly-review",
    ),
]

# Complaints and records requests entered by the board, and the annual surveillance report
# (audit.views.records, audit.views.report, docs/annual-report.md).
urlpatterns += [
    path("oversight/records/", records.BoardRecordsView.as_view(), name="audit-board-records"),
    path("oversight/records/<int:pk>/", records.BoardRecordView.as_view(), name="audit-board-record"),
    path("oversight/report/", report.AnnualReportView.as_view(), name="audit-board-report"),
    path("oversight/report/<str:fmt>/", report.AnnualReportFileView.as_view(), name="audit-board-report-file"),
]
