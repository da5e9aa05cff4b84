"""Checking and normalising one cell value: names, dates, administrative units, short texts.

Each function takes the text of a cell and returns the stored value or a :class:`Problem`. The
import calls them once per *distinct* value (a province of two million people has a few hundred
thousand distinct names, some thirty thousand birth dates and a few hundred unit codes), so
they can stay plain, readable Python.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from dancu.core.text import fold, nfc, normalise_person_name, split_name
from dancu.core.units import Unit, UnknownUnitError, get_unit, successors

__all__ = [
    "NameValue",
    "Problem",
    "UnitValue",
    "check_date",
    "check_name",
    "check_text",
    "check_unit",
]

EARLIEST_BIRTH: Final = dt.date(1880, 1, 1)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a value is refused: a stable ``code`` and a Vietnamese / English ``message``."""

    code: str
    message: str


# --- names -------------------------------------------------------------------------------------

# Letters (any script's, with their marks), spaces, and the apostrophe, hyphen and dot of names
# such as "H'Hen Niê", "Ksor Y-Moan", "Nguyễn T. Lan".
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '’.\-][^\W\d_]*)*$")


@dataclass(frozen=True, slots=True)
class NameValue:
    full_name: str
    surname: str
    middle_name: str
    given_name: str
    name_key: str


def check_name(value: str) -> NameValue | Problem:
    """A personal name, normalised (NFC, each word capitalised) and cut into its parts."""
    name = normalise_person_name(value)
    if not name:
        return Problem("required", "Chưa có họ và tên / the full name is empty")
    if len(name) > 200:
        return Problem(
            "full_name.too_long",
            f"Họ tên dài {len(name)} ký tự, tối đa 200 / the name has {len(name)} characters, at most 200",
        )
    if not _NAME_OK.match(name):
        return Problem(
            "full_name.characters",
            "Họ tên chỉ gồm chữ cái, dấu cách, dấu nháy, gạch nối / a name has only letters, spaces, apostrophes and hyphens",
        )
    parts = split_name(name)
    if len(parts.surname) > 60 or len(parts.middle) > 100 or len(parts.given) > 60:
        return Problem("full_name.too_long", "Một phần của họ tên quá dài / a part of the name is too long")
    return NameValue(name, parts.surname, parts.middle, parts.given, fold(name))


# --- dates -------------------------------------------------------------------------------------

_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
# Day-first dates as Vietnamese papers write them: 05/04/1987, 5-4-1987, 05.04.1987; 04/1987.
_VN_DAY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_VN_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")


def check_date(value: str, *, today: dt.date, earliest: dt.date = EARLIEST_BIRTH) -> tuple[dt.date, str] | Problem:
    """A date with its precision: ``YYYY-MM-DD`` (day), ``YYYY-MM`` (month), ``YYYY`` (year),
    or day-first ``DD/MM/YYYY`` / ``MM/YYYY``. A partial date is stored as its first day."""
    text = value.strip()
    if not text:
        return Problem("required", "Chưa có ngày / the date is empty")
    year: int
    month = 1
    day = 1
    precision = "day"
    if m := _ISO_DAY.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _VN_DAY.match(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _ISO_MONTH.match(text):
        year, month, precision = int(m[1]), int(m[2]), "month"
    elif m := _VN_MONTH.match(text):
        month, year, precision = int(m[1]), int(m[2]), "month"
    elif m := _YEAR.match(text):
        year, precision = int(m[1]), "year"
    else:
        return Problem(
            "date.format",
            "Ngày phải viết YYYY-MM-DD, YYYY-MM hoặc YYYY / a date is written YYYY-MM-DD, YYYY-MM or YYYY",
        )
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return Problem("date.impossible", f"Không có ngày {text} / there is no such date as {text}")
    if date > today:
        return Problem("date.future", f"Ngày {text} chưa đến / {text} is in the future")
    if date < earliest:
        return Problem("date.too_early", f"Ngày {text} trước {earliest.year} / {text} is before {earliest.year}")
    return date, precision


# --- short texts -------------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x1f]")


def check_text(value: str, *, limit: int) -> str | Problem:
    """A free text (address, birthplace, religion…): NFC, spaces collapsed, at most LIMIT."""
    text = nfc(value)
    if len(text) > limit:
        return Problem(
            "text.too_long", f"Dài {len(text)} ký tự, tối đa {limit} / {len(text)} characters, at most {limit}"
        )
    if _CONTROL.search(text):
        return Problem("text.control", "Có ký tự điều khiển / contains control characters")
    return text


# --- administrative units ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitValue:
    """Where a row places the person: the current commune and province, and the unit exactly as
    the file gave it (code, era, name), which is kept and never rewritten."""

    commune_code: str
    province_code: str
    recorded_code: str
    recorded_era: str
    recorded_name: str
    mapped: bool
    warning: Problem | None = None


_TYPE_WORDS: Final = ("thi tran", "dac khu", "phuong", "xa")


def _name_key(name: str) -> str:
    key = fold(name)
    for word in _TYPE_WORDS:
        if key.startswith(word + " "):
            return key[len(word) + 1 :]
    return key


def _commune(code: str, era: str) -> Unit | None:
    try:
        unit = get_unit(code, era)  # type: ignore[arg-type]  # era is "current" or "former" here
    except UnknownUnitError:
        return None
    return unit if unit.level == "commune" else None


def check_unit(province_code: str, commune_code: str, commune_name: str, *, home_province: str) -> UnitValue | Problem:
    """Place a row: a current commune code, or a pre-2025 one mapped to its successor.

    A code that names a commune in both eras is read as current unless the file's commune name
    (or province code) says it is the former one. A former commune split among several new ones
    goes to the main successor with a warning. The commune must be in HOME_PROVINCE.
    """
    code = commune_code.strip()
    province = province_code.strip()
    name = nfc(commune_name)
    if not code:
        return Problem("required", "Chưa có mã xã / the commune code is empty")
    if code.isdigit() and len(code) < 5:
        code = code.zfill(5)
    if province.isdigit() and len(province) < 2:
        province = province.zfill(2)
    if not re.fullmatch(r"\d{5}", code):
        return Problem("unit.format", f"Mã xã {code!r} phải có 5 chữ số / a commune code has 5 digits")
    found = [u for u in (_commune(code, "current"), _commune(code, "former")) if u is not None]
    if not found:
        return Problem("unit.unknown", f"Không có xã, phường mã {code} / no commune has code {code}")
    if province:
        in_province = [u for u in found if u.province_code == province]
        if not in_province:
            return Problem(
                "unit.province_mismatch",
                f"Xã {code} không thuộc tỉnh mã {province} / commune {code} is not in province {province}",
            )
        found = in_province
    if name:
        key = _name_key(name)
        named = [u for u in found if key in (_name_key(u.name), fold(u.name))]
        if not named:
            shown = " / ".join(sorted({u.name for u in found}))
            return Problem(
                "unit.name_mismatch",
                f"Mã xã {code} là {shown}, không phải {name!r} / code {code} is {shown}, not {name!r}",
            )
        found = named
    unit = found[0]  # current before former: a current reading wins when both fit
    if unit.era == "current":
        current, mapped, warning = unit, False, None
    else:
        news = successors(unit.code)
        if not news:
            return Problem(
                "unit.no_successor",
                f"Xã cũ {code} ({unit.name}) không có xã mới tương ứng / former commune {code} has no successor",
            )
        current, mapped, warning = news[0], True, None
        if len(news) > 1:
            others = ", ".join(f"{u.code} {u.name}" for u in news[1:])
            warning = Problem(
                "unit.split",
                f"Xã cũ {code} ({unit.name}) đã chia; đã xếp vào {current.code} {current.name}, kiểm tra nếu thuộc {others} / "
                f"former commune {code} was split; placed in {current.code}, check whether it belongs to {others}",
            )
    if current.province_code != home_province:
        return Problem(
            "unit.outside_province",
            f"Xã {current.code} ({current.name}) ngoài tỉnh mã {home_province} / commune {current.code} is outside province {home_province}",
        )
    return UnitValue(current.code, current.province_code, code, unit.era, name or unit.name, mapped, warning)
