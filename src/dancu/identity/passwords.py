"""Password rules of NIST SP 800-63B-4 §3.1.1.2 (docs/standards/nist-sp-800-63b-4.md).

- at least 15 characters when the password is the only factor, 8 with a second factor;
- at least 64 accepted (we accept 128), never truncated, every Unicode character allowed
  (normalised to NFC first, so the same passphrase typed on two keyboards matches);
- no composition rules, no forced expiry;
- refused if it is on the blocklist shipped in ``data/`` (Django's 20,000 common passwords of
  8+ characters plus common Vietnamese passwords), or is built from the account's own personal
  ID, phone, birth date or name, or is a run of one or two repeated characters.
"""

from __future__ import annotations

import functools
import gzip
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dancu.core.text import fold

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH_ALONE",
    "MIN_LENGTH_WITH_SECOND_FACTOR",
    "PasswordPolicyError",
    "check_password_policy",
    "normalise",
]

MIN_LENGTH_ALONE = 15
MIN_LENGTH_WITH_SECOND_FACTOR = 8
MAX_LENGTH = 128
BLOCKLIST_FILE = Path(__file__).parent / "data" / "common-passwords-django5.2-vn-2026-11.txt.gz"


@dataclass(frozen=True, slots=True)
class PasswordPolicyError(ValueError):
    """Why a new password was refused; ``message`` is shown to the person."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def normalise(password: str) -> str:
    """The form a password is hashed in (NIST SP 800-63B-4 §3.1.1.2: NFC normalisation)."""
    return unicodedata.normalize("NFC", password)


@functools.cache
def _blocklist() -> frozenset[str]:
    with gzip.open(BLOCKLIST_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def _compact(text: str) -> str:
    """Lower case, without diacritics, spaces or punctuation: "Anh yêu em!" -> "anhyeuem"."""
    return re.sub(r"[^0-9a-z]", "", fold(text).lower())


def check_password_policy(
    password: str,
    *,
    has_second_factor: bool,
    context: tuple[str, ...] = (),
) -> str:
    """Return the normalised password, or raise :class:`PasswordPolicyError`.

    ``context`` holds words specific to the account (personal ID, phone, birth date, name) that
    the password must not be built from.
    """
    value = normalise(password)
    minimum = MIN_LENGTH_WITH_SECOND_FACTOR if has_second_factor else MIN_LENGTH_ALONE
    if len(value) < minimum:
        raise PasswordPolicyError(
            "too_short",
            f"Mật khẩu phải có ít nhất {minimum} ký tự / The password must be at least {minimum} characters long",
        )
    if len(value) > MAX_LENGTH:
        raise PasswordPolicyError(
            "too_long", f"Mật khẩu dài tối đa {MAX_LENGTH} ký tự / The password may be at most {MAX_LENGTH} characters"
        )
    compact = _compact(value)
    blocked = _blocklist()
    if value.lower() in blocked or compact in blocked or len(set(compact or value)) <= 2:
        raise PasswordPolicyError(
            "common",
            "Mật khẩu này quá phổ biến hoặc dễ đoán / This password is too common or easy to guess",
        )
    for word in context:
        key = _compact(word)
        if len(key) >= 4 and key in compact and len(compact) - len(key) < MIN_LENGTH_WITH_SECOND_FACTOR:
            raise PasswordPolicyError(
                "personal",
                "Mật khẩu không được dựa trên số định danh, số điện thoại, ngày sinh hoặc họ tên của bạn"
                " / The password must not be built from your ID number, phone, birth date or name",
            )
    return value
