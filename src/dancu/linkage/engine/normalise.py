"""Clean one value of a sectoral extract: dates, sex codes, ID numbers, Excel damage.

Every function takes what a spreadsheet may hold (text, a number, a date) and
returns a plain typed value or ``None``; none of them raises on bad input, since a
bad cell is information for the correction list, not an error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

__all__ = [
    "CleanId",
    "ParsedDate",
    "clean_cell",
    "clean_id",
    "normalise_sex",
    "parse_date",
]

# Excel's 1900 date system counts from 1899-12-30 (it believes 1900 was a leap year).
_EXCEL_EPOCH: Final = date(1899, 12, 30)
_MIN_YEAR: Final = 1890
_MAX_YEAR: Final = 2035
_VIETNAM: Final = ZoneInfo("Asia/Ho_Chi_Minh")


def clean_cell(value: object) -> str:
    """Return a cell as trimmed NFC text without Excel's artefacts.

    Removes the leading apostrophe Excel uses to force text, non-breaking and
    zero-width spaces, and the ``.0`` a number gains when read as a float.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    text = " ".join(text.split())
    if text.startswith(("'", "\u2019", "`")):
        text = text[1:].lstrip()
    if text.lower() in {
        "nan",
        "none",
        "null",
        "#n/a",
        "n/a",
        "-",
        "--",
        "x",
        "không",
        "khong",
    }:
        return ""
    return text


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A birth date as far as the extract knows it.

    ``month``/``day`` are ``None`` for a year-only value or a ``01/01/YYYY``
    placeholder. ``swappable`` is true when day and month could have been typed
    the other way round (both ≤ 12 and different), whatever the format (Excel
    reads typed dates in its own locale), so the alternative reading is worth
    comparing too.
    """

    year: int
    month: int | None = None
    day: int | None = None
    swappable: bool = False
    placeholder: bool = False

    @property
    def iso(self) -> str:
        """``YYYY-MM-DD``, or ``YYYY`` when only the year is known."""
        if self.month is None or self.day is None:
            return f"{self.year:04d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def swapped_iso(self) -> str | None:
        """The day/month-swapped reading, when it is a different valid date."""
        if not self.swappable or self.month is None or self.day is None:
            return None
        return f"{self.year:04d}-{self.day:02d}-{self.month:02d}"


_SEPARATED = re.compile(r"^(\d{1,4})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,4})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_WORDS = re.compile(
    r"^(?:ng[àa]y\s*)?(\d{1,2})\s*(?:th[áa]ng\s*)(\d{1,2})\s*(?:n[ăa]m\s*)(\d{4})$",
    re.IGNORECASE,
)
_TRAILING_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_MONTHS: Final = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
# "01-Feb-1990", "1 Feb 1990" (Excel in an English locale) and "Feb 1, 1990".
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})[\s\-/.]*([a-z]{3})[a-z]*\.?[\s\-/.,]*(\d{4}|\d{2})$", re.IGNORECASE)
_MONTH_NAME_DAY = re.compile(r"^([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})$", re.IGNORECASE)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return _MIN_YEAR <= year <= _MAX_YEAR


def _from_parts(year: int, month: int, day: int, *, day_first_ambiguous: bool) -> ParsedDate | None:
    if day in (0, 1) and month in (0, 1) and _MIN_YEAR <= year <= _MAX_YEAR:
        # 01/01/YYYY (or 00/00/YYYY) is how offices type "only the year is known".
        return ParsedDate(year=year, placeholder=True)
    if not _valid(year, month, day):
        if day_first_ambiguous and _valid(year, day, month):
            # Typed month-first (US order, Excel's default locale): 03/25/1990.
            return ParsedDate(year=year, month=day, day=month)
        return None
    # Any date with day and month both <= 12 may have been swapped on the way in,
    # even one stored as an Excel date: Excel parsed the typed text in its locale.
    swappable = day != month and day <= 12 and month <= 12
    return ParsedDate(year=year, month=month, day=day, swappable=swappable)


def _pivot_two_digit_year(yy: int, today: date) -> int:
    # A birth year written with two digits is in the past: 25 -> 2025, 26 -> 1926 today.
    year = 2000 + yy
    return year if year <= today.year else 1900 + yy


def parse_date(value: object, *, today: date | None = None) -> ParsedDate | None:
    """Parse a birth date written in any of the common ways, or return ``None``.

    Accepts ``YYYY-MM-DD``, ``DD/MM/YYYY`` (also with ``-``, ``.`` or spaces, one-digit
    parts, two-digit years), ``DDMMYYYY`` and ``YYYYMMDD``, ``MM/YYYY``, ``ngày 5
    tháng 3 năm 1985``, a year alone, Excel serial numbers and ``date``/``datetime``
    objects. Day-first is assumed (the Vietnamese order) unless only month-first is a
    valid date; an ambiguous day/month is flagged ``swappable``.
    """
    today = today or datetime.now(tz=_VIETNAM).date()
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return _from_parts(value.year, value.month, value.day, day_first_ambiguous=False)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_number(float(value), today)
    text = clean_cell(value)
    if not text:
        return None
    text = _TRAILING_TIME.sub("", text)
    if re.fullmatch(r"\d+(\.0+)?", text):
        return _from_digits(text.split(".")[0], today)
    if re.fullmatch(r"\d+\.\d+", text):
        return _from_number(float(text), today)
    named = _DAY_MONTH_NAME.match(text) or _MONTH_NAME_DAY.match(text)
    if named:
        first, second, year_text = named.groups()
        day_text, month_text = (first, second) if first.isdigit() else (second, first)
        month = _MONTHS.get(month_text.lower()[:3])
        year = int(year_text) if len(year_text) == 4 else _pivot_two_digit_year(int(year_text), today)
        if month is None:
            return None
        parsed = _from_parts(year, month, int(day_text), day_first_ambiguous=False)
        # A month written as a word cannot have been swapped with the day.
        return replace(parsed, swappable=False) if parsed else None
    match = _WORDS.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return _from_parts(year, month, day, day_first_ambiguous=False)
    match = _MONTH_YEAR.match(text)
    if match:
        month, year = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and _MIN_YEAR <= year <= _MAX_YEAR:
            return ParsedDate(year=year, month=None, day=None)
        return None
    match = _SEPARATED.match(text)
    if not match:
        return None
    first, second, third = match.groups()
    if len(first) == 4:
        return _from_parts(int(first), int(second), int(third), day_first_ambiguous=False)
    if len(third) == 4:
        year = int(third)
    elif len(third) == 2:
        year = _pivot_two_digit_year(int(third), today)
    else:
        return None
    return _from_parts(year, int(second), int(first), day_first_ambiguous=True)


def _from_number(number: float, today: date) -> ParsedDate | None:
    if number != int(number):
        number = float(int(number))  # an Excel datetime: the fraction is the time of day
    return _from_digits(str(int(number)), today)


def _from_digits(digits: str, today: date) -> ParsedDate | None:
    n = len(digits)
    if n == 4:
        year = int(digits)
        if _MIN_YEAR <= year <= min(_MAX_YEAR, today.year):
            return ParsedDate(year=year)
    if n == 8:
        # YYYYMMDD when that is a valid date, else DDMMYYYY (the ID-card QR form).
        y, m, d = int(digits[:4]), int(digits[4:6]), int(digits[6:])
        if _valid(y, m, d):
            return _from_parts(y, m, d, day_first_ambiguous=False)
        d, m, y = int(digits[:2]), int(digits[2:4]), int(digits[4:])
        return _from_parts(y, m, d, day_first_ambiguous=False)
    if n == 7:
        # DDMMYYYY that lost its leading zero as a number: 5031990 -> 05/03/1990.
        return _from_digits("0" + digits, today)
    if 3 <= n <= 5:
        serial = int(digits)
        # Serials 1..~49,000 cover 1900-01-01..2034; four-digit years were handled above.
        if 1 <= serial <= 49_000:
            day = _EXCEL_EPOCH + timedelta(days=serial)
            if day.year <= today.year:
                return _from_parts(day.year, day.month, day.day, day_first_ambiguous=False)
    return None


Sex = Literal["Nam", "Nữ"]
_SEX_CODES: Final[dict[str, Sex]] = {
    "nam": "Nam", "m": "Nam", "male": "Nam", "1": "Nam", "trai": "Nam", "đàn ông": "Nam",
    "nữ": "Nữ", "nu": "Nữ", "f": "Nữ", "female": "Nữ", "0": "Nữ", "2": "Nữ",
    "gái": "Nữ", "gai": "Nữ", "đàn bà": "Nữ", "phụ nữ": "Nữ",
}  # fmt: skip


def normalise_sex(value: object) -> Sex | None:
    """Map the common sex codes (Nam/Nữ, NAM/NU, M/F, 1/0, 1/2) to ``Nam``/``Nữ``.

    ``1`` is male and both ``0`` and ``2`` female, as in the insurance and
    statistics extracts; anything else is ``None``.
    """
    text = clean_cell(value).lower()
    return _SEX_CODES.get(text)


@dataclass(frozen=True, slots=True)
class CleanId:
    """What an ID cell holds after repair.

    ``kind`` is ``personal_id`` (12 digits), ``old_id`` (the 9-digit CMND
    number), or ``invalid``; ``repaired`` says a lost leading zero was restored.
    """

    kind: Literal["personal_id", "old_id", "invalid", "empty"]
    value: str
    repaired: bool = False


def clean_id(value: object) -> CleanId:
    """Repair an ID number cell: spaces, dots, apostrophes, ``.0``, lost leading zeros.

    A number of 11 digits is a personal ID whose leading zero Excel dropped
    (province codes 001-096 start with 0); 8 digits likewise a CMND number.
    Scientific notation (``1.23457E+11``) has lost digits and is ``invalid``.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_cell(value)
    if not text:
        return CleanId("empty", "")
    if re.search(r"[eE][+]\d", text):
        return CleanId("invalid", text)
    text = re.sub(r"\.0+$", "", text)
    digits = re.sub(r"[\s.\-_/]", "", text)
    if not (digits.isascii() and digits.isdigit()):
        return CleanId("invalid", text)
    if len(digits) == 12:
        return CleanId("personal_id", digits)
    if len(digits) == 11:
        return CleanId("personal_id", "0" + digits, repaired=True)
    if len(digits) == 9:
        return CleanId("old_id", digits)
    if len(digits) == 8:
        return CleanId("old_id", "0" + digits, repaired=True)
    return CleanId("invalid", digits)
