from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Ordinance compliance"

    def ready(self) -> None:
        from cameras.events import site_change_listen

        from .records import site_changed_listener

        # Each change to a site's facts owes a recomputation of its stored compliance.
        site_change_listen(site_changed_listener)
