from typing import Any

from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name


def department(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or tenant.schema_name == get_public_schema_name()
    return {"department": None if is_public else tenant, "is_public_site": is_public}
