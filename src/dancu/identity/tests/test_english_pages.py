"""The identity pages in the language the user chose: English with the language cookie set to
English, Vietnamese (the source language) without it, and never both side by side."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client as HttpClient

from dancu.identity.models import User
from dancu.identity.tests.flows import log_in


def _main_text(html: str) -> str:
    """The visible text of the page's <main>, tags dropped."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", main))


def test_it_shows_the_citizens_account_page_in_english(client: HttpClient, citizen_minh: User) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    log_in(client, citizen_minh)

    response = client.get("/tai-khoan/")

    html = response.content.decode()
    text = _main_text(html)
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "<h2>Login history</h2>" in html
    assert "Two-step verification" in text
    assert ">Level 1</span>" in html
    assert "Lock my account" in text
    assert "Succeeded" in text  # the login just made, in the history
    assert "Lịch sử đăng nhập" not in html
    assert " / " not in text


def test_it_shows_the_citizens_account_page_in_vietnamese_by_default(client: HttpClient, citizen_minh: User) -> None:
    log_in(client, citizen_minh)

    html = client.get("/tai-khoan/").content.decode()

    text = _main_text(html)
    assert '<html lang="vi">' in html
    assert "<h2>Lịch sử đăng nhập</h2>" in html
    assert ">Mức 1</span>" in html
    assert "Khóa tài khoản của tôi" in text
    assert "Thành công" in text
    assert "Login history" not in html
    assert " / " not in text


def test_it_shows_the_registration_page_in_english(client: HttpClient) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/dang-ky/").content.decode()

    text = _main_text(html)
    assert "Register a level-1 e-ID account" in text
    assert "Personal ID number" in text
    assert "Birth date" in text
    assert "Continue" in text
    assert "Đăng ký" not in text
    assert " / " not in text
