"""Administrators' pages: client registration and the demo SMS outbox."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from dancu.core.audit import Actor
from dancu.identity.actions import do_create_admin
from dancu.identity.models import Client, SmsMessage, User, digest
from dancu.identity.tests.flows import STAFF_PASSWORD, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db: None) -> User:
    user, _ = do_create_admin("quantri", password=STAFF_PASSWORD, actor=Actor.system("tests"))
    return user


def test_it_registers_a_client_from_the_admin_page(client: HttpClient, admin: User) -> None:
    log_in(client, admin)
    response = client.post(
        "/quan-tri-dinh-danh/ung-dung/",
        {
            "name": "Trường học số",
            "kind": "oidc",
            "redirect_uris": "https://school.example/cb\n",
            "jwks": "",
            "min_level": "1",
            "organisation": "",
        },
    )
    assert response.status_code == 200
    created = Client.objects.get(name="Trường học số")
    assert created.redirect_uris == ["https://school.example/cb"]
    assert created.min_level == 1
    page = response.content.decode()
    assert created.client_id in page
    found = re.search(r"client_secret&#x27;: &#x27;([A-Za-z0-9_-]{40,})&#x27;", page)
    assert found is not None
    assert created.secret_hash == digest(found.group(1))
    # Shown once: the list page does not show it again.
    assert found.group(1) not in client.get("/quan-tri-dinh-danh/ung-dung/").content.decode()
    assert created.created_by == "quantri"


def test_it_keeps_the_client_page_to_administrators(client: HttpClient, leader: User) -> None:
    log_in(client, leader)
    assert client.get("/quan-tri-dinh-danh/ung-dung/").status_code == 403
    response = client.post("/quan-tri-dinh-danh/ung-dung/", {"name": "X", "kind": "exchange", "min_level": "0"})
    assert response.status_code == 403
    assert Client.objects.count() == 0


def test_it_shows_the_sms_outbox_to_administrators_only(client: HttpClient, admin: User, citizen_minh: User) -> None:
    SmsMessage.objects.create(to="0987654321", body="Ma xac thuc: 654321")
    citizen = HttpClient()
    log_in(citizen, citizen_minh)
    assert citizen.get("/quan-tri-dinh-danh/hop-thu-sms/").status_code == 403
    log_in(client, admin)
    assert "654321" in client.get("/quan-tri-dinh-danh/hop-thu-sms/").content.decode()


def test_it_sends_the_django_admin_login_to_our_login(client: HttpClient) -> None:
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=%2Fquan-tri%2F"


def test_it_lets_an_administrator_into_the_django_admin_after_our_login(client: HttpClient, admin: User) -> None:
    log_in(client, admin)
    assert client.get("/quan-tri/").status_code == 200


def test_it_shows_accounts_read_only_in_the_django_admin(client: HttpClient, admin: User, citizen_minh: User) -> None:
    log_in(client, admin)
    listing = client.get("/quan-tri/identity/user/")
    assert listing.status_code == 200
    assert "031095004321" in listing.content.decode()
    detail = client.get(f"/quan-tri/identity/user/{citizen_minh.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert citizen_minh.password not in detail.content.decode()
    assert client.post(f"/quan-tri/identity/user/{citizen_minh.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=citizen_minh.pk).exists()
