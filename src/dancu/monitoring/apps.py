from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "dancu.monitoring"
    label = "monitoring"
