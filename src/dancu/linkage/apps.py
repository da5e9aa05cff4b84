from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "dancu.linkage"
    label = "linkage"
