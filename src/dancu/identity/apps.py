from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "dancu.identity"
    label = "identity"
    verbose_name = "Định danh và xác thực / Identity"
