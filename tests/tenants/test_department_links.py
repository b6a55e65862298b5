"""The platform's home page links every department: its links come from the domains listed
with the departments, not from a query per department (issue 18: the page must not grow in
queries with the departments it lists)."""

from django.test.utils import CaptureQueriesContext

from tenants.selectors import department_base_url, departments_listed
from tests.tenancy import connection


def test_listed_departments_links_need_no_query_each(db: None) -> None:
    departments = list(departments_listed())

    with CaptureQueriesContext(connection) as queries:
        urls = {d.schema_name: department_base_url(d) for d in departments}

    assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]
    assert urls["rialto"].split("://")[1].split(":")[0] == "rialto.localhost"
    assert urls["fontana"].split("://")[1].split(":")[0] == "fontana.localhost"
