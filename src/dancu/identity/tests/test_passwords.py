"""The password policy of NIST SP 800-63B-4 §3.1.1.2."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancu.identity.passwords import MAX_LENGTH, PasswordPolicyError, check_password_policy, normalise


def _code(password: str, **kwargs: object) -> str:
    with pytest.raises(PasswordPolicyError) as refused:
        check_password_policy(password, **kwargs)  # type: ignore[arg-type]
    return refused.value.code


def test_it_wants_15_characters_when_the_password_is_the_only_factor() -> None:
    assert _code("mười bốn ký tự", has_second_factor=False) == "too_short"
    assert check_password_policy("mười lăm ký tự!", has_second_factor=False) == "mười lăm ký tự!"


def test_it_wants_8_characters_with_a_second_factor() -> None:
    assert _code("bảy kt!", has_second_factor=True) == "too_short"
    assert check_password_policy("tám ký!!", has_second_factor=True) == "tám ký!!"


def test_it_imposes_no_composition_rules() -> None:
    assert check_password_policy("chi toan chu thuong va cach", has_second_factor=False)


def test_it_accepts_64_characters_and_refuses_beyond_128() -> None:
    long = "đây là một câu rất dài " * 3
    assert len(long[:64]) == 64
    assert check_password_policy(long[:64], has_second_factor=False) == long[:64]
    assert _code("x" * 60 + "y" * 69, has_second_factor=False) == "too_long"


@pytest.mark.parametrize(
    "password",
    [
        "1q2w3e4r5t6y7u8i9o0p",
        "anhyeuemnhieulam",
        "Anh Yêu Em Nhiều Lắm!",
        "123456789987654321",
        "aaaaaaaaaaaaaaaaaaa",
        "abababababababab",
    ],
)
def test_it_refuses_common_and_trivial_passwords(password: str) -> None:
    assert _code(password, has_second_factor=False) == "common"


def test_it_refuses_a_password_built_from_the_persons_own_details() -> None:
    context = ("031190001234", "Phạm Thị Lan", "14031990", "0912345678")
    assert _code("031190001234abc", has_second_factor=False, context=context) == "personal"
    assert _code("Phạm Thị Lan 1990!", has_second_factor=False, context=context) == "personal"
    assert check_password_policy("Lan đi chợ Sắt mỗi sáng chủ nhật", has_second_factor=False, context=context)


def test_it_normalises_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "mật khẩu có dấu đầy đủ")
    assert check_password_policy(nfd, has_second_factor=False) == unicodedata.normalize("NFC", nfd)


@given(st.text(min_size=1, max_size=40))
def test_normalising_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=200))
def test_it_either_accepts_or_explains(password: str) -> None:
    outcome: PasswordPolicyError | str
    try:
        outcome = check_password_policy(password, has_second_factor=False)
    except PasswordPolicyError as refused:
        outcome = refused
    if isinstance(outcome, PasswordPolicyError):
        assert outcome.code in {"too_short", "too_long", "common", "personal"}
        assert " / " in outcome.message
    else:
        assert 15 <= len(outcome) <= MAX_LENGTH
        assert outcome == unicodedata.normalize("NFC", password)
