"""Clean one value of a sectoral extract: dates, sex codes, ID numbers, Excel damage.

Every function takes what a spreadsheet may hold (text, a number, a date) and
returns a plain typed value or ``None``; none of them raises on bad input, since a
bad cell is information for the correction list, not an error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type stubs
import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow ships no type stubs

__all__ = [
    "DATE_COLUMNS",
    "ID_COLUMNS",
    "CleanId",
    "ParsedDate",
    "clean_cell",
    "clean_id",
    "clean_ids",
    "normalise_sex",
    "parse_date",
    "parse_dates",
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


# --- Whole columns at once -------------------------------------------------------------
#
# An extract of a million rows holds some 200k distinct birth dates and 600k distinct
# IDs. Nearly all of them are written in a handful of plain shapes, which Arrow reads
# for the whole column at once; the rest (words, month names, stray characters, odd
# lengths) goes through the functions above, once per distinct value. Both paths give
# the same answer for every value (tests/test_normalise.py compares them).

#: ``parse_dates``' result: the date as ISO (NULL when only the year is known), the
#: day/month-swapped reading (NULL unless ``swappable``) and the year.
DATE_COLUMNS: Final = pa.struct([("dob", pa.string()), ("alt", pa.string()), ("year", pa.int32())])
#: ``clean_ids``' result: ``CleanId.kind`` and ``CleanId.value``.
ID_COLUMNS: Final = pa.struct([("kind", pa.string()), ("value", pa.string())])

# Shapes read in Arrow: clean_cell leaves them as they are, and parse_date reads them
# with ``_from_digits`` (digits only) or ``_SEPARATED`` (three parts, no spaces).
_PLAIN_DIGITS: Final = r"^[0-9]{1,8}$"
_PLAIN_SEPARATED: Final = r"^(?P<a>[0-9]{1,4})[/.\-](?P<b>[0-9]{1,2})[/.\-](?P<c>[0-9]{1,4})$"
# Digits only, an optional leading apostrophe (Excel's text marker), single spaces
# between groups: clean_id's shapes that need no other repair.
_PLAIN_ID: Final = r"^'?[0-9]+(?: [0-9]+)*$"
# Days since 1970-01-01 of Excel's day 0.
_EXCEL_EPOCH_DAYS: Final = (_EXCEL_EPOCH - date(1970, 1, 1)).days


def _map_rest(
    values: pa.ChunkedArray | pa.Array, fast: pa.Array, func: Callable[[object], object], value_type: pa.DataType
) -> pa.Array:
    """``func`` of each distinct value where ``fast`` is false, NULL where it is true."""
    rest = pc.unique(pc.filter(values, pc.invert(fast)))
    mapped = pa.array([func(v) for v in rest.to_pylist()], value_type)
    return pc.take(mapped, pc.index_in(values, value_set=rest))


def _int(text: pa.Array, start: int = 0, stop: int | None = None) -> pa.Array:
    part = text if start == 0 and stop is None else pc.utf8_slice_codeunits(text, start, stop)
    return pc.cast(pc.if_else(pc.equal(part, ""), None, part), pa.int32())


def _in_years(year: pa.Array) -> pa.Array:
    return pc.and_(pc.greater_equal(year, _MIN_YEAR), pc.less_equal(year, _MAX_YEAR))


def _valid_days(year: pa.Array, month: pa.Array, day: pa.Array) -> pa.Array:
    """``_valid`` for whole columns (NULL counts as invalid)."""
    leap = pc.or_(
        pc.and_(pc.equal(pc.bit_wise_and(year, 3), 0), pc.not_equal(pc.remainder(year, 100), 0)),
        pc.equal(pc.remainder(year, 400), 0),
    )
    month_ok = pc.and_(pc.greater_equal(month, 1), pc.less_equal(month, 12))
    lengths = pa.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], pa.int32())
    days_in = pc.take(lengths, pc.subtract(pc.if_else(month_ok, month, 1), 1))
    days_in = pc.add(days_in, pc.cast(pc.and_(pc.equal(month, 2), leap), pa.int32()))
    valid = pc.and_(pc.and_(_in_years(year), month_ok), pc.and_(pc.greater_equal(day, 1), pc.less_equal(day, days_in)))
    return pc.fill_null(valid, False)


@dataclass
class _Parts:
    """``_from_parts``' answer for whole columns; ``ok`` false where it returns None."""

    ok: pa.Array
    year: pa.Array
    month: pa.Array  # NULL for a placeholder
    day: pa.Array
    swappable: pa.Array


def _parts(year: pa.Array, month: pa.Array, day: pa.Array, *, ambiguous: pa.Array | bool) -> _Parts:
    """``_from_parts`` for whole columns (``ambiguous``: ``day_first_ambiguous``)."""
    zero_or_one = pa.array([0, 1], pa.int32())
    placeholder = pc.fill_null(
        pc.and_(pc.and_(pc.is_in(day, zero_or_one), pc.is_in(month, zero_or_one)), _in_years(year)), False
    )
    valid = pc.and_(pc.invert(placeholder), _valid_days(year, month, day))
    flipped = pc.and_(
        pc.and_(pc.invert(placeholder), pc.invert(valid)),
        pc.and_(pa.scalar(ambiguous) if isinstance(ambiguous, bool) else ambiguous, _valid_days(year, day, month)),
    )
    swappable = pc.fill_null(
        pc.and_(valid, pc.and_(pc.not_equal(day, month), pc.and_(pc.less_equal(day, 12), pc.less_equal(month, 12)))),
        False,
    )
    return _Parts(
        ok=pc.or_(pc.or_(placeholder, valid), flipped),
        year=year,
        month=pc.if_else(valid, month, pc.if_else(flipped, day, pa.scalar(None, pa.int32()))),
        day=pc.if_else(valid, day, pc.if_else(flipped, month, pa.scalar(None, pa.int32()))),
        swappable=swappable,
    )


def _choose(condition: pa.Array, first: _Parts, second: _Parts) -> _Parts:
    return _Parts(
        *(
            pc.if_else(condition, getattr(first, f), getattr(second, f))
            for f in ("ok", "year", "month", "day", "swappable")
        )
    )


def _iso(year: pa.Array, month: pa.Array, day: pa.Array) -> pa.Array:
    two = [pc.utf8_lpad(pc.cast(v, pa.string()), 2, "0") for v in (month, day)]
    return pc.binary_join_element_wise(pc.cast(year, pa.string()), *two, "-")


def _digit_dates(text: pa.Array, today: date) -> _Parts:
    """``_from_digits`` for whole columns of 1-8 ASCII digits."""
    length = pc.utf8_length(text)
    number = pc.cast(text, pa.int32())
    year_only = pc.and_(
        pc.equal(length, 4),
        pc.and_(pc.greater_equal(number, _MIN_YEAR), pc.less_equal(number, min(_MAX_YEAR, today.year))),
    )
    # Seven digits are eight that lost their leading zero.
    eight = pc.if_else(pc.equal(length, 7), pc.binary_join_element_wise("0", text, ""), text)
    ymd = (_int(eight, 0, 4), _int(eight, 4, 6), _int(eight, 6, 8))
    dmy = (_int(eight, 4, 8), _int(eight, 2, 4), _int(eight, 0, 2))
    compact = _choose(_valid_days(*ymd), _parts(*ymd, ambiguous=False), _parts(*dmy, ambiguous=False))
    # Excel serials 1..49,000 (1900-01-01..2034), up to today's year.
    serial_days = pc.cast(
        pc.add(
            pc.if_else(pc.and_(pc.greater_equal(number, 1), pc.less_equal(number, 49_000)), number, None),
            _EXCEL_EPOCH_DAYS,
        ),
        pa.int32(),
    )
    serial_date = pc.cast(serial_days, pa.date32())
    serial_year = pc.cast(pc.year(serial_date), pa.int32())
    serial = _parts(
        serial_year,
        pc.cast(pc.month(serial_date), pa.int32()),
        pc.cast(pc.day(serial_date), pa.int32()),
        ambiguous=False,
    )
    serial.ok = pc.fill_null(pc.and_(serial.ok, pc.less_equal(serial_year, today.year)), False)
    is_compact = pc.is_in(length, pa.array([7, 8], pa.int32()))
    is_serial = pc.and_(pc.invert(year_only), pc.and_(pc.greater_equal(length, 3), pc.less_equal(length, 5)))
    null_int = pa.nulls(len(text), pa.int32())
    nothing = _Parts(pa.array([False] * len(text)), null_int, null_int, null_int, pa.array([False] * len(text)))
    year = _Parts(pa.array([True] * len(text)), number, null_int, null_int, nothing.swappable)
    return _choose(year_only, year, _choose(is_compact, compact, _choose(is_serial, serial, nothing)))


def _separated_dates(parts: pa.StructArray, today: date) -> _Parts:
    """``parse_date``'s ``_SEPARATED`` branch for whole columns."""
    a, b, c = (pc.struct_field(parts, name) for name in ("a", "b", "c"))
    first, second, third = (pc.cast(v, pa.int32()) for v in (a, b, c))
    year_first = pc.equal(pc.utf8_length(a), 4)
    third_length = pc.utf8_length(c)
    pivoted = pc.cast(pc.add(third, 2000), pa.int32())
    pivoted = pc.if_else(pc.less_equal(pivoted, today.year), pivoted, pc.cast(pc.add(third, 1900), pa.int32()))
    year = pc.if_else(
        pc.equal(third_length, 4), third, pc.if_else(pc.equal(third_length, 2), pivoted, pa.scalar(None, pa.int32()))
    )
    return _choose(
        year_first,
        _parts(first, second, third, ambiguous=False),
        _parts(year, second, first, ambiguous=True),
    )


def _date_columns(parsed: ParsedDate | None) -> tuple[str | None, str | None, int | None]:
    if parsed is None:
        return None, None, None
    return (None if parsed.month is None else parsed.iso), parsed.swapped_iso, parsed.year


def parse_dates(values: pa.ChunkedArray | pa.Array, *, today: date | None = None) -> pa.StructArray:
    """``parse_date`` of each value of a text column, as ``DATE_COLUMNS``.

    The plain shapes (digits, three numbers with ``/``, ``-`` or ``.``) are read in
    Arrow for the whole column; the rest once per distinct value in Python.
    """
    today = today or datetime.now(tz=_VIETNAM).date()
    # Birth dates repeat (a million rows hold some 200k): read each distinct one once.
    text = pc.cast(values, pa.string())
    distinct = pc.unique(text)
    return pc.take(_parse_distinct_dates(distinct, today), pc.index_in(text, value_set=distinct))


def _parse_distinct_dates(text: pa.Array, today: date) -> pa.StructArray:
    digits = pc.fill_null(pc.match_substring_regex(text, _PLAIN_DIGITS), False)
    separated = pc.fill_null(pc.match_substring_regex(text, _PLAIN_SEPARATED), False)
    fast = _choose(
        digits,
        _digit_dates(pc.if_else(digits, text, "0"), today),
        _separated_dates(pc.extract_regex(pc.if_else(separated, text, "1/1/1"), _PLAIN_SEPARATED), today),
    )
    has_day = pc.and_(fast.ok, pc.is_valid(fast.month))
    dob = pc.if_else(has_day, _iso(fast.year, fast.month, fast.day), pa.scalar(None, pa.string()))
    alt = pc.if_else(
        pc.and_(fast.ok, fast.swappable), _iso(fast.year, fast.day, fast.month), pa.scalar(None, pa.string())
    )
    year = pc.if_else(fast.ok, fast.year, pa.scalar(None, pa.int32()))
    plain = pc.or_(digits, separated)
    if pc.all(plain).as_py():
        return pa.StructArray.from_arrays([dob, alt, year], fields=list(DATE_COLUMNS))
    rest = _map_rest(text, plain, lambda v: _date_columns(parse_date(v, today=today)), DATE_COLUMNS)
    return pa.StructArray.from_arrays(
        [pc.if_else(plain, column, pc.struct_field(rest, i)) for i, column in enumerate((dob, alt, year))],
        fields=list(DATE_COLUMNS),
    )


def clean_ids(values: pa.ChunkedArray | pa.Array) -> pa.StructArray:
    """``clean_id`` of each value of a text column, as ``ID_COLUMNS``.

    Digits (with a leading apostrophe or spaces between groups) are repaired in Arrow
    for the whole column; the rest once per distinct value in Python.
    """
    text = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    text = pc.cast(text, pa.string())
    plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN_ID), False)
    digits = pc.replace_substring(pc.replace_substring(text, "'", ""), " ", "")
    length = pc.utf8_length(digits)
    padded = pc.binary_join_element_wise("0", digits, "")
    kind = pc.case_when(
        pc.make_struct(
            pc.is_in(length, pa.array([11, 12], pa.int32())),
            pc.is_in(length, pa.array([8, 9], pa.int32())),
        ),
        "personal_id",
        "old_id",
        "invalid",
    )
    value = pc.if_else(pc.is_in(length, pa.array([8, 11], pa.int32())), padded, digits)
    empty = pc.fill_null(pc.equal(text, ""), False)
    kind = pc.if_else(empty, "empty", kind)
    plain = pc.or_(plain, empty)
    if pc.all(plain).as_py():
        return pa.StructArray.from_arrays([kind, value], fields=list(ID_COLUMNS))
    rest = _map_rest(text, plain, lambda v: (lambda c: (c.kind, c.value))(clean_id(v)), ID_COLUMNS)
    return pa.StructArray.from_arrays(
        [pc.if_else(plain, kind, pc.struct_field(rest, 0)), pc.if_else(plain, value, pc.struct_field(rest, 1))],
        fields=list(ID_COLUMNS),
    )
