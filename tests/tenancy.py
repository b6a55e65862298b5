"""``django.db.connection`` as the type checker should see it in tests: django-tenants' wrapper.

The configured engine (django_tenants.postgresql_backend) gives the connection
``set_tenant``, ``set_schema_to_public``, ``schema_name`` and ``tenant``; django-stubs knows
only Django's base wrapper, and django-tenants ships no types. ``connection`` here is the very
same object as ``django.db.connection`` (a cast does nothing at run time), typed: tests that
switch schemas import it from here.
"""

from typing import TYPE_CHECKING, cast

from django.db import connection as _connection

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django_tenants.models import TenantMixin

    class TenantDatabaseWrapper(BaseDatabaseWrapper):
        schema_name: str
        tenant: TenantMixin  # a Department, or django-tenants' FakeTenant on the public schema

        def set_tenant(self, tenant: TenantMixin, include_public: bool = True) -> None: ...
        def set_schema_to_public(self) -> None: ...


__all__ = ["connection"]

connection = cast("TenantDatabaseWrapper", _connection)
