from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Departments"

    def ready(self) -> None:
        from .db_grants import post_migrate_grants

        # Once per migrate (post_migrate is sent once per app: this app's only), after every app.
        post_migrate.connect(post_migrate_grants, sender=self, dispatch_uid="tenants.db_grants")
