"""Insecure identity configuration is a named system check (STYLE.md habit 10)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DatabaseError

from dancu.core.config import env_str

__all__ = ["check_identity_settings", "register_all"]


def check_identity_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if "dancu.identity.sessions.SessionPolicyMiddleware" not in settings.MIDDLEWARE:
        problems.append(
            Warning(
                "the session idle limits apply to identity pages only",
                hint="Add dancu.identity.sessions.SessionPolicyMiddleware after AuthenticationMiddleware.",
                id="dancu.identity.W001",
            )
        )
    if settings.DANCU_ENV == "production":
        if env_str("DANCU_SMS_BACKEND", "outbox") == "outbox":
            problems.append(
                Error(
                    "SMS codes are kept in the demo outbox in production",
                    hint="Set DANCU_SMS_BACKEND=http and DANCU_SMS_HTTP_URL.",
                    id="dancu.identity.E001",
                )
            )
        upstream = env_str("DANCU_UPSTREAM_ISSUER", "-")
        if upstream != "-" and not upstream.startswith("https://"):
            problems.append(Error("DANCU_UPSTREAM_ISSUER must be https:// in production", id="dancu.identity.E002"))
    return problems


def check_client_redirect_uris(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Relying parties registered with plain-HTTP redirect URIs (not loopback) in production."""
    if settings.DANCU_ENV != "production":
        return []
    # Imported here: system checks are registered before the app registry is ready.
    from dancu.identity.models import Client

    problems: list[CheckMessage] = []
    try:
        rows = list(Client.objects.filter(is_active=True).values_list("client_id", "redirect_uris"))
    except DatabaseError:
        return []
    for client_id, uris in rows:
        for uri in uris:
            if uri.startswith("http://") and not uri.startswith(
                ("http://127.0.0.1", "http://localhost", "http://[::1]")
            ):
                problems.append(Error(f"client {client_id} has an HTTP redirect URI: {uri}", id="dancu.identity.E003"))
    return problems


def register_all() -> None:
    register("security", deploy=True)(check_identity_settings)
    register("security", deploy=True)(check_client_redirect_uris)
