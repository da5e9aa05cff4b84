"""Tests for personal ID numbers (Circular 59/2021/TT-BCA) and former CMND numbers."""

from __future__ import annotations

import itertools
import random
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancu.core.personal_id import (
    PROVINCE_CODES,
    InvalidPersonalId,
    PersonalId,
    PersonalIdAllocator,
    check_consistency,
    generate_personal_id,
    is_old_id_number,
    is_personal_id,
    normalize_sex,
    parse_personal_id,
)

FAR_FUTURE = date(2299, 12, 31)


def test_it_has_the_63_former_province_codes() -> None:
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["030"] == "Hải Dương"
    assert PROVINCE_CODES["031"] == "Hải Phòng"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert "003" not in PROVINCE_CODES
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCE_CODES)


def test_it_parses_a_man_born_in_1987_in_hai_phong() -> None:
    pid = parse_personal_id("031087001234")
    assert pid == PersonalId(
        value="031087001234",
        province_code="031",
        sex="male",
        birth_year=1987,
        serial="001234",
    )
    assert pid.province_name == "Hải Phòng"
    assert str(pid) == "031087001234"


@pytest.mark.parametrize(
    ("value", "sex", "year"),
    [
        ("030199123456", "female", 1999),
        ("001203000001", "male", 2003),
        ("001303000001", "female", 2003),
        ("031895000001", "male", 1895),
        ("031995000001", "female", 1895),
    ],
)
def test_it_reads_century_and_sex(value: str, sex: str, year: int) -> None:
    pid = parse_personal_id(value)
    assert (pid.sex, pid.birth_year) == (sex, year)


def test_it_reads_the_far_centuries_when_they_have_come() -> None:
    assert parse_personal_id("031450000000", today=FAR_FUTURE).birth_year == 2150
    assert parse_personal_id("031512000000", today=FAR_FUTURE).sex == "female"
    assert parse_personal_id("031699000000", today=FAR_FUTURE).birth_year == 2299
    assert parse_personal_id("031799000000", today=FAR_FUTURE).sex == "female"


def test_it_strips_spaces_anywhere() -> None:
    assert parse_personal_id(" 031 087\u00a0001 234\n").value == "031087001234"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("03108700123a", "non_digit"),
        ("031-087-001234", "non_digit"),
        ("٠٣١٠٨٧٠٠١٢٣٤", "non_digit"),
        ("03108700123²", "non_digit"),
        ("03108700123", "length"),
        ("0310870012345", "length"),
        ("003087001234", "unknown_province"),
        ("097087001234", "unknown_province"),
        ("000087001234", "unknown_province"),
        ("031450000000", "future_birth_year"),
    ],
)
def test_it_refuses_malformed_numbers(value: str, reason: str) -> None:
    with pytest.raises(InvalidPersonalId) as caught:
        parse_personal_id(value, today=date(2025, 7, 1))
    assert caught.value.reason == reason
    assert str(caught.value).startswith("Số định danh không hợp lệ / Invalid personal ID: ")
    assert not is_personal_id(value)


def test_it_refuses_a_birth_year_after_today() -> None:
    with pytest.raises(InvalidPersonalId) as caught:
        parse_personal_id("031225000000", today=date(2024, 12, 31))
    assert caught.value.reason == "future_birth_year"
    assert str(caught.value) == (
        "Số định danh không hợp lệ / Invalid personal ID: năm sinh 2025 chưa đến / birth year 2025 is in the future"
    )
    assert parse_personal_id("031225000000", today=date(2025, 1, 1)).birth_year == 2025


def test_it_names_the_length_in_the_message() -> None:
    with pytest.raises(InvalidPersonalId) as caught:
        parse_personal_id("12345")
    assert str(caught.value) == (
        "Số định danh không hợp lệ / Invalid personal ID: phải có 12 chữ số, nhận được 5 / must have 12 digits, got 5"
    )


def test_it_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Invalid personal ID"):
        parse_personal_id("x")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("31", 1987, "male", 1234), "031087001234"),
        (("031", 1987, "male", 1234), "031087001234"),
        (("030", 2005, "Nữ", 42), "030305000042"),
        (("1", 1900, "nam", 0), "001000000000"),
        (("096", 2199, "female", 999_999), "096599999999"),
        (("079", 2200, "male", 5), "079600000005"),
        (("079", 2299, "female", 5), "079799000005"),
        (("036", 1850, "female", 77), "036950000077"),
        (("036", 1800, "male", 77), "036800000077"),
    ],
)
def test_it_generates_numbers(args: tuple[str, int, str, int], expected: str) -> None:
    assert generate_personal_id(*args) == expected


@pytest.mark.parametrize(
    "args",
    [
        ("032", 1987, "male", 1),
        ("31", 1799, "male", 1),
        ("31", 2300, "male", 1),
        ("31", 1987, "other", 1),
        ("31", 1987, "male", -1),
        ("31", 1987, "male", 1_000_000),
    ],
)
def test_it_refuses_to_generate_from_bad_arguments(
    args: tuple[str, int, str, int],
) -> None:
    with pytest.raises(InvalidPersonalId):
        generate_personal_id(*args)


def test_it_accepts_consistent_data() -> None:
    pid = parse_personal_id("030199123456")
    check_consistency(pid, birth_year=1999, sex="female")
    check_consistency(pid, birth_year=1999, sex="Nữ")
    check_consistency(pid, birth_year=1999, sex=unicodedata.normalize("NFD", "Nữ"))
    check_consistency(pid, birth_year=None, sex=None)


def test_it_refuses_a_different_birth_year() -> None:
    pid = parse_personal_id("030199123456")
    with pytest.raises(InvalidPersonalId) as caught:
        check_consistency(pid, birth_year=1989, sex="female")
    assert caught.value.reason == "birth_year_mismatch"
    assert str(caught.value) == (
        "Số định danh không hợp lệ / Invalid personal ID: số mang năm sinh 1999, hồ sơ ghi 1989"
        " / the number encodes birth year 1999, the record says 1989"
    )


def test_it_refuses_a_different_sex() -> None:
    pid = parse_personal_id("030199123456")
    with pytest.raises(InvalidPersonalId) as caught:
        check_consistency(pid, birth_year=None, sex="Nam")
    assert caught.value.reason == "sex_mismatch"


def test_it_refuses_an_unknown_sex_word() -> None:
    with pytest.raises(InvalidPersonalId) as caught:
        normalize_sex("x")
    assert caught.value.reason == "bad_argument"
    assert normalize_sex(" NAM ") == "male"
    assert normalize_sex("NỮ") == "female"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("031234567", True),
        ("031 234 567", True),
        ("141234567", True),
        ("03123456", False),
        ("0312345678", False),
        ("031087001234", False),
        ("03123456a", False),
        ("٠٣١٢٣٤٥٦٧", False),
        ("", False),
    ],
)
def test_it_recognises_old_cmnd_numbers(value: str, expected: bool) -> None:
    assert is_old_id_number(value) is expected


def test_it_allocates_reproducibly_from_a_seed() -> None:
    first = PersonalIdAllocator(7)
    second = PersonalIdAllocator(random.Random(7))
    a = [first.allocate("031", 1987, "male") for _ in range(50)]
    b = [second.allocate("031", 1987, "male") for _ in range(50)]
    assert a == b
    other = PersonalIdAllocator(8)
    assert a != [other.allocate("031", 1987, "male") for _ in range(50)]
    assert first.issued("31", 1987, "male") == 50
    assert first.issued("31", 1987, "female") == 0


def test_it_allocates_unique_random_looking_serials() -> None:
    allocator = PersonalIdAllocator(1)
    ids = [allocator.allocate("031", 1987, "female") for _ in range(20_000)]
    assert len(set(ids)) == 20_000
    assert all(i.startswith("031187") for i in ids)
    serials = [int(i[6:]) for i in ids]
    # Spread over the whole range, not handed out in order.
    assert min(serials) < 1_000
    assert max(serials) > 999_000
    assert sum(1 for x, y in itertools.pairwise(serials) if y == x + 1) < 10


def test_it_permutes_the_whole_serial_range() -> None:
    allocator = PersonalIdAllocator(3)
    seen = bytearray(1_000_000)
    for x in range(1_000_000):
        seen[allocator._permute(x)] = 1
    assert all(seen)


def test_it_counts_spellings_of_one_prefix_together() -> None:
    allocator = PersonalIdAllocator(11)
    spellings = [("31", "male"), ("031", "male"), ("31", "Nam"), ("031", "NAM")]
    ids = [allocator.allocate(code, 1990, sex) for _ in range(500) for code, sex in spellings]
    assert len(set(ids)) == 2_000
    assert allocator.issued("031", 1990, "male") == 2_000


def test_it_keeps_prefixes_apart() -> None:
    allocator = PersonalIdAllocator(5)
    assert allocator.allocate("31", 1987, "male")[:6] == "031087"
    assert allocator.allocate("30", 1987, "female")[:6] == "030187"
    assert allocator.allocate("30", 2011, "Nam")[:6] == "030211"


provinces = st.sampled_from(sorted(PROVINCE_CODES))
years = st.integers(min_value=1800, max_value=2299)
sexes = st.sampled_from(["male", "female"])
serials = st.integers(min_value=0, max_value=999_999)


@given(provinces, years, sexes, serials)
def test_it_round_trips_generate_and_parse(province: str, year: int, sex: str, serial: int) -> None:
    value = generate_personal_id(province, year, sex, serial)
    pid = parse_personal_id(value, today=FAR_FUTURE)
    assert (pid.value, pid.province_code, pid.sex, pid.birth_year, pid.serial) == (
        value,
        province,
        sex,
        year,
        f"{serial:06d}",
    )
    check_consistency(pid, birth_year=year, sex=sex)


@given(provinces, years, sexes, serials, years, sexes)
def test_it_checks_consistency_exactly(
    province: str, year: int, sex: str, serial: int, other_year: int, other_sex: str
) -> None:
    pid = parse_personal_id(generate_personal_id(province, year, sex, serial), today=FAR_FUTURE)
    if other_year == year and other_sex == sex:
        check_consistency(pid, birth_year=other_year, sex=other_sex)
        return
    with pytest.raises(InvalidPersonalId) as caught:
        check_consistency(pid, birth_year=other_year, sex=other_sex)
    expected = "birth_year_mismatch" if other_year != year else "sex_mismatch"
    assert caught.value.reason == expected


@given(st.text(max_size=20))
def test_it_only_ever_raises_invalid_personal_id(value: str) -> None:
    digits = "".join(value.split())
    if len(digits) == 12 and digits.isascii() and digits.isdigit() and digits[:3] in PROVINCE_CODES:
        assert parse_personal_id(value, today=FAR_FUTURE).value == digits
        return
    with pytest.raises(InvalidPersonalId) as caught:
        parse_personal_id(value, today=FAR_FUTURE)
    assert caught.value.reason in {"empty", "non_digit", "length", "unknown_province"}


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_it_accepts_every_twelve_digits_with_a_known_province(value: str) -> None:
    if value[:3] not in PROVINCE_CODES:
        assert not is_personal_id(value)
        return
    pid = parse_personal_id(value, today=FAR_FUTURE)
    assert is_personal_id(value) is (pid.birth_year <= datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year)
    again = generate_personal_id(pid.province_code, pid.birth_year, pid.sex, int(pid.serial))
    assert again == value
