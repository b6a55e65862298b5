"""URLs of the public site (localhost / the platform's apex domain)."""

from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from tenants import views as tenant_views

urlpatterns = [
    path("", tenant_views.PublicHomeView.as_view(), name="public-home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "config.handlers.bad_request"
handler403 = "config.handlers.permission_denied"
handler404 = "config.handlers.page_not_found"
handler500 = "config.handlers.server_error"
