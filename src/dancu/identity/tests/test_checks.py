"""Insecure identity configuration is a named system check."""

from __future__ import annotations

import pytest
from django.conf import LazySettings

from dancu.identity.actions import do_register_client
from dancu.identity.checks import check_client_redirect_uris, check_identity_settings


def _ids(messages: list[object]) -> list[str]:
    return [getattr(m, "id", "") for m in messages]


def test_it_warns_when_the_session_policy_middleware_is_missing(settings: LazySettings) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "SessionPolicyMiddleware" not in m]
    assert _ids(check_identity_settings(None)) == ["dancu.identity.W001"]


def test_it_refuses_the_demo_sms_outbox_and_a_plain_http_upstream_in_production(
    settings: LazySettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DANCU_ENV = "production"
    monkeypatch.setenv("DANCU_UPSTREAM_ISSUER", "http://vneid.example")
    assert _ids(check_identity_settings(None)) == ["dancu.identity.E001", "dancu.identity.E002"]
    monkeypatch.setenv("DANCU_SMS_BACKEND", "http")
    monkeypatch.setenv("DANCU_UPSTREAM_ISSUER", "https://vneid.example")
    assert check_identity_settings(None) == []


@pytest.mark.django_db
def test_it_flags_http_redirect_uris_in_production(settings: LazySettings) -> None:
    registered = do_register_client("Cũ", "oidc", ["http://old.example/cb"]).client
    do_register_client("Máy nội bộ", "oidc", ["http://127.0.0.1:8080/cb"])
    assert check_client_redirect_uris(None) == []
    settings.DANCU_ENV = "production"
    problems = check_client_redirect_uris(None)
    assert _ids(problems) == ["dancu.identity.E003"]
    assert registered.client_id in str(problems[0])
