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

        # A rebuilt Merkle tree (the log was rewritten) is told to the department's
        # administrators; the log sits below the notifications and cannot tell them itself.
        from audit.checkpoints import tree_rebuilt_listen

        from .tasks import log_tree_rebuilt_tell_admins

        tree_rebuilt_listen(log_tree_rebuilt_tell_admins)
