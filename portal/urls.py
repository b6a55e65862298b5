from django.urls import path

from . import compliance_public, transparency
from .views import access_log, certificates, compliance, registry

urlpatterns = [
    path("", registry.PortalHomeView.as_view(), name="portal-home"),
    path("my/", registry.MyCamerasView.as_view(), name="portal-my-cameras"),
    path("my/addresses/", registry.AddressSuggestView.as_view(), name="portal-address-suggest"),
    path("my/sites/new/", registry.SiteCreateView.as_view(), name="portal-site-create"),
    path("my/sites/<uuid:site_id>/", registry.SiteUpdateView.as_view(), name="portal-site-update"),
    path("my/sites/<uuid:site_id>/delete/", registry.SiteDeleteView.as_view(), name="portal-site-delete"),
    path("my/sites/<uuid:site_id>/cameras/new/", registry.CameraCreateView.as_view(), name="portal-camera-create"),
    path("my/cameras/<uuid:camera_id>/", registry.CameraUpdateView.as_view(), name="portal-camera-update"),
    path("my/cameras/<uuid:camera_id>/delete/", registry.CameraDeleteView.as_view(), name="portal-camera-delete"),
    path("my/cameras/<uuid:camera_id>/status/", registry.CameraStatusView.as_view(), name="portal-camera-status"),
    path("my/cameras/<uuid:camera_id>/consent/", registry.ConsentEditView.as_view(), name="portal-consent-edit"),
    path("my/consent-preview/", registry.ConsentPreviewView.as_view(), name="portal-consent-preview"),
    path("my/pause-all/", registry.PauseAllView.as_view(), name="portal-pause-all"),
    path("my/revoke-all/", registry.RevokeAllView.as_view(), name="portal-revoke-all"),
    path("my/resume-all/", registry.ResumeAllView.as_view(), name="portal-resume-all"),
    path("my/access/", access_log.AccessEventListView.as_view(), name="portal-access-log"),
    path("my/access/<int:seq>/proof/", access_log.AccessProofView.as_view(), name="portal-access-proof"),
    path("my/obligations/", compliance.ObligationsView.as_view(), name="portal-obligations"),
    path(
        "my/sites/<uuid:site_id>/ordinances/<uuid:ordinance_id>/attest/",
        compliance.AttestationFileView.as_view(),
        name="portal-attestation-file",
    ),
    path(
        "my/sites/<uuid:site_id>/ordinances/<uuid:ordinance_id>/appeal/",
        compliance.AppealRequestView.as_view(),
        name="portal-appeal-request",
    ),
    path(
        "my/attestations/<uuid:attestation_id>/",
        compliance.AttestationDetailView.as_view(),
        name="portal-attestation",
    ),
    path(
        "my/appeals/<uuid:appeal_id>/files/<uuid:attachment_id>/",
        compliance.AppealAttachmentView.as_view(),
        name="portal-appeal-file",
    ),
    path(
        "my/obligations/notices/<int:notification_id>/read/",
        compliance.ObligationNoticeReadView.as_view(),
        name="portal-obligation-notice-read",
    ),
    # --- Public transparency page (issue 15) ---
    path("transparency/", transparency.TransparencyView.as_view(), name="transparency"),
    path("transparency.json", transparency.TransparencyJsonView.as_view(), name="transparency-json"),
    path("transparency/checkpoints.atom", transparency.CheckpointFeed(), name="transparency-checkpoints-feed"),
    # --- end transparency ---
    # --- Public compliance page (issue 16) ---
    path("compliance/", compliance_public.CompliancePublicView.as_view(), name="compliance-public"),
    path("compliance.json", compliance_public.CompliancePublicJsonView.as_view(), name="compliance-public-json"),
]

# Compliance certificates (issue 16): the owner's download, and the public check of a code.
urlpatterns += [
    path(
        "my/sites/<uuid:site_id>/certificate/",
        certificates.CertificateDownloadView.as_view(),
        name="portal-certificate-download",
    ),
    path("certificates/check/", certificates.CertificateCheckView.as_view(), name="compliance-certificate-check"),
]
