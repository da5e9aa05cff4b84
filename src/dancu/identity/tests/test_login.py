"""Logging in: passwords, officers' mandatory second factor, throttling that cannot lock a
person out for good, session limits, login history and sessions in the portal, re-authentication."""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from dancu.core.models import AuditEntry
from dancu.identity import sessions, throttling
from dancu.identity.models import LoginEvent, LoginSession, SmsMessage, Throttle, TotpDevice, User
from dancu.identity.tests.flows import CITIZEN_PASSWORD, STAFF_PASSWORD, citizen_account, log_in, make_person, totp_now
from dancu.registry.models import Sex

pytestmark = pytest.mark.django_db


def _post_login(client: HttpClient, username: str, password: str, **extra: Any) -> Any:
    return client.post("/dang-nhap/", {"username": username, "password": password}, **extra)


def test_it_logs_a_citizen_in_with_the_password_alone(client: HttpClient, citizen_minh: User) -> None:
    response = _post_login(client, citizen_minh.username, CITIZEN_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/"
    assert throttling.DEVICE_COOKIE in response.cookies
    assert response.cookies[throttling.DEVICE_COOKIE]["httponly"]
    login = LoginSession.objects.get(user=citizen_minh)
    assert login.amr == ["pwd"]
    assert login.acr == "urn:dancu:eid:level1"


def test_it_accepts_the_password_typed_in_another_unicode_form(client: HttpClient) -> None:
    person = make_person(
        "031190002222", "Đặng Thị Thu", birth_date=dt.date(1990, 1, 1), sex=Sex.FEMALE, phone="0911999888"
    )
    user = citizen_account(person, level=1, with_password=False)
    user.set_password(unicodedata.normalize("NFC", "mật khẩu tiếng việt có dấu"))
    user.save()
    nfd = unicodedata.normalize("NFD", "mật khẩu tiếng việt có dấu")
    assert _post_login(client, user.username, nfd).status_code == 302


def test_it_never_says_whether_the_username_exists(client: HttpClient, citizen_minh: User) -> None:
    unknown = _post_login(client, "031000000000", CITIZEN_PASSWORD)
    wrong = _post_login(client, citizen_minh.username, "wrong password here!")
    assert unknown.status_code == wrong.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in unknown.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in wrong.content.decode()
    failed = AuditEntry.objects.filter(action="identity.login_failed").order_by("id")
    assert [e.actor_kind for e in failed] == ["anonymous", "citizen"]
    # The username typed for an unknown account is not logged (it may be a mistyped password).
    assert "031000000000" not in str(list(failed.values()))


def test_it_requires_the_authenticator_code_of_an_officer(client: HttpClient, officer_commune_a: User) -> None:
    response = _post_login(client, officer_commune_a.username, STAFF_PASSWORD)
    assert response["Location"] == "/dang-nhap/ma-xac-thuc/"
    assert "_auth_user_id" not in client.session
    assert client.get("/tai-khoan/").status_code == 302
    wrong = client.post(
        "/dang-nhap/ma-xac-thuc/", {"code": "000000" if totp_now(officer_commune_a) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    code = totp_now(officer_commune_a)
    ok = client.post("/dang-nhap/ma-xac-thuc/", {"code": code})
    assert ok.status_code == 302
    assert LoginSession.objects.get(user=officer_commune_a).amr == ["pwd", "otp", "mfa"]


def test_it_refuses_a_replayed_authenticator_code(client: HttpClient, officer_commune_a: User) -> None:
    code = totp_now(officer_commune_a)
    _post_login(client, officer_commune_a.username, STAFF_PASSWORD)
    assert client.post("/dang-nhap/ma-xac-thuc/", {"code": code}).status_code == 302
    other = HttpClient()
    _post_login(other, officer_commune_a.username, STAFF_PASSWORD)
    assert other.post("/dang-nhap/ma-xac-thuc/", {"code": code}).status_code == 400


def test_it_drops_a_pending_login_after_five_wrong_codes(client: HttpClient, officer_commune_a: User) -> None:
    _post_login(client, officer_commune_a.username, STAFF_PASSWORD)
    right = totp_now(officer_commune_a)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(4):
        assert client.post("/dang-nhap/ma-xac-thuc/", {"code": wrong}).status_code == 400
    assert client.post("/dang-nhap/ma-xac-thuc/", {"code": wrong})["Location"] == "/dang-nhap/"
    assert client.post("/dang-nhap/ma-xac-thuc/", {"code": right})["Location"] == "/dang-nhap/"


def test_it_makes_an_officer_without_an_authenticator_enrol_first(client: HttpClient, officer_commune_a: User) -> None:
    TotpDevice.objects.filter(user=officer_commune_a).delete()
    response = _post_login(client, officer_commune_a.username, STAFF_PASSWORD)
    assert response["Location"] == "/dang-nhap/cai-dat-xac-thuc/"
    page = client.get("/dang-nhap/cai-dat-xac-thuc/")
    assert b"data:image/svg+xml" in page.content
    assert client.get("/tai-khoan/").status_code == 302
    confirmed = client.post("/dang-nhap/cai-dat-xac-thuc/", {"code": totp_now(officer_commune_a)})
    assert confirmed.status_code == 302
    assert TotpDevice.objects.get(user=officer_commune_a).confirmed_at is not None


# --- throttling ----------------------------------------------------------------------------------


def test_it_throttles_an_account_after_five_failures(client: HttpClient, citizen_minh: User) -> None:
    for _ in range(5):
        assert _post_login(client, citizen_minh.username, "wrong password here!").status_code == 400
    blocked = _post_login(client, citizen_minh.username, CITIZEN_PASSWORD)
    assert blocked.status_code == 429
    assert "thử lại sau" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginEvent.objects.filter(user=citizen_minh, outcome="throttled").count() == 1


def _wait(row: Throttle) -> dt.timedelta | None:
    return row.blocked_until - row.last_failure_at if row.blocked_until else None


def test_it_lets_the_wait_end_and_doubles_it_on_further_failures(client: HttpClient, citizen_minh: User) -> None:
    for _ in range(5):
        _post_login(client, citizen_minh.username, "wrong password here!")
    assert _wait(Throttle.objects.get(scope="account")) == dt.timedelta(seconds=30)
    # Attempts during the wait are refused without being counted.
    _post_login(client, citizen_minh.username, "wrong password here!")
    assert Throttle.objects.get(scope="account").failures == 5
    Throttle.objects.update(blocked_until=timezone.now() - dt.timedelta(seconds=1))
    _post_login(client, citizen_minh.username, "wrong password here!")
    assert _wait(Throttle.objects.get(scope="account")) == dt.timedelta(seconds=60)
    Throttle.objects.update(blocked_until=timezone.now() - dt.timedelta(seconds=1))
    assert _post_login(client, citizen_minh.username, CITIZEN_PASSWORD).status_code == 302
    assert not Throttle.objects.filter(scope="account").exists()


def test_it_caps_the_wait_at_fifteen_minutes(citizen_minh: User) -> None:
    verdict = throttling.check(username=citizen_minh.username, ip="10.0.0.1", device_cookie=None)
    for _ in range(40):
        throttling.record_failure(verdict)
    row = Throttle.objects.get(scope="account")
    assert row.blocked_until is not None
    assert row.blocked_until - row.last_failure_at == dt.timedelta(minutes=15)


def test_it_keeps_letting_the_owner_in_from_a_known_device(citizen_minh: User) -> None:
    owner = HttpClient()
    assert _post_login(owner, citizen_minh.username, CITIZEN_PASSWORD).status_code == 302
    owner.post("/dang-xuat/")
    attacker = HttpClient(REMOTE_ADDR="203.0.113.9")
    for _ in range(12):
        attacker.post("/dang-nhap/", {"username": citizen_minh.username, "password": "guess guess guess"})
    assert _post_login(attacker, citizen_minh.username, CITIZEN_PASSWORD).status_code == 429
    assert _post_login(owner, citizen_minh.username, CITIZEN_PASSWORD).status_code == 302


def test_it_throttles_an_address_spraying_many_accounts(citizen_minh: User, citizen_lan: User) -> None:
    sprayer = HttpClient(REMOTE_ADDR="198.51.100.7")
    for i in range(30):
        sprayer.post("/dang-nhap/", {"username": f"0310000{i:05d}", "password": "guess guess guess"})
    assert _post_login(sprayer, citizen_lan.username, CITIZEN_PASSWORD).status_code == 429
    # Another address is not affected.
    assert (
        _post_login(HttpClient(REMOTE_ADDR="198.51.100.8"), citizen_lan.username, CITIZEN_PASSWORD).status_code == 302
    )


# --- session limits -------------------------------------------------------------------------------


def _age_activity(client: HttpClient, seconds: int) -> None:
    session = client.session
    session[sessions.SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_it_ends_a_citizen_session_after_an_idle_hour(client: HttpClient, citizen_minh: User) -> None:
    log_in(client, citizen_minh)
    _age_activity(client, 59 * 60)
    assert client.get("/tai-khoan/").status_code == 200
    _age_activity(client, 61 * 60)
    assert client.get("/tai-khoan/").status_code == 302
    assert LoginSession.objects.get(user=citizen_minh).end_reason == "idle"


def test_it_ends_an_officer_session_after_fifteen_idle_minutes(client: HttpClient, officer_commune_a: User) -> None:
    log_in(client, officer_commune_a)
    _age_activity(client, 14 * 60)
    assert client.get("/tai-khoan/").status_code == 200
    _age_activity(client, 16 * 60)
    assert client.get("/tai-khoan/").status_code == 302


def test_it_ends_idle_sessions_on_other_apps_pages_too(client: HttpClient, officer_commune_a: User) -> None:
    log_in(client, officer_commune_a)
    _age_activity(client, 16 * 60)
    client.get("/")
    assert "_auth_user_id" not in client.session


def test_it_bounds_sessions_absolutely(client: HttpClient, citizen_minh: User, officer_commune_a: User) -> None:
    log_in(client, citizen_minh)
    citizen_age = client.session.get_expiry_age()
    staff = HttpClient()
    log_in(staff, officer_commune_a)
    staff_age = staff.session.get_expiry_age()
    assert 24 * 3600 - 5 <= citizen_age <= 24 * 3600
    assert 12 * 3600 - 5 <= staff_age <= 12 * 3600


# --- the portal --------------------------------------------------------------------------------


def test_it_shows_the_citizen_their_login_history_and_sessions(client: HttpClient, citizen_minh: User) -> None:
    _post_login(client, citizen_minh.username, "wrong password here!")
    log_in(client, citizen_minh)
    page = client.get("/tai-khoan/").content.decode()
    assert "Sai thông tin" in page
    assert "Thành công" in page
    assert "phiên này" in page


def test_it_lets_the_citizen_end_another_session(client: HttpClient, citizen_minh: User) -> None:
    phone = HttpClient()
    log_in(phone, citizen_minh)
    log_in(client, citizen_minh)
    other = LoginSession.objects.filter(user=citizen_minh).order_by("started_at").first()
    assert other is not None
    response = client.post(f"/tai-khoan/phien/{other.pk}/ket-thuc/")
    assert response.status_code == 302
    assert phone.get("/tai-khoan/").status_code == 302
    assert client.get("/tai-khoan/").status_code == 200


def test_it_refuses_to_end_someone_elses_session(client: HttpClient, citizen_minh: User, citizen_lan: User) -> None:
    lan = HttpClient()
    log_in(lan, citizen_lan)
    log_in(client, citizen_minh)
    lans = LoginSession.objects.get(user=citizen_lan)
    assert client.post(f"/tai-khoan/phien/{lans.pk}/ket-thuc/").status_code == 404
    assert lan.get("/tai-khoan/").status_code == 200


def test_it_asks_for_the_password_again_before_changing_it(client: HttpClient, citizen_minh: User) -> None:
    log_in(client, citizen_minh)
    session = client.session
    session[sessions.REAUTH_KEY] = int(time.time()) - 301
    session.save()
    response = client.get("/tai-khoan/mat-khau/")
    assert response["Location"].startswith("/dang-nhap/xac-thuc-lai/?next=")
    again = client.post("/dang-nhap/xac-thuc-lai/", {"password": CITIZEN_PASSWORD, "next": "/tai-khoan/mat-khau/"})
    assert again["Location"] == "/tai-khoan/mat-khau/"
    new = "mot mat khau moi rat dai"
    changed = client.post("/tai-khoan/mat-khau/", {"password": new, "password2": new})
    assert changed.status_code == 302
    citizen_minh.refresh_from_db()
    assert citizen_minh.check_password(new)


def test_it_ends_other_sessions_when_the_password_changes(client: HttpClient, citizen_minh: User) -> None:
    phone = HttpClient()
    log_in(phone, citizen_minh)
    log_in(client, citizen_minh)
    new = "mot mat khau moi rat dai"
    client.post("/tai-khoan/mat-khau/", {"password": new, "password2": new})
    assert phone.get("/tai-khoan/").status_code == 302
    assert client.get("/tai-khoan/").status_code == 200


def test_it_lets_a_citizen_turn_on_an_authenticator(client: HttpClient, citizen_minh: User) -> None:
    log_in(client, citizen_minh)
    page = client.get("/tai-khoan/xac-thuc-hai-buoc/")
    assert page.status_code == 200
    response = client.post("/tai-khoan/xac-thuc-hai-buoc/", {"code": totp_now(citizen_minh)})
    assert response.status_code == 302
    client.post("/dang-xuat/")
    assert _post_login(client, citizen_minh.username, CITIZEN_PASSWORD)["Location"] == "/dang-nhap/ma-xac-thuc/"


def test_it_changes_the_phone_only_after_proving_the_new_one(
    client: HttpClient, citizen_minh: User, django_capture_on_commit_callbacks: Any
) -> None:
    log_in(client, citizen_minh)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/tai-khoan/so-dien-thoai/", {"phone": "0977 000 111"})
    assert sent.status_code == 200
    citizen_minh.refresh_from_db()
    assert citizen_minh.phone == "0987654321"
    found = re.search(r"(\d{6})", SmsMessage.objects.get(to="0977000111").body)
    assert found is not None
    confirmed = client.post("/tai-khoan/so-dien-thoai/", {"code": found.group(1)})
    assert confirmed.status_code == 302
    citizen_minh.refresh_from_db()
    assert citizen_minh.phone == "0977000111"
    assert AuditEntry.objects.filter(action="identity.phone_changed", object_id=str(citizen_minh.pk)).count() == 1


def test_it_asks_for_the_password_again_before_changing_the_phone_or_authenticator(
    client: HttpClient, citizen_minh: User
) -> None:
    log_in(client, citizen_minh)
    session = client.session
    session[sessions.REAUTH_KEY] = int(time.time()) - 301
    session.save()
    for url in ("/tai-khoan/so-dien-thoai/", "/tai-khoan/xac-thuc-hai-buoc/"):
        response = client.get(url)
        assert response["Location"].startswith("/dang-nhap/xac-thuc-lai/?next=")
    assert client.post("/tai-khoan/so-dien-thoai/", {"phone": "0977000111"})["Location"].startswith(
        "/dang-nhap/xac-thuc-lai/"
    )


def test_it_watches_sessions_opened_without_the_login_pages(client: HttpClient, officer_commune_a: User) -> None:
    client.force_login(officer_commune_a)
    client.get("/")
    assert "_auth_user_id" in client.session
    assert client.session[sessions.IDLE_KEY] == 15 * 60
    # Identity's own pages still want a real login (with its factors).
    assert client.get("/tai-khoan/").status_code == 302
    _age_activity(client, 16 * 60)
    client.get("/")
    assert "_auth_user_id" not in client.session


def test_it_takes_the_client_address_from_a_trusted_proxy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.9")
    assert sessions.client_ip(request) == "10.0.0.5"
    monkeypatch.setenv("DANCU_TRUSTED_PROXIES", "10.0.0.0/24")
    assert sessions.client_ip(request) == "203.0.113.7"
    spoofed = RequestFactory().get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert sessions.client_ip(spoofed) == "198.51.100.1"


def test_it_lets_a_known_device_in_while_its_address_is_throttled(citizen_minh: User) -> None:
    owner = HttpClient(REMOTE_ADDR="198.51.100.20")
    assert _post_login(owner, citizen_minh.username, CITIZEN_PASSWORD).status_code == 302
    owner.post("/dang-xuat/")
    office = HttpClient(REMOTE_ADDR="198.51.100.20")
    for i in range(30):
        office.post("/dang-nhap/", {"username": f"0310000{i:05d}", "password": "guess guess guess"})
    assert _post_login(office, citizen_minh.username, CITIZEN_PASSWORD).status_code == 429
    assert _post_login(owner, citizen_minh.username, CITIZEN_PASSWORD).status_code == 302
