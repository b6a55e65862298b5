from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from .finder import departments_find
from .forms import DepartmentFinderForm
from .selectors import department_base_url, departments_listed


class PublicHomeView(View):
    """The platform's public page: what Porchlight is, a department finder, every department.

    The finder is a GET form (a search can be bookmarked and needs no JavaScript). By name
    today; by address once a geocoder is registered (tenants.finder.address_geocoder_set).
    """

    template_name = "tenants/public_home.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        finder = DepartmentFinderForm(request.GET if request.GET else None)
        context: dict[str, Any] = {
            "departments": [(d, department_base_url(d)) for d in departments_listed()],
            "finder": finder,
            "result": None,
        }
        status = 200
        if finder.is_bound:
            if finder.is_valid():
                if finder.asked():
                    context["result"] = departments_find(text=finder.cleaned_data["q"], point=finder.point())
            else:
                status = 400
        return render(request, self.template_name, context, status=status)
