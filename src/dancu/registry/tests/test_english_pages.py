"""English pages: with the language cookie set to English, the key pages — home, login, the
officer's search and a person's record, a refusal, the citizen's "who used my data" — are in
English and say so in ``<html lang>``; without it they stay Vietnamese."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from dancu.core.audit import Actor
from dancu.core.models import ActorKind
from dancu.identity.actions.accounts import do_create_citizen_account
from dancu.identity.models import User
from dancu.registry.importing import ImportReport
from dancu.registry.models import IdentityCard, Person

pytestmark = pytest.mark.django_db


def _english(user: User | None = None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found is not None
    return found[1]


def _person_url(personal_id: str) -> str:
    return f"/can-bo/dan-cu/cong-dan/{Person.objects.get(personal_id=personal_id).public_id}/"


def test_it_shows_the_home_page_in_english_when_chosen() -> None:
    english = _english().get("/").content.decode()
    vietnamese = Client().get("/").content.decode()

    assert _lang(english) == "en"
    assert "Citizen portal" in english
    assert "Officer workspace" in english
    assert "Population data serving citizens and government" in english
    assert "Cổng công dân" not in english
    assert _lang(vietnamese) == "vi"
    assert "Cổng công dân" in vietnamese
    assert "Citizen portal" not in vietnamese


def test_it_shows_the_login_page_in_english() -> None:
    response = _english().get("/dang-nhap/")

    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert _lang(html) == "en"
    assert "Log in" in html
    assert "Skip to main content" in html
    assert "A citizen's e-ID account, or an officer account." in html
    assert "Personal ID or officer username" in html
    assert "Register a level-1 account" in html
    assert "Đăng nhập" not in html
    assert " / " not in re.sub(r"<[^>]*>", "", html.split("<main", 1)[1])


def test_it_shows_the_login_page_and_its_refusal_in_vietnamese_by_default() -> None:
    page = Client().get("/dang-nhap/").content.decode()
    refused = Client().post("/dang-nhap/", {"username": "031000000000", "password": "not the password!"})

    assert _lang(page) == "vi"
    assert "Số định danh cá nhân hoặc tên đăng nhập cán bộ" in page
    assert "Log in" not in page
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in refused.content.decode()
    assert "Wrong username or password" not in refused.content.decode()


def test_it_shows_a_wrong_login_in_english() -> None:
    response = _english().post("/dang-nhap/", {"username": "031000000000", "password": "not the password!"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Wrong username or password" in html
    assert "Tên đăng nhập hoặc mật khẩu không đúng" not in html


def test_it_shows_the_officers_search_and_a_person_in_english(register: ImportReport, officer_commune_a: User) -> None:
    client = _english(officer_commune_a)

    form = client.get("/can-bo/dan-cu/").content.decode()
    results = client.post("/can-bo/dan-cu/", {"household": "HP-A1"}).content.decode()
    empty = client.post("/can-bo/dan-cu/", {"q": " "}).content.decode()
    person = client.get(_person_url("031085000101")).content.decode()

    assert _lang(form) == _lang(results) == _lang(person) == "en"
    assert "<h1>Population register search</h1>" in form
    assert "Birth year" in form
    assert "3 results" in results
    assert "Alive" in results
    assert "Enter a personal ID, a name or a household number to search." in empty
    assert "Citizen details" in person
    assert "Personal ID number" in person
    assert "<dd>Male</dd>" in person
    assert "This view has been recorded in the audit log." in person
    assert "Register the death" in person
    assert "Thông tin công dân" not in person


def test_it_explains_a_refusal_in_english(register: ImportReport, officer_commune_b: User) -> None:
    response = _english(officer_commune_b).get(_person_url("031085000101"))

    html = response.content.decode()
    assert response.status_code == 403
    assert _lang(html) == "en"
    assert "This person is outside the area you are assigned to" in html
    assert "Error code" in html
    assert "Công dân không thuộc địa bàn" not in html


def test_it_shows_who_used_my_data_in_english(register: ImportReport) -> None:
    person = Person.objects.get(personal_id="031085000101")
    citizen = do_create_citizen_account(
        person,
        password=None,
        level=2,
        via="police",
        phone=person.phone,
        phone_verified=True,
        actor=Actor(kind=ActorKind.OFFICER, id="police-test"),
    )

    html = _english(citizen).get("/cong-dan/ai-da-dung-du-lieu/").content.decode()

    assert _lang(html) == "en"
    assert "Who has used my data" in html
    assert "Manage data sharing" in html
    assert "Ai đã sử dụng dữ liệu của tôi" not in html


def test_it_names_the_kinds_of_identity_card_in_the_chosen_language() -> None:
    with translation.override("en"):
        english = [str(label) for label in IdentityCard.Kind.labels]
    with translation.override("vi"):
        vietnamese = [str(label) for label in IdentityCard.Kind.labels]

    assert english == [
        "Chip-based citizen identity card (2021)",
        "Identity card (from 1 July 2024)",
        "Former identity card (CMND)",
    ]
    assert vietnamese == ["Căn cước công dân gắn chíp (2021)", "Thẻ căn cước (từ 1/7/2024)", "Chứng minh nhân dân"]
