from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit.admin_changes import admin_change_source_register

        from .oversight import KINDS, integration_changes

        # The board's administrative changes list the integrations' too; the log cannot
        # import incidents (it sits below), so incidents registers its source.
        admin_change_source_register(kinds=KINDS, source=integration_changes)
