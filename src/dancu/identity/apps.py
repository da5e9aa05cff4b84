from __future__ import annotations

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "dancu.identity"
    label = "identity"
    verbose_name = "Định danh và xác thực / Identity"

    def ready(self) -> None:
        from django.contrib import admin

        from dancu.core.events import subscribe
        from dancu.identity import checks, events
        from dancu.identity.views.login import admin_login

        subscribe("registry.person_died")(events.lock_account_of_deceased)
        checks.register_all()
        # The admin's own login form would skip the second factor and the throttling: send
        # it to ours instead.
        admin.site.login = admin_login  # type: ignore[method-assign]  # replacing the bound view on purpose
