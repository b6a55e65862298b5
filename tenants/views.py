from typing import Any

from django.views.generic import TemplateView

from .selectors import department_base_url, departments_listed


class PublicHomeView(TemplateView):
    template_name = "tenants/public_home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["departments"] = [(d, department_base_url(d)) for d in departments_listed()]
        return context
