from django.apps import AppConfig


class FootageConfig(AppConfig):
    name = "footage"
    verbose_name = "Footage requests and evidence"

    def ready(self) -> None:
        # The board's exports of the access log are signed with the department's key, the key
        # of evidence exports; the log sits below this app, so the key is lent to it here.
        from audit.log_export import manifest_signer_register

        from .signing import department_signing_key, sign_with

        def department_signer(data: bytes) -> tuple[bytes, bytes]:
            key = department_signing_key()
            return sign_with(bytes(key.private_key), data), bytes(key.public_key)

        manifest_signer_register(department_signer)

        # The oversight figures show footage answers (counts only); the log sits below footage
        # and cannot ask for them itself (audit.figures).
        from audit.figures import figure_provider_register

        from .selectors import footage_answers_count

        figure_provider_register("footage_answers", footage_answers_count)
