from django.apps import AppConfig


class CamerasConfig(AppConfig):
    name = "cameras"
    verbose_name = "Cameras and consent"

    def ready(self) -> None:
        # The annual report (audit, below us) reads cameras and police areas through these.
        from audit.annual_report import report_source_register

        from .report_sources import area_counts_between, cameras_registered

        report_source_register("area_counts", area_counts_between)
        report_source_register("cameras_registered", cameras_registered)

        # The department's own cameras' consent follows its policy (cameras.department).
        from tenants.services import policy_change_listen

        from .department import department_cameras_follow_policy

        policy_change_listen(department_cameras_follow_policy)
