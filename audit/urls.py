from django.urls import path

from . import api
from .views import anomalies, dashboard, log, workspace

urlpatterns = [
    path("oversight/", log.OversightLogView.as_view(), name="oversight-log"),
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
