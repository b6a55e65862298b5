from django.apps import AppConfig


class FootageConfig(AppConfig):
    name = "footage"
    verbose_name = "Footage requests and evidence"
