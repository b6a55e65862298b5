from django.urls import path

from . import dashboard, views

urlpatterns = [
    path("oversight/", views.OversightLogView.as_view(), name="oversight-log"),
    # --- Dashboard (issue 15: rollups, charts, police areas) ---
    path("oversight/dashboard/", dashboard.OversightDashboardView.as_view(), name="oversight-dashboard"),
    # --- end dashboard ---
]
