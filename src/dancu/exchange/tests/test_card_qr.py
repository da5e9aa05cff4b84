"""The chip ID card's QR code: a tolerant parser (property-tested) and the ``card-qr`` service."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancu.core.personal_id import generate_personal_id
from dancu.exchange.card_qr import CardQr, CardQrError, format_card_qr, parse_card_qr
from dancu.exchange.tests.conftest import Gateway, System
from dancu.registry.models import IdentityCard, Person

TODAY = dt.date(2026, 1, 15)
LAN_QR = "031190012345|162425431|Nguyễn Thị Lan|12051990|Nữ|Số 12 ngõ 34 phố Lạch Tray, Hải Phòng|07062021"


def test_it_parses_a_2021_card() -> None:
    assert parse_card_qr(LAN_QR, today=TODAY) == CardQr(
        personal_id="031190012345",
        old_id="162425431",
        full_name="Nguyễn Thị Lan",
        birth_date=dt.date(1990, 5, 12),
        sex="female",
        address="Số 12 ngõ 34 phố Lạch Tray, Hải Phòng",
        issued_on=dt.date(2021, 6, 7),
    )


def test_it_keeps_the_extra_fields_of_newer_cards() -> None:
    card = parse_card_qr(LAN_QR + "|Nguyễn Văn Bố|Trần Thị Mẹ|", today=TODAY)

    assert card.extra == ("Nguyễn Văn Bố", "Trần Thị Mẹ", "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("031190012345|162425431|Nguyễn Thị Lan|12051990|Nữ|Hải Phòng", "too_few_fields"),
        ("03119001234|162425431|Nguyễn Thị Lan|12051990|Nữ|Hải Phòng|07062021", "bad_personal_id"),
        ("031190012345|1624|Nguyễn Thị Lan|12051990|Nữ|Hải Phòng|07062021", "bad_old_id"),
        ("031190012345||Nguyễn Thị Lan|31021990|Nữ|Hải Phòng|07062021", "impossible_date"),
        ("031190012345||Nguyễn Thị Lan|1990-05-12|Nữ|Hải Phòng|07062021", "bad_date"),
        ("031190012345||Nguyễn Thị Lan|12051990|Nữ|Hải Phòng|07062030", "future_date"),
        ("031190012345||Nguyễn Thị Lan|12051990|Nữ|Hải Phòng|07061989", "issued_before_birth"),
        ("031190012345||Nguyễn Thị Lan|12051990|Nam|Hải Phòng|07062021", "inconsistent"),
        ("031190012345||Nguyễn Thị Lan|12051991|Nữ|Hải Phòng|07062021", "inconsistent"),
        ("031190012345|||12051990|Nữ|Hải Phòng|07062021", "no_name"),
    ],
)
def test_it_refuses_what_no_card_carries(text: str, reason: str) -> None:
    with pytest.raises(CardQrError) as refused:
        parse_card_qr(text, today=TODAY)

    assert refused.value.reason == reason


names = st.text(
    alphabet="AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYàáạảãăắằẳẵặâấầẩẫậđèéẹẻẽêếềểễệìíịỉĩòóọỏõôốồổỗộơớờởỡợùúụủũưứừửữựỳýỵỷỹ ",
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)),
    sex=st.sampled_from(["male", "female"]),
    name=names,
    address=st.text(alphabet="0123456789 ,./-abcdđeêghiklmnoôơpqrstuưvxyàáạảãâấầđéếềìíòóôốồơờớùúưứừýỳ", max_size=80),
    days_after=st.integers(min_value=0, max_value=20_000),
    serial=st.integers(min_value=0, max_value=999_999),
)
def test_it_reads_back_every_card_it_formats(
    birth: dt.date, sex: str, name: str, address: str, days_after: int, serial: int
) -> None:
    issued = min(birth + dt.timedelta(days=days_after), TODAY)
    personal_id = generate_personal_id("031", birth.year, sex, serial)
    card = CardQr(
        personal_id=personal_id,
        old_id="",
        full_name=" ".join(name.split()),
        birth_date=birth,
        sex=sex,
        address=address.strip(),
        issued_on=issued,
    )

    parsed = parse_card_qr(format_card_qr(card), today=TODAY)

    assert parsed == CardQr(
        personal_id=card.personal_id,
        old_id="",
        full_name=card.full_name,
        birth_date=birth,
        sex=sex,
        address=address.strip(),
        issued_on=issued,
    )


@given(st.text(max_size=200))
def test_it_never_fails_otherwise_than_by_refusing(text: str) -> None:
    reason = ""
    try:
        parse_card_qr(text, today=TODAY)
    except CardQrError as exc:
        reason = exc.reason
    # Random text is refused with a stable reason code (a 7-field valid card is astronomically unlikely).
    assert reason in {
        "too_few_fields",
        "bad_personal_id",
        "bad_old_id",
        "no_name",
        "bad_date",
        "impossible_date",
        "future_date",
        "issued_before_birth",
        "inconsistent",
    }


@pytest.mark.django_db
def test_it_confirms_a_current_card(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    response = gateway.post(bank_system, "card-qr/v1", {"qr": LAN_QR}, purpose="NH.KYC")

    assert response.status_code == 200
    assert response.json() == {
        "personal_id": "031190012345",
        "found": True,
        "matches": {"full_name": True, "birth_date": True, "sex": True, "card": True},
        "card_current": True,
        "answer": {
            "status": True,
            "message": "Thẻ hợp lệ và khớp với cơ sở dữ liệu dân cư / Card valid and matching the register",
        },
    }


@pytest.mark.django_db
def test_it_flags_a_replaced_card(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    IdentityCard.objects.filter(person=person_lan).update(is_current=False)

    body = gateway.post(bank_system, "card-qr/v1", {"qr": LAN_QR}, purpose="NH.KYC").json()

    assert (body["matches"]["card"], body["card_current"], body["answer"]["status"]) == (True, False, False)
    assert body["answer"]["message"] == "Thẻ không còn hiệu lực / The card is no longer valid"


@pytest.mark.django_db
def test_it_refuses_a_forged_qr(gateway: Gateway, bank_system: System, person_lan: Person) -> None:
    forged = LAN_QR.replace("|Nữ|", "|Nam|")

    response = gateway.post(bank_system, "card-qr/v1", {"qr": forged}, purpose="NH.KYC")

    assert (response.status_code, response.json()["code"], response.json()["reason"]) == (
        400,
        "invalid_request",
        "inconsistent",
    )
