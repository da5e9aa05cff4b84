"""Level-1 self-registration: details matching the register, the phone proven by a code, the
age rule, and the password policy."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client as HttpClient

from dancu.core.models import AuditEntry
from dancu.identity.models import EidLevel, OneTimeCode, SmsMessage, User
from dancu.identity.tests.flows import make_person
from dancu.registry.models import Person, Sex

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "mot ngay dep troi o hai phong"


def _start(client: HttpClient, capture: Any, **overrides: str) -> Any:
    form = {
        "personal_id": "031196007777",
        "full_name": "trần thị hòa",
        "birth_date": "1996-11-20",
        "phone": "+84 903 111 222",
    }
    form.update(overrides)
    with capture(execute=True):
        return client.post("/dang-ky/", form)


def _code_sent_to(phone: str) -> str:
    message = SmsMessage.objects.filter(to=phone).order_by("-id").first()
    assert message is not None
    found = re.search(r"(\d{6})", message.body)
    assert found is not None
    return found.group(1)


def test_it_opens_a_level1_account_when_everything_matches(
    client: HttpClient, person_hoa: Person, django_capture_on_commit_callbacks: Any
) -> None:
    response = _start(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/dang-ky/xac-nhan/"
    code = _code_sent_to("0903111222")
    confirm = client.post("/dang-ky/xac-nhan/", {"code": code, "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert confirm.status_code == 302
    assert confirm["Location"] == "/tai-khoan/"
    user = User.objects.get(person=person_hoa)
    assert user.username == "031196007777"
    assert user.eid_level == EidLevel.LEVEL1
    assert user.phone == "0903111222"
    assert user.phone_verified_at is not None
    assert user.check_password(GOOD_PASSWORD)
    assert client.get("/tai-khoan/").status_code == 200
    entry = AuditEntry.objects.get(action="identity.account_registered")
    assert entry.subject_personal_id == "031196007777"
    assert entry.details == {"level": 1, "via": "self", "guardian": ""}
    assert GOOD_PASSWORD not in str(list(AuditEntry.objects.values()))


@pytest.mark.parametrize(
    "overrides",
    [
        {"full_name": "Trần Thị Hồng"},
        {"birth_date": "1996-11-21"},
        {"phone": "0903111223"},
        {"personal_id": "031196007778"},
    ],
)
def test_it_refuses_details_that_do_not_match_the_register(
    client: HttpClient, person_hoa: Person, django_capture_on_commit_callbacks: Any, overrides: dict[str, str]
) -> None:
    response = _start(client, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 400
    assert "không khớp" in response.content.decode()
    assert OneTimeCode.objects.count() == 0
    assert SmsMessage.objects.count() == 0
    assert User.objects.count() == 0


def test_it_sends_a_child_under_14_to_a_guardian(client: HttpClient, django_capture_on_commit_callbacks: Any) -> None:
    make_person("031212000123", "Lê Minh Khang", birth_date=dt.date(2014, 5, 1), sex=Sex.MALE, phone="0911222333")
    response = _start(
        client,
        django_capture_on_commit_callbacks,
        personal_id="031212000123",
        full_name="Lê Minh Khang",
        birth_date="2014-05-01",
        phone="0911222333",
    )
    assert response.status_code == 400
    assert "Under 14" in response.content.decode()
    assert SmsMessage.objects.count() == 0


def test_it_refuses_a_second_account(
    client: HttpClient, citizen_minh: User, django_capture_on_commit_callbacks: Any
) -> None:
    response = _start(
        client,
        django_capture_on_commit_callbacks,
        personal_id="031095004321",
        full_name="Nguyễn Văn Minh",
        birth_date="1995-08-02",
        phone="0987654321",
    )
    assert response.status_code == 400
    assert "already has an account" in response.content.decode()


def test_it_refuses_a_short_password_without_spending_the_code(
    client: HttpClient, person_hoa: Person, django_capture_on_commit_callbacks: Any
) -> None:
    _start(client, django_capture_on_commit_callbacks)
    code = _code_sent_to("0903111222")
    short = client.post("/dang-ky/xac-nhan/", {"code": code, "password": "ngan qua 12", "password2": "ngan qua 12"})
    assert short.status_code == 400
    assert "ít nhất 15" in short.content.decode()
    common = client.post(
        "/dang-ky/xac-nhan/", {"code": code, "password": "anhyeuemnhieulam", "password2": "anhyeuemnhieulam"}
    )
    assert common.status_code == 400
    assert "too common" in common.content.decode()
    assert User.objects.count() == 0
    ok = client.post("/dang-ky/xac-nhan/", {"code": code, "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert ok.status_code == 302


def test_it_gives_a_code_five_tries(
    client: HttpClient, person_hoa: Person, django_capture_on_commit_callbacks: Any
) -> None:
    _start(client, django_capture_on_commit_callbacks)
    code = _code_sent_to("0903111222")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = client.post(
            "/dang-ky/xac-nhan/", {"code": wrong, "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
        )
        assert "The code is wrong" in response.content.decode()
    blocked = client.post("/dang-ky/xac-nhan/", {"code": code, "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert "Too many wrong codes" in blocked.content.decode()
    assert User.objects.count() == 0


def test_it_refuses_an_expired_code(
    client: HttpClient, person_hoa: Person, django_capture_on_commit_callbacks: Any
) -> None:
    _start(client, django_capture_on_commit_callbacks)
    code = _code_sent_to("0903111222")
    OneTimeCode.objects.update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    response = client.post("/dang-ky/xac-nhan/", {"code": code, "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert "expired" in response.content.decode()
    assert User.objects.count() == 0


def test_it_limits_codes_sent_to_one_phone(
    client: HttpClient, person_hoa: Person, django_capture_on_commit_callbacks: Any
) -> None:
    _start(client, django_capture_on_commit_callbacks)
    again = _start(client, django_capture_on_commit_callbacks)
    assert again.status_code == 400
    assert "Too many codes requested" in again.content.decode()
    assert SmsMessage.objects.count() == 1
