from django.urls import path

from . import api_proofs, views

urlpatterns = [
    path("oversight/", views.OversightLogView.as_view(), name="oversight-log"),
    # The log's latest signed checkpoint as text, public (audit.api_proofs, docs/transparency-log.md).
    path("audit-log/checkpoint", api_proofs.checkpoint_note, name="audit-log-checkpoint"),
]
