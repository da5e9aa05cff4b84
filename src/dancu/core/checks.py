"""Insecure configuration is a named system check (STYLE.md habit 10)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register("security", deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if settings.DANCU_ENV != "production":
        return problems
    if settings.DEBUG:
        problems.append(Error("DANCU_DEBUG is on in production", id="dancu.E001"))
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        problems.append(
            Warning(
                "production on embedded SQLite: one machine only, no replicas",
                hint="Set DANCU_DATABASE_URL to a PostgreSQL database.",
                id="dancu.W002",
            )
        )
    if not settings.DANCU_BASE_URL.startswith("https://"):
        problems.append(Error("DANCU_BASE_URL must be https:// in production", id="dancu.E003"))
    if not settings.SESSION_COOKIE_SECURE:
        problems.append(Error("DANCU_SECURE_COOKIES is off in production", id="dancu.E004"))
    if not settings.DANCU_WEBHOOK_SECRET_KEY:
        problems.append(
            Error(
                "DANCU_WEBHOOK_SECRET_KEY is not set in production",
                hint="Webhook signing secrets are encrypted at rest with it: set DANCU_WEBHOOK_SECRET_KEY_FILE "
                "to a file holding a Fernet key (python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())').",
                id="dancu.E005",
            )
        )
    return problems
