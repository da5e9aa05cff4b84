from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dancu.core"
    label = "core"
    verbose_name = "Lõi / Core"

    def ready(self) -> None:
        from dancu.core import checks  # noqa: F401  (registers the system checks)
        from dancu.core.jobs import fail_abandoned
        from dancu.core.periodic import every

        every(15, name="core.fail_abandoned_jobs")(fail_abandoned)
