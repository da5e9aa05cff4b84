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
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert response["X-Frame-Options"] == "DENY"


def test_it_echoes_a_well_formed_request_id(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_ROAD_ID="abc-123")
    assert response["X-Request-Id"] == "abc-123"
    generated = client.get("/healthz", HTTP_X_ROAD_ID="bad id with spaces")["X-Request-Id"]
    assert generated != "bad id with spaces"
    assert len(generated) == 32
