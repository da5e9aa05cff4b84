"""Personal ID numbers (số định danh cá nhân) and former identity-card numbers (CMND).

Structure (Decree 137/2015/NĐ-CP Art. 13, codes in Circular 07/2016/TT-BCA Appendix I, kept by
Circular 59/2021/TT-BCA): 12 digits =

- 3 digits: the province where the birth was registered (the 63 pre-2025 codes, which never
  change when provinces merge);
- 1 digit: century and sex (1900s male 0 / female 1, 2000s 2/3, 2100s 4/5, 2200s 6/7,
  1800s 8/9);
- 2 digits: the last two digits of the birth year;
- 6 digits: a random serial.

There is no check digit, so validation is structural plus consistency with the birth year and sex
recorded elsewhere. Births registered abroad carry a country code instead of a province code; those
codes are not in :data:`PROVINCE_CODES` and are refused as ``unknown_province`` until we need them.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

__all__ = [
    "PROVINCE_CODES",
    "InvalidPersonalId",
    "PersonalId",
    "PersonalIdAllocator",
    "Sex",
    "check_consistency",
    "generate_personal_id",
    "is_old_id_number",
    "is_personal_id",
    "normalize_sex",
    "parse_personal_id",
]

Sex = Literal["male", "female"]

#: Birth-registration province codes (Circular 07/2016/TT-BCA, Appendix I): the former 2-digit
#: province codes zero-padded to 3, with the province names of that time.
PROVINCE_CODES: Final[dict[str, str]] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# Century digit pairs: (male, female) digit -> first year of the century.
_CENTURY_START: Final[dict[int, int]] = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 1800}
_FIRST_YEAR: Final = 1800
_LAST_YEAR: Final = 2299
_SERIALS: Final = 1_000_000

_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_INVALID = "Số định danh không hợp lệ / Invalid personal ID"


class InvalidPersonalId(ValueError):  # noqa: N818 - the name other apps already use
    """A value that is not a personal ID, or one that disagrees with the person's other data.

    ``reason`` is a stable code (``empty``, ``non_digit``, ``length``, ``unknown_province``,
    ``future_birth_year``, ``birth_year_mismatch``, ``sex_mismatch``, ``bad_argument``);
    the message is Vietnamese then English.
    """

    def __init__(self, reason: str, detail_vi: str, detail_en: str) -> None:
        self.reason = reason
        super().__init__(f"{_INVALID}: {detail_vi} / {detail_en}")


@dataclass(frozen=True, slots=True)
class PersonalId:
    """A structurally valid personal ID number, split into its parts."""

    value: str
    province_code: str
    sex: Sex
    birth_year: int
    serial: str

    @property
    def province_name(self) -> str:
        """Name of the province where the birth was registered (pre-2025 name)."""
        return PROVINCE_CODES[self.province_code]

    def __str__(self) -> str:
        return self.value


def _today_in_vietnam() -> date:
    # A child born on 1 January in Hà Nội is born while it is still 31 December in UTC.
    return datetime.now(_VIETNAM).date()


def _strip(value: str) -> str:
    # People type IDs grouped ("031 087 001 234") or copy them with non-breaking spaces.
    return "".join(value.split())


def parse_personal_id(value: str, *, today: date | None = None) -> PersonalId:
    """Parse a 12-digit personal ID; whitespace anywhere is ignored.

    Raises :class:`InvalidPersonalId` naming the first problem found. A birth year after
    ``today``'s year (default: the current date) is refused: such a number cannot have been issued.
    """
    digits = _strip(value)
    if not digits:
        raise InvalidPersonalId("empty", "chưa nhập số", "the value is empty")
    # str.isdigit() alone accepts other scripts' digits ("٣") and superscripts ("²").
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidPersonalId("non_digit", "chỉ được chứa chữ số", "only digits are allowed")
    if len(digits) != 12:
        raise InvalidPersonalId(
            "length",
            f"phải có 12 chữ số, nhận được {len(digits)}",
            f"must have 12 digits, got {len(digits)}",
        )
    province = digits[:3]
    if province not in PROVINCE_CODES:
        raise InvalidPersonalId(
            "unknown_province",
            f"mã tỉnh nơi đăng ký khai sinh {province} không tồn tại",
            f"birth-registration province code {province} does not exist",
        )
    century_sex = int(digits[3])
    birth_year = _CENTURY_START[century_sex & ~1] + int(digits[4:6])
    current_year = (today or _today_in_vietnam()).year
    if birth_year > current_year:
        raise InvalidPersonalId(
            "future_birth_year",
            f"năm sinh {birth_year} chưa đến",
            f"birth year {birth_year} is in the future",
        )
    return PersonalId(
        value=digits,
        province_code=province,
        sex="female" if century_sex & 1 else "male",
        birth_year=birth_year,
        serial=digits[6:],
    )


def is_personal_id(value: str) -> bool:
    """True when ``value`` parses as a personal ID (see :func:`parse_personal_id`)."""
    try:
        parse_personal_id(value)
    except InvalidPersonalId:
        return False
    return True


_SEX_WORDS: Final[dict[str, Sex]] = {
    "male": "male",
    "m": "male",
    "nam": "male",
    "female": "female",
    "f": "female",
    "nữ": "female",
    "nu": "female",
}


def normalize_sex(sex: str) -> Sex:
    """Map "male"/"female", "Nam"/"Nữ" (any case, NFC or NFD) to ``"male"``/``"female"``."""
    key = unicodedata.normalize("NFC", sex).strip().lower()
    try:
        return _SEX_WORDS[key]
    except KeyError:
        raise InvalidPersonalId(
            "bad_argument",
            f"giới tính {sex!r} không hợp lệ",
            f"sex {sex!r} is not valid",
        ) from None


def check_consistency(pid: PersonalId, *, birth_year: int | None, sex: str | None) -> None:
    """Raise :class:`InvalidPersonalId` when the ID disagrees with a known birth year or sex.

    ``None`` means "not known" and is not checked; ``sex`` accepts the words of :func:`normalize_sex`.
    """
    if birth_year is not None and birth_year != pid.birth_year:
        raise InvalidPersonalId(
            "birth_year_mismatch",
            f"số mang năm sinh {pid.birth_year}, hồ sơ ghi {birth_year}",
            f"the number encodes birth year {pid.birth_year}, the record says {birth_year}",
        )
    if sex is not None and normalize_sex(sex) != pid.sex:
        vi = {"male": "nam", "female": "nữ"}
        raise InvalidPersonalId(
            "sex_mismatch",
            f"số mang giới tính {vi[pid.sex]}, hồ sơ ghi {sex}",
            f"the number encodes sex {pid.sex}, the record says {sex}",
        )


def _province_code3(province_code: str) -> str:
    code = province_code.strip().zfill(3)
    if code not in PROVINCE_CODES:
        raise InvalidPersonalId(
            "unknown_province",
            f"mã tỉnh {province_code!r} không tồn tại",
            f"province code {province_code!r} does not exist",
        )
    return code


def _prefix(province_code: str, birth_year: int, sex: str) -> str:
    code = _province_code3(province_code)
    if not _FIRST_YEAR <= birth_year <= _LAST_YEAR:
        raise InvalidPersonalId(
            "bad_argument",
            f"năm sinh {birth_year} nằm ngoài 1800–2299",
            f"birth year {birth_year} is outside 1800–2299",
        )
    century_digit = 2 * ((birth_year // 100 - 19) % 5)
    if normalize_sex(sex) == "female":
        century_digit += 1
    return f"{code}{century_digit}{birth_year % 100:02d}"


def generate_personal_id(province_code: str, birth_year: int, sex: str, serial: int) -> str:
    """Build the personal ID for a birth-registration province ("031" or "31"), year, sex, serial.

    Deterministic: the same arguments give the same number. Keeping numbers unique is the
    caller's job (see :class:`PersonalIdAllocator`).
    """
    if not 0 <= serial < _SERIALS:
        raise InvalidPersonalId(
            "bad_argument",
            f"số thứ tự {serial} nằm ngoài 0–999999",
            f"serial {serial} is outside 0–999999",
        )
    return f"{_prefix(province_code, birth_year, sex)}{serial:06d}"


class PersonalIdAllocator:
    """Hands out unique, random-looking personal IDs, reproducibly from a seed.

    Each (province, century-sex, year) prefix has its own counter; the counter goes through a keyed
    permutation of 0..999999 (a 4-round Feistel network on 20 bits with cycle-walking), so serials
    look random, never repeat, and no issued number has to be remembered: memory stays constant
    however many millions of IDs are handed out.
    """

    _BITS: Final = 10
    _MASK: Final = (1 << 10) - 1

    def __init__(self, seed: int | random.Random) -> None:
        # Reproducible, not secret: the numbers are public identifiers, the seed makes demos repeatable.
        rng = seed if isinstance(seed, random.Random) else random.Random(seed)  # noqa: S311
        self._rounds: tuple[tuple[int, ...], ...] = tuple(
            tuple(rng.getrandbits(self._BITS) for _ in range(1 << self._BITS)) for _ in range(4)
        )
        self._rng = rng
        # prefix -> [next counter, start offset]
        self._state: dict[str, list[int]] = {}
        # (arguments) -> (prefix, its state). Validating the arguments costs more than the
        # allocation itself, and bulk generators ask for the same few thousand prefixes millions
        # of times. Spellings of one prefix ("31"/"031", "Nam"/"male") share one state list.
        self._by_arguments: dict[tuple[str, int, str], tuple[str, list[int]]] = {}

    def _permute(self, x: int) -> int:
        bits, mask = self._BITS, self._MASK
        first, second, third, fourth = self._rounds
        while True:
            # Four Feistel rounds, unrolled: each half is mixed with a table of the other.
            left, right = x >> bits, x & mask
            left ^= first[right]
            right ^= second[left]
            left ^= third[right]
            right ^= fourth[left]
            x = (left << bits) | right
            if x < _SERIALS:
                return x

    def allocate(self, province_code: str, birth_year: int, sex: str) -> str:
        """Return a personal ID not handed out before by this allocator."""
        key = (province_code, birth_year, sex)
        known = self._by_arguments.get(key)
        if known is None:
            prefix = _prefix(province_code, birth_year, sex)
            state = self._state.get(prefix)
            if state is None:
                state = self._state[prefix] = [0, self._rng.randrange(_SERIALS)]
            known = self._by_arguments[key] = (prefix, state)
        prefix, state = known
        count = state[0]
        if count >= _SERIALS:
            raise InvalidPersonalId(
                "bad_argument",
                f"đã hết số cho tiền tố {prefix}",
                f"all serials for prefix {prefix} are used",
            )
        state[0] = count + 1
        # zfill is about twice as fast as a format spec, and this runs for millions of people.
        return prefix + str(self._permute((count + state[1]) % _SERIALS)).zfill(6)

    def issued(self, province_code: str, birth_year: int, sex: str) -> int:
        """How many IDs this allocator has handed out for that prefix."""
        state = self._state.get(_prefix(province_code, birth_year, sex))
        return 0 if state is None else state[0]


def is_old_id_number(value: str) -> bool:
    """True for a former identity-card (CMND) number: exactly 9 ASCII digits, spaces ignored.

    The 12-digit CMND issued 2012–2016 carries the personal ID itself, so it is not an old number.
    """
    digits = _strip(value)
    return len(digits) == 9 and digits.isascii() and digits.isdigit()
