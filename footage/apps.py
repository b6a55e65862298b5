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

        # A failure of the log's verification (a rewrite found) is told to the oversight board and
        # the department's administrators; the log sits below the notifications and cannot tell
        # them itself.
        from audit.integrity import log_failure_listen

        from .tasks import log_failure_tell

        log_failure_listen(log_failure_tell)
