"""URLs of the public site (localhost / the platform's apex domain)."""

from django.contrib import admin
from django.urls import include, path, re_path

from accounts.api_base import API_NOT_FOUND, api_not_found, api_server_error_or
from config import handlers
from config.health import healthz
from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.PublicHomeView.as_view(), name="public-home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The API is served on a department's host only; here its paths are a JSON 404 too.
    re_path(r"^api/", api_not_found, name=API_NOT_FOUND),
]

handler400 = "config.handlers.bad_request"
handler403 = "config.handlers.permission_denied"
handler404 = "config.handlers.page_not_found"
# Under /api/ a failure before any view (a middleware) is the API's JSON 500; elsewhere the page.
handler500 = api_server_error_or(handlers.server_error)
