"""URLs of a department's host (rialto.localhost, ...)."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from accounts import mfa_views as accounts_mfa_views
from accounts import views as accounts_views
from accounts.api_base import API_NOT_FOUND, api_not_found, api_server_error_or
from audit import api as audit_api
from cameras import api as cameras_api
from config import handlers
from config.health import healthz
from console import api as console_api
from incidents import api as incidents_api
from messaging import api as messaging_api
from portal.api import access_log as portal_access_log_api

api_v1 = [
    path("me/", accounts_api.MeApi.as_view(), name="api-me"),
    path("tokens/", accounts_api.ApiTokenCreateApi.as_view(), name="api-token-create"),
    path("me/sites/", cameras_api.SiteListCreateApi.as_view(), name="api-me-sites"),
    path("me/sites/<uuid:public_id>/", cameras_api.SiteDetailApi.as_view(), name="api-me-site-detail"),
    path(
        "me/sites/<uuid:public_id>/cameras/",
        cameras_api.SiteCameraCreateApi.as_view(),
        name="api-me-site-camera-create",
    ),
    path("me/cameras/", cameras_api.CameraListApi.as_view(), name="api-me-cameras"),
    path("me/cameras/<uuid:public_id>/", cameras_api.CameraDetailApi.as_view(), name="api-me-camera-detail"),
    path("me/cameras/<uuid:public_id>/consent/", cameras_api.CameraConsentApi.as_view(), name="api-me-camera-consent"),
    path(
        "me/cameras/<uuid:public_id>/consent/revoke/",
        cameras_api.CameraConsentRevokeApi.as_view(),
        name="api-me-camera-consent-revoke",
    ),
    path("purposes/", console_api.PurposeCreateApi.as_view(), name="api-purpose-create"),
    path("cameras/search/", console_api.CameraSearchApi.as_view(), name="api-camera-search"),
    path("me/access-events/", portal_access_log_api.AccessEventListApi.as_view(), name="api-me-access-events"),
    # An integration's signed deliveries (incidents.api, docs/webhooks.md): no login, a signature.
    path(
        "integrations/<uuid:integration_id>/events/",
        incidents_api.integration_events_api,
        name="api-integration-events",
    ),
    path("messages/", messaging_api.MessageThreadListApi.as_view(), name="api-message-threads"),
    # The log's public transparency endpoints, no login (audit.api, docs/transparency-log.md).
    path("log/checkpoint/", audit_api.checkpoint_api, name="api-log-checkpoint"),
    path("log/consistency/", audit_api.consistency_api, name="api-log-consistency"),
    path("log/inclusion/", audit_api.inclusion_api, name="api-log-inclusion"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", include("portal.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Before allauth's, at the same addresses and names: a staff member's first authenticator
    # counts as the session's second factor, and its recovery codes lead on (accounts.mfa_views).
    path("accounts/2fa/totp/activate/", accounts_mfa_views.TotpActivateView.as_view(), name="mfa_activate_totp"),
    path(
        "accounts/2fa/recovery-codes/", accounts_mfa_views.RecoveryCodesView.as_view(), name="mfa_view_recovery_codes"
    ),
    path("accounts/", include("allauth.urls")),
    # Before Django's: the menu also stores a signed-in user's choice (accounts.views).
    path("i18n/setlang/", accounts_views.language_menu_set, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("console/", include("console.urls")),
    path("", include("audit.urls")),
    path("", include("live.urls")),
    path("", include("footage.urls")),
    path("", include("ownerdata.urls")),
    path("", include("notifications.urls")),
    path("", include("messaging.urls")),
    path("api/v1/", include(api_v1)),
    # Last: whatever under /api/ no endpoint matched is the API's JSON 404, not the site's page.
    re_path(r"^api/", api_not_found, name=API_NOT_FOUND),
]

# Error pages rendered in the department's schema, whichever thread renders them (config.handlers).
handler400 = "config.handlers.bad_request"
handler403 = "config.handlers.permission_denied"
handler404 = "config.handlers.page_not_found"
# allauth's sign-in, sign-up and password-reset limits (allauth.core.ratelimit.respond_429).
handler429 = "config.handlers.too_many_requests"
# Under /api/ a failure before any view (a middleware) is the API's JSON 500; elsewhere the page.
handler500 = api_server_error_or(handlers.server_error)
