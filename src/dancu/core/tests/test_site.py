"""The web shell: health, home page, security headers."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_reports_health(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"
    assert response["Cache-Control"] == "no-store"


def test_it_serves_the_home_page_in_vietnamese_first(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert "Cổng công dân" in body
    assert 'href="/dang-nhap/"' in body
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert response["X-Frame-Options"] == "DENY"


def test_it_echoes_a_well_formed_request_id(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_ROAD_ID="abc-123")
    assert response["X-Request-Id"] == "abc-123"
    generated = client.get("/healthz", HTTP_X_ROAD_ID="bad id with spaces")["X-Request-Id"]
    assert generated != "bad id with spaces"
    assert len(generated) == 32


def test_it_shows_the_audit_log_read_only_to_a_superuser(client: Client) -> None:
    from django.contrib.auth import get_user_model

    from dancu.core.audit import Actor, record

    entry = record(
        action="registry.person.view", actor=Actor(kind="officer", id="cb-01"), subject_personal_id="031090000001"
    )
    admin_user = get_user_model().objects.create_superuser("quantri", "x" * 20)
    client.force_login(admin_user)
    listing = client.get("/quan-tri/core/auditentry/")
    assert listing.status_code == 200
    assert "031090000001" in listing.content.decode()
    change = client.post(f"/quan-tri/core/auditentry/{entry.pk}/change/", {"action": "forged"})
    assert change.status_code in {200, 403}
    entry.refresh_from_db()
    assert entry.action == "registry.person.view"
    assert client.post(f"/quan-tri/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/quan-tri/core/auditentry/add/").status_code == 403


def test_it_speaks_vietnamese_to_an_english_browser_until_asked(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
