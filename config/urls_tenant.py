"""URLs of a department's host (rialto.localhost, ...)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from config.health import healthz

api_v1 = [
    path("me/", accounts_api.MeApi.as_view(), name="api-me"),
    path("tokens/", accounts_api.ApiTokenCreateApi.as_view(), name="api-token-create"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", include("portal.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("api/v1/", include(api_v1)),
]
