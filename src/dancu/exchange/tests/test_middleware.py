"""The gateway's short middleware stack: the same security headers and request ids as the web
pages, none of the web pages' session, language or CSRF machinery."""

from __future__ import annotations

import pytest
from django.test import Client

from dancu.core.middleware import CONTENT_SECURITY_POLICY
from dancu.exchange.tests.conftest import Gateway, System
from dancu.registry.models import Person

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def test_it_answers_a_call_with_the_security_headers_and_its_request_id(
    gateway: Gateway, bank_system: System, person_lan: Person
) -> None:
    response = gateway.post(
        bank_system, "verify/v1", {"personal_id": "031190012345", "sex": "female"}, purpose="NH.KYC", request_id="r-42"
    )

    assert response.status_code == 200
    assert {name: response[name] for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert response["X-Request-Id"] == "r-42"
    assert response["X-Road-Id"] == "r-42"
    assert int(response["Content-Length"]) == len(response.content)


def test_it_skips_the_web_pages_session_and_language(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    gateway.client.cookies["sessionid"] = "not-a-session"
    gateway.client.cookies["django_language"] = "en"

    response = gateway.post(
        bank_system, "verify/v1", {"personal_id": "031190012345", "sex": "female"}, purpose="NH.KYC"
    )

    assert response.status_code == 200
    assert "Vary" not in response
    assert "Content-Language" not in response
    assert "Set-Cookie" not in response


def test_it_gives_problems_the_same_headers(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    response = gateway.post(bank_system, "verify/v1", {"personal_id": "0311900"}, purpose="NH.KYC")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_request"
    assert {name: response[name] for name in SECURITY_HEADERS} == SECURITY_HEADERS


def test_it_answers_404_for_a_path_outside_the_api(client: Client) -> None:
    response = client.get("/r1/khong-co/v1")

    assert response.status_code == 404
    assert {name: response[name] for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert response["X-Request-Id"]


def test_it_leaves_the_web_pages_on_the_full_stack(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
