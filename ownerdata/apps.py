from django.apps import AppConfig


class OwnerDataConfig(AppConfig):
    name = "ownerdata"
