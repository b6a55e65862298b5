"""Each test starts from an empty address index of its department.

Browser tests commit address points into Rialto (the demo's own, typed in the console), and
they stay for the rest of the session; these tests count exactly what they loaded. The
deletion is inside the test's transaction, so it is rolled back with it.
"""

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from places.models import AddressPoint, Street
from tenants.models import Department


@pytest.fixture(autouse=True)
def _empty_address_index(db: Any) -> None:
    for department in Department.objects.exclude(schema_name="public"):
        with tenant_context(department):
            AddressPoint.objects.all().delete()
            Street.objects.all().delete()
