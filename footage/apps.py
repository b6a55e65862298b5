from django.apps import AppConfig


class FootageConfig(AppConfig):
    name = "footage"
    verbose_name = "Footage requests and evidence"

    def ready(self) -> None:
        # The oversight figures show footage answers (counts only); the log sits below footage
        # and cannot ask for them itself (audit.figures).
        from audit.figures import figure_provider_register

        from .selectors import footage_answers_count

        figure_provider_register("footage_answers", footage_answers_count)
