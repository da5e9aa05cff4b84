"""The QR code printed on Vietnamese chip ID cards, parsed tolerantly.

2021 chip card (căn cước công dân): ``|``-separated personal ID, old 9-digit CMND number (may be
empty), full name, date of birth ``ddMMyyyy``, sex (``Nam``/``Nữ``), permanent residence, issue
date ``ddMMyyyy``. Cards issued from 1 July 2024 (thẻ căn cước) append further fields, which are
kept but not interpreted. Impossible dates and numbers that contradict the birth year or sex they
encode are refused.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dancu.core.personal_id import InvalidPersonalId, check_consistency, normalize_sex, parse_personal_id

__all__ = ["CardQr", "CardQrError", "format_card_qr", "parse_card_qr"]

_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class CardQrError(ValueError):
    """Not a card QR string; ``reason`` is a stable code, the message Vietnamese then English."""

    def __init__(self, reason: str, vi: str, en: str) -> None:
        self.reason = reason
        super().__init__(f"Mã QR không hợp lệ: {vi} / Invalid card QR: {en}")


@dataclass(frozen=True, slots=True)
class CardQr:
    personal_id: str
    old_id: str
    full_name: str
    birth_date: dt.date
    sex: str
    address: str
    issued_on: dt.date
    extra: tuple[str, ...] = ()


def _date(text: str, field: str) -> dt.date:
    digits = text.strip()
    if len(digits) != 8 or not (digits.isascii() and digits.isdigit()):
        raise CardQrError("bad_date", f"{field} phải có dạng ddMMyyyy", f"{field} must be ddMMyyyy")
    try:
        return dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        raise CardQrError("impossible_date", f"{field} không tồn tại", f"{field} is not a real date") from None


def parse_card_qr(text: str, *, today: dt.date | None = None) -> CardQr:
    """Parse the QR string of a chip ID card; raise :class:`CardQrError` naming the problem."""
    clean = unicodedata.normalize("NFC", text).strip().strip("\ufeff")
    parts = clean.split("|")
    if len(parts) < 7:
        raise CardQrError(
            "too_few_fields", f"cần ít nhất 7 trường, có {len(parts)}", f"7 fields expected, got {len(parts)}"
        )
    pid_text, old_id, name, birth_text, sex_text, address, issued_text, *extra = (p.strip() for p in parts)
    try:
        pid = parse_personal_id(pid_text, today=today)
    except InvalidPersonalId as exc:
        raise CardQrError("bad_personal_id", "số định danh sai", f"bad personal ID ({exc.reason})") from None
    if old_id and not (old_id.isascii() and old_id.isdigit() and len(old_id) in (9, 12)):
        raise CardQrError("bad_old_id", "số CMND cũ phải có 9 hoặc 12 chữ số", "the old ID must have 9 or 12 digits")
    if not name:
        raise CardQrError("no_name", "thiếu họ tên", "the name is missing")
    birth = _date(birth_text, "ngày sinh / birth date")
    issued = _date(issued_text, "ngày cấp / issue date")
    current = today or dt.datetime.now(_VIETNAM).date()
    if birth > current or issued > current:
        raise CardQrError("future_date", "ngày ở tương lai", "a date is in the future")
    if issued < birth:
        raise CardQrError("issued_before_birth", "ngày cấp trước ngày sinh", "issued before birth")
    try:
        sex = normalize_sex(sex_text)
        check_consistency(pid, birth_year=birth.year, sex=sex)
    except InvalidPersonalId as exc:
        raise CardQrError(
            "inconsistent", "số định danh không khớp năm sinh/giới tính", f"the ID disagrees ({exc.reason})"
        ) from None
    return CardQr(
        personal_id=pid.value,
        old_id=old_id,
        full_name=" ".join(name.split()),
        birth_date=birth,
        sex=sex,
        address=address,
        issued_on=issued,
        extra=tuple(extra),
    )


def format_card_qr(card: CardQr) -> str:
    """The QR string of ``card`` (the inverse of :func:`parse_card_qr`)."""
    sex = "Nam" if card.sex == "male" else "Nữ"
    fields = [
        card.personal_id,
        card.old_id,
        card.full_name,
        card.birth_date.strftime("%d%m%Y"),
        sex,
        card.address,
        card.issued_on.strftime("%d%m%Y"),
        *card.extra,
    ]
    return "|".join(fields)
