from typing import Any

from django.views.generic import TemplateView

from tenants.models import DepartmentPolicy


class PortalHomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["policy"] = DepartmentPolicy.objects.filter(department=self.request.tenant).first()  # type: ignore[attr-defined]
        return context
