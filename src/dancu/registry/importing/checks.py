"""Checking every row of an import at once, and turning the cells into register values.

The checks run column by column over the whole table (polars), so two million rows take seconds;
the few values that fail are then explained one by one with the same functions the rest of the
platform uses (``parse_personal_id``, ``check_consistency``), so the report's reasons are the
platform's reasons. Values with many repeats (names, dates, units, words) are normalised once per
distinct value with :mod:`~dancu.registry.importing.cells`.

The result is a frame of the rows that passed, in register form (see :data:`OUTPUT_COLUMNS`),
and the list of errors. A row that refers to a refused row (its father, mother or spouse) is
refused too, with its own reason, so that ``--skip-invalid`` never writes a dangling reference.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

import polars as pl

from dancu.core.personal_id import PROVINCE_CODES, InvalidPersonalId, check_consistency, parse_personal_id
from dancu.core.text import nfc
from dancu.registry.importing.cells import NameValue, Problem, UnitValue, check_date, check_name, check_text, check_unit
from dancu.registry.importing.columns import CANONICAL_HEADER, OPTIONAL_HEADER
from dancu.registry.importing.reading import ROW, Table
from dancu.registry.importing.report import RowError
from dancu.registry.vocabulary import (
    HEAD_OF_HOUSEHOLD,
    canonical_ethnicity,
    canonical_nationality,
    canonical_relation,
    canonical_sex,
    canonical_status,
)

__all__ = ["OUTPUT_COLUMNS", "Checked", "check_table", "personal_id_ok"]

#: The columns of :attr:`Checked.frame`, in register form.
OUTPUT_COLUMNS: Final[tuple[str, ...]] = (
    ROW,
    "personal_id",
    "full_name",
    "surname",
    "middle_name",
    "given_name",
    "name_key",
    "birth_date",
    "birth_precision",
    "birth_year",
    "sex",
    "ethnicity",
    "nationality",
    "religion",
    "birthplace",
    "hometown",
    "other_names",
    "old_id_number",
    "household_code",
    "relation_to_head",
    "father_pid",
    "mother_pid",
    "spouse_pid",
    "commune_code",
    "province_code",
    "recorded_unit_code",
    "recorded_unit_era",
    "recorded_unit_name",
    "unit_mapped",
    "address_line",
    "phone",
    "email",
    "status",
    "deceased_on",
    "digest",
)

# Which register values each file column decides. A column the file does not have leaves those
# values alone on existing persons (and gives new persons the model's default).
COVERS: Final[dict[str, tuple[str, ...]]] = {
    "personal_id": ("personal_id",),
    "full_name": ("full_name", "surname", "middle_name", "given_name", "name_key"),
    "birth_date": ("birth_date", "birth_precision", "birth_year"),
    "sex": ("sex",),
    "ethnicity": ("ethnicity",),
    "nationality": ("nationality",),
    "religion": ("religion",),
    "birthplace": ("birthplace",),
    "hometown": ("hometown",),
    "other_names": ("other_names",),
    "old_id_number": ("old_id_number",),
    "household_id": ("household_code",),
    "relation_to_head": ("relation_to_head",),
    "father_id": ("father_pid",),
    "mother_id": ("mother_pid",),
    "spouse_id": ("spouse_pid",),
    "commune_code": ("commune_code", "province_code"),
    "address_line": ("address_line",),
    "phone": ("phone",),
    "email": ("email",),
    "status": ("status",),
    "deceased_date": ("deceased_on",),
}

_TEXT_LIMITS: Final[dict[str, int]] = {
    "religion": 60,
    "birthplace": 300,
    "hometown": 300,
    "address_line": 300,
}

_CENTURY_START: Final[dict[int, int]] = {
    0: 1900,
    1: 1900,
    2: 2000,
    3: 2000,
    4: 2100,
    5: 2100,
    6: 2200,
    7: 2200,
    8: 1800,
    9: 1800,
}
_PROVINCES: Final[list[str]] = sorted(PROVINCE_CODES)
_HOUSEHOLD_CODE: Final = r"^[A-Za-z0-9][A-Za-z0-9._/\-]{0,31}$"
_EMAIL: Final = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_PHONE: Final = r"^0[0-9]{9,10}$"
_DIGEST_SEED: Final = 2025


@dataclass(slots=True)
class Checked:
    """The rows that passed, in register form, and why the others did not."""

    frame: pl.DataFrame
    columns: frozenset[str]
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def covered(self) -> frozenset[str]:
        """The register values this file decides (see :data:`COVERS`)."""
        return frozenset(value for column in self.columns for value in COVERS.get(column, ()))


def personal_id_ok(expr: pl.Expr, *, today: dt.date) -> pl.Expr:
    """True where EXPR (whitespace already removed) parses with ``parse_personal_id``.

    Column-wise twin of the scalar parser; a property test holds the two together.
    """
    century = expr.str.slice(3, 1).cast(pl.Int32, strict=False)
    year = century.replace_strict(_CENTURY_START, default=None, return_dtype=pl.Int32) + expr.str.slice(4, 2).cast(
        pl.Int32, strict=False
    )
    return (
        expr.str.contains(r"^[0-9]{12}$")
        & expr.str.slice(0, 3).is_in(_PROVINCES)
        & (year <= today.year).fill_null(False)
    )


def _pid_sex(expr: pl.Expr) -> pl.Expr:
    parity = expr.str.slice(3, 1).cast(pl.Int32, strict=False) % 2
    return pl.when(parity == 1).then(pl.lit("female")).otherwise(pl.lit("male"))


def _pid_year(expr: pl.Expr) -> pl.Expr:
    century = expr.str.slice(3, 1).cast(pl.Int32, strict=False)
    return century.replace_strict(_CENTURY_START, default=None, return_dtype=pl.Int32) + expr.str.slice(4, 2).cast(
        pl.Int32, strict=False
    )


def _phone(expr: pl.Expr) -> pl.Expr:
    """+84 / 84 international forms written as the national 0... form."""
    return (
        pl.when(expr.str.starts_with("+84"))
        .then(pl.lit("0") + expr.str.slice(3))
        .when(expr.str.starts_with("84") & (expr.str.len_chars() == 11))
        .then(pl.lit("0") + expr.str.slice(2))
        .otherwise(expr)
    )


def _strip_spaces(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all(r"\s", "")


class _Rows:
    """The table being checked, with the errors found so far."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []

    def flag(
        self,
        mask: pl.Expr,
        column: str,
        code: str,
        message: str | Callable[[str, str], str],
        *,
        value: pl.Expr | None = None,
        extra: pl.Expr | None = None,
    ) -> None:
        """Record an error for every row where MASK holds. A callable MESSAGE gets the shown
        value and the row's EXTRA value (another cell the message names)."""
        shown = (value if value is not None else pl.col(column)).cast(pl.Utf8).fill_null("").alias("_value")
        other = (extra if extra is not None else pl.lit("")).cast(pl.Utf8).fill_null("").alias("_extra")
        bad = self.frame.filter(mask.fill_null(False)).select(ROW, shown, other)
        for row, cell, more in bad.iter_rows():
            text = message(cell, more) if callable(message) else message
            self.errors.append(RowError(row, column, cell, code, text))

    def flag_problems(self, column: str, problems: dict[str, Problem], *, warning: bool = False) -> None:
        """Record the problem of each row whose COLUMN value is a key of PROBLEMS."""
        if not problems:
            return
        bad = self.frame.filter(pl.col(column).is_in(list(problems))).select(ROW, column)
        target = self.warnings if warning else self.errors
        for row, cell in bad.iter_rows():
            problem = problems[cell]
            target.append(RowError(row, column, cell, problem.code, problem.message))


def _unique(frame: pl.DataFrame, column: str) -> list[str]:
    return frame.get_column(column).unique().to_list()


def _replace(column: str, changes: dict[str, str]) -> pl.Expr:
    """COLUMN with some values replaced (most values are already in stored form)."""
    if not changes:
        return pl.col(column)
    return pl.col(column).replace(list(changes), list(changes.values()))


def _words(rows: _Rows, column: str, canonical: Callable[[str], str | None], code: str, message: str) -> pl.Expr:
    """A column of vocabulary words: map each spelling to its stored form, flag the unknown."""
    changes: dict[str, str] = {}
    problems: dict[str, Problem] = {}
    for value in _unique(rows.frame, column):
        if not value.strip():
            continue
        word = canonical(value)
        if word is None:
            problems[value] = Problem(code, message.format(value=value))
        elif word != value:
            changes[value] = word
    rows.flag_problems(column, problems)
    return _replace(column, changes)


def _texts(rows: _Rows, column: str, limit: int) -> pl.Expr:
    changes: dict[str, str] = {}
    problems: dict[str, Problem] = {}
    for value in _unique(rows.frame, column):
        checked = check_text(value, limit=limit)
        if isinstance(checked, Problem):
            problems[value] = checked
        elif checked != value:
            changes[value] = checked
    rows.flag_problems(column, problems)
    return _replace(column, changes)


def _names(rows: _Rows) -> pl.DataFrame:
    """One row per distinct full name: the raw name and its register parts."""
    raws: list[str] = []
    parts: list[NameValue] = []
    problems: dict[str, Problem] = {}
    for value in _unique(rows.frame, "full_name"):
        if not value.strip():
            continue  # reported as a required cell
        checked = check_name(value)
        if isinstance(checked, Problem):
            problems[value] = checked
            continue
        raws.append(value)
        parts.append(checked)
    rows.flag_problems("full_name", problems)
    return pl.DataFrame(
        {
            "full_name": pl.Series(raws, dtype=pl.Utf8),
            "_full_name": pl.Series([p.full_name for p in parts], dtype=pl.Utf8),
            "surname": pl.Series([p.surname for p in parts], dtype=pl.Utf8),
            "middle_name": pl.Series([p.middle_name for p in parts], dtype=pl.Utf8),
            "given_name": pl.Series([p.given_name for p in parts], dtype=pl.Utf8),
            "name_key": pl.Series([p.name_key for p in parts], dtype=pl.Utf8),
        }
    )


def _dates(rows: _Rows, column: str, *, today: dt.date) -> pl.DataFrame:
    raws: list[str] = []
    dates: list[dt.date] = []
    precisions: list[str] = []
    problems: dict[str, Problem] = {}
    for value in _unique(rows.frame, column):
        if not value.strip():
            continue  # a required cell is reported as such; an optional one may be blank
        checked = check_date(value, today=today)
        if isinstance(checked, Problem):
            problems[value] = checked
            continue
        raws.append(value)
        dates.append(checked[0])
        precisions.append(checked[1])
    rows.flag_problems(column, problems)
    return pl.DataFrame(
        {
            column: pl.Series(raws, dtype=pl.Utf8),
            f"_{column}": pl.Series(dates, dtype=pl.Date),
            f"_{column}_precision": pl.Series(precisions, dtype=pl.Utf8),
        }
    )


_UNIT_KEYS: Final = ("province_code", "commune_code", "commune_name")


def _units(rows: _Rows, *, home_province: str) -> pl.DataFrame:
    combos = rows.frame.select(*_UNIT_KEYS).unique()
    good: list[tuple[str, str, str, UnitValue]] = []
    bad: list[tuple[str, str, str, Problem]] = []
    for province, commune, name in combos.iter_rows():
        if not commune.strip():
            continue  # reported as a required cell
        checked = check_unit(province, commune, name, home_province=home_province)
        if isinstance(checked, Problem):
            bad.append((province, commune, name, checked))
        else:
            good.append((province, commune, name, checked))
    if bad:
        bad_frame = pl.DataFrame(
            {
                **{key: pl.Series([b[i] for b in bad], dtype=pl.Utf8) for i, key in enumerate(_UNIT_KEYS)},
                "_problem": pl.Series(list(range(len(bad))), dtype=pl.Int64),
            }
        )
        for row, commune, problem_index in (
            rows.frame.join(bad_frame, on=list(_UNIT_KEYS), how="inner")
            .select(ROW, "commune_code", "_problem")
            .iter_rows()
        ):
            problem = bad[problem_index][3]
            rows.errors.append(RowError(row, "commune_code", commune, problem.code, problem.message))
    warned = [(g[0], g[1], g[2], g[3].warning) for g in good if g[3].warning is not None]
    for province, commune, name, warning in warned:
        assert warning is not None
        matches = rows.frame.filter(
            (pl.col("province_code") == province)
            & (pl.col("commune_code") == commune)
            & (pl.col("commune_name") == name)
        ).get_column(ROW)
        rows.warnings.extend(RowError(row, "commune_code", commune, warning.code, warning.message) for row in matches)
    values = [g[3] for g in good]
    return pl.DataFrame(
        {
            **{key: pl.Series([g[i] for g in good], dtype=pl.Utf8) for i, key in enumerate(_UNIT_KEYS)},
            "_commune_code": pl.Series([v.commune_code for v in values], dtype=pl.Utf8),
            "_province_code": pl.Series([v.province_code for v in values], dtype=pl.Utf8),
            "recorded_unit_code": pl.Series([v.recorded_code for v in values], dtype=pl.Utf8),
            "recorded_unit_era": pl.Series([v.recorded_era for v in values], dtype=pl.Utf8),
            "recorded_unit_name": pl.Series([v.recorded_name for v in values], dtype=pl.Utf8),
            "unit_mapped": pl.Series([v.mapped for v in values], dtype=pl.Boolean),
        }
    )


def _explain_personal_id(value: str, today: dt.date) -> str:
    try:
        parse_personal_id(value, today=today)
    except InvalidPersonalId as exc:
        return str(exc)
    return "Số định danh không hợp lệ / Invalid personal ID"  # pragma: no cover - the twins agree


def _explain_mismatch(value: str, today: dt.date, *, birth_year: int | None = None, sex: str | None = None) -> str:
    try:
        check_consistency(parse_personal_id(value, today=today), birth_year=birth_year, sex=sex)
    except InvalidPersonalId as exc:
        return str(exc)
    return "Số định danh không khớp / personal ID does not match"  # pragma: no cover - the twins agree


def _ensure_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Give absent columns an empty value, so every check can read every column."""
    missing = [c for c in (*CANONICAL_HEADER, *OPTIONAL_HEADER) if c not in frame.columns]
    return frame.with_columns(pl.lit("").alias(c) for c in missing) if missing else frame


def check_table(
    table: Table,
    *,
    home_province: str,
    today: dt.date,
    known_personal_ids: Callable[[Iterable[str]], set[str]],
) -> Checked:
    """Check and normalise every row of TABLE.

    ``known_personal_ids`` answers which of the given personal IDs the register already holds
    (for references to people not in the file); HOME_PROVINCE is the current code of the
    province this register serves.
    """
    present = frozenset(table.columns)
    rows = _Rows(_ensure_columns(table.frame))
    rows.errors.extend(table.row_errors)

    # Required cells.
    for column in ("personal_id", "full_name", "birth_date", "sex", "commune_code"):
        rows.flag(
            pl.col(column).str.strip_chars() == "", column, "required", "Ô bắt buộc đang trống / this cell is required"
        )
    if "status" in present:
        rows.flag(
            pl.col("status").str.strip_chars() == "",
            "status",
            "required",
            "Ô bắt buộc đang trống / this cell is required",
        )

    frame = rows.frame.with_columns(
        _strip_spaces("personal_id").alias("personal_id"),
        _strip_spaces("father_id").alias("father_pid"),
        _strip_spaces("mother_id").alias("mother_pid"),
        _strip_spaces("spouse_id").alias("spouse_pid"),
        _strip_spaces("old_id_number").alias("old_id_number"),
        pl.col("household_id").str.strip_chars().alias("household_code"),
        _phone(pl.col("phone").str.replace_all(r"[\s.\-()]", "")).alias("_phone"),
        pl.col("email").str.strip_chars().alias("_email"),
    )
    rows.frame = frame

    # Personal IDs: structure, then uniqueness within the file.
    pid_ok = personal_id_ok(pl.col("personal_id"), today=today)
    rows.flag(
        (pl.col("personal_id") != "") & ~pid_ok,
        "personal_id",
        "personal_id.invalid",
        lambda value, _: _explain_personal_id(value, today),
    )
    # The first row of each personal ID, computed before any filtering.
    rows.frame = rows.frame.with_columns(pl.col(ROW).first().over("personal_id").alias("_first_row"))
    rows.flag(
        (pl.col("personal_id") != "") & (pl.col(ROW) != pl.col("_first_row")),
        "personal_id",
        "personal_id.duplicate",
        lambda _, first: f"Số định danh trùng với dòng {first} / personal ID repeats row {first}",
        extra=pl.col("_first_row"),
    )

    # Values normalised once per distinct value.
    names = _names(rows)
    births = _dates(rows, "birth_date", today=today)
    deaths = _dates(rows, "deceased_date", today=today)
    units = _units(rows, home_province=home_province)
    sex = _words(
        rows,
        "sex",
        canonical_sex,
        "sex.unknown",
        "Giới tính {value!r} không rõ; ghi Nam hoặc Nữ / sex {value!r} is not Nam or Nữ",
    )
    ethnicity = _words(
        rows,
        "ethnicity",
        canonical_ethnicity,
        "ethnicity.unknown",
        "{value!r} không thuộc 54 dân tộc / {value!r} is not one of the 54 ethnic groups",
    )
    status = _words(
        rows,
        "status",
        canonical_status,
        "status.unknown",
        "Tình trạng {value!r} không rõ; ghi alive hoặc deceased / status {value!r} is not alive or deceased",
    )
    nationality = _words(
        rows,
        "nationality",
        lambda v: canonical_nationality(v) if len(v) <= 60 else None,
        "text.too_long",
        "Quốc tịch quá dài / nationality is too long",
    )
    relation = _words(
        rows,
        "relation_to_head",
        lambda v: r if len(r := canonical_relation(v)) <= 40 else None,
        "text.too_long",
        "Quan hệ với chủ hộ quá dài / relation is too long",
    )
    texts = {column: _texts(rows, column, limit) for column, limit in _TEXT_LIMITS.items()}
    other_names = _texts(rows, "other_names", 500)

    frame = (
        rows.frame.join(names, on="full_name", how="left")
        .join(births, on="birth_date", how="left")
        .join(deaths, on="deceased_date", how="left")
        .join(units, on=list(_UNIT_KEYS), how="left")
        .with_columns(
            sex.alias("_sex"),
            ethnicity.alias("_ethnicity"),
            status.alias("_status"),
            nationality.alias("_nationality"),
            relation.alias("_relation"),
            other_names.alias("_other_names"),
            *(expr.alias(f"_{column}") for column, expr in texts.items()),
        )
    )
    rows.frame = frame

    # Cells checked with a pattern.
    rows.flag(
        (pl.col("old_id_number") != "") & ~pl.col("old_id_number").str.contains(r"^[0-9]{9}$"),
        "old_id_number",
        "old_id_number.invalid",
        "Số CMND cũ phải có 9 chữ số / a former ID-card number has 9 digits",
    )
    rows.flag(
        (pl.col("household_code") != "") & ~pl.col("household_code").str.contains(_HOUSEHOLD_CODE),
        "household_id",
        "household_id.invalid",
        "Số hộ chỉ gồm chữ, số và . _ / -, tối đa 32 ký tự / a household number has letters, digits and . _ / -, at most 32",
    )
    rows.flag(
        (pl.col("_relation") != "") & (pl.col("household_code") == ""),
        "relation_to_head",
        "relation_to_head.no_household",
        "Có quan hệ với chủ hộ nhưng không có số hộ / a relation to the head needs a household number",
    )
    rows.flag(
        (pl.col("_phone") != "") & ~pl.col("_phone").str.contains(_PHONE),
        "phone",
        "phone.invalid",
        "Số điện thoại phải có 10 hoặc 11 chữ số, bắt đầu bằng 0 / a phone number has 10 or 11 digits and starts with 0",
    )
    rows.flag(
        (pl.col("_email") != "") & (~pl.col("_email").str.contains(_EMAIL) | (pl.col("_email").str.len_chars() > 254)),
        "email",
        "email.invalid",
        "Địa chỉ thư điện tử không hợp lệ / not an email address",
    )
    rows.flag(
        (pl.col("deceased_date") != "") & (pl.col("_status") == "alive"),
        "deceased_date",
        "deceased_date.alive",
        "Có ngày mất nhưng tình trạng là còn sống / a date of death for a person marked alive",
    )
    rows.flag(
        pl.col("_deceased_date").is_not_null()
        & pl.col("_birth_date").is_not_null()
        & (pl.col("_deceased_date") < pl.col("_birth_date")),
        "deceased_date",
        "deceased_date.before_birth",
        "Ngày mất trước ngày sinh / the date of death is before the birth date",
    )

    # The ID agrees with the birth year and the sex.
    consistent = pid_ok & pl.col("_birth_date").is_not_null()
    rows.flag(
        consistent & (_pid_year(pl.col("personal_id")) != pl.col("_birth_date").dt.year()),
        "personal_id",
        "personal_id.birth_year_mismatch",
        lambda pid, year: _explain_mismatch(pid, today, birth_year=int(year)),
        extra=pl.col("_birth_date").dt.year(),
    )
    rows.flag(
        pid_ok & pl.col("_sex").is_in(["male", "female"]) & (_pid_sex(pl.col("personal_id")) != pl.col("_sex")),
        "personal_id",
        "personal_id.sex_mismatch",
        lambda pid, sex: _explain_mismatch(pid, today, sex=sex),
        extra=pl.col("sex"),
    )

    # References to parents and spouse: well formed, not oneself, the right sex.
    for column, pid_column, parity, role in (
        ("father_id", "father_pid", 0, ("cha", "father", "nam", "male")),
        ("mother_id", "mother_pid", 1, ("mẹ", "mother", "nữ", "female")),
        ("spouse_id", "spouse_pid", None, ("vợ/chồng", "spouse", "", "")),
    ):
        reference = pl.col(pid_column)
        given = reference != ""
        well_formed = personal_id_ok(reference, today=today)
        rows.flag(
            given & ~well_formed,
            column,
            "reference.invalid",
            lambda value, _: _explain_personal_id(value, today),
            value=reference,
        )
        rows.flag(
            given & (reference == pl.col("personal_id")),
            column,
            "reference.self",
            f"Số định danh của {role[0]} trùng với chính người này / the {role[1]}'s ID is the person's own",
            value=reference,
        )
        if parity is not None:
            rows.flag(
                given & well_formed & (reference.str.slice(3, 1).cast(pl.Int32, strict=False) % 2 != parity),
                column,
                "reference.sex",
                f"Số định danh của {role[0]} phải là của người {role[2]} / the {role[1]}'s ID must be a {role[3]}'s",
                value=reference,
            )

    # Households: one head, one commune. Judged on the rows that passed so far.
    passed = rows.frame.filter(~pl.col(ROW).is_in([e.row for e in rows.errors]))
    in_household = passed.filter(pl.col("household_code") != "")
    heads = in_household.filter(pl.col("_relation") == HEAD_OF_HOUSEHOLD)
    extra_heads = heads.with_columns(pl.col(ROW).min().over("household_code").alias("_first")).filter(
        pl.col(ROW) != pl.col("_first")
    )
    for row, code, first in extra_heads.select(ROW, "household_code", "_first").iter_rows():
        rows.errors.append(
            RowError(
                row,
                "relation_to_head",
                HEAD_OF_HOUSEHOLD,
                "household.two_heads",
                f"Hộ {code} đã có chủ hộ ở dòng {first} / household {code} already has its head at row {first}",
            )
        )
    # The household's commune is its head's (or, without a head, its first row's).
    # Only households whose rows disagree need a closer look; most agree.
    split = (
        in_household.group_by("household_code")
        .agg(pl.col("_commune_code").min().alias("_low"), pl.col("_commune_code").max().alias("_high"))
        .filter(pl.col("_low") != pl.col("_high"))
        .select("household_code")
    )
    mixed = in_household.join(split, on="household_code", how="semi")
    anchor = (
        mixed.sort(pl.col("_relation") != HEAD_OF_HOUSEHOLD, ROW)
        .group_by("household_code", maintain_order=True)
        .agg(pl.col("_commune_code").first().alias("_household_commune"), pl.col(ROW).first().alias("_anchor_row"))
    )
    elsewhere = mixed.join(anchor, on="household_code").filter(pl.col("_commune_code") != pl.col("_household_commune"))
    for row, commune, code, anchor_row in elsewhere.select(
        ROW, "commune_code", "household_code", "_anchor_row"
    ).iter_rows():
        rows.errors.append(
            RowError(
                row,
                "commune_code",
                commune,
                "household.communes",
                f"Hộ {code} ở xã khác (xem dòng {anchor_row}) / household {code} is in another commune (see row {anchor_row})",
            )
        )

    _check_references(rows, known_personal_ids)
    _check_spouses(rows)

    bad_rows = {e.row for e in rows.errors}
    frame = rows.frame.filter(~pl.col(ROW).is_in(list(bad_rows)))
    frame = frame.select(
        ROW,
        "personal_id",
        pl.col("_full_name").alias("full_name"),
        "surname",
        "middle_name",
        "given_name",
        "name_key",
        pl.col("_birth_date").alias("birth_date"),
        pl.col("_birth_date_precision").alias("birth_precision"),
        pl.col("_birth_date").dt.year().cast(pl.Int32).alias("birth_year"),
        pl.col("_sex").alias("sex"),
        pl.col("_ethnicity").alias("ethnicity"),
        pl.col("_nationality").alias("nationality"),
        pl.col("_religion").alias("religion"),
        pl.col("_birthplace").alias("birthplace"),
        pl.col("_hometown").alias("hometown"),
        pl.col("_other_names").map_elements(_other_names_json, return_dtype=pl.Utf8).alias("other_names")
        if "other_names" in present
        else pl.lit("[]").alias("other_names"),
        "old_id_number",
        "household_code",
        pl.col("_relation").alias("relation_to_head"),
        "father_pid",
        "mother_pid",
        "spouse_pid",
        pl.col("_commune_code").alias("commune_code"),
        pl.col("_province_code").alias("province_code"),
        "recorded_unit_code",
        "recorded_unit_era",
        "recorded_unit_name",
        "unit_mapped",
        pl.col("_address_line").alias("address_line"),
        pl.col("_phone").alias("phone"),
        pl.col("_email").alias("email"),
        pl.col("_status").alias("status") if "status" in present else pl.lit("alive").alias("status"),
        pl.col("_deceased_date").alias("deceased_on"),
    )
    checked = Checked(frame=frame, columns=present, errors=sorted(rows.errors), warnings=sorted(rows.warnings))
    checked.frame = frame.with_columns(digest_expr(checked.covered).alias("digest"))
    return checked


def _other_names(value: str) -> list[str]:
    return [name for name in (nfc(part) for part in value.split(";")) if name]


def _other_names_json(value: str) -> str:
    return json.dumps(_other_names(value), ensure_ascii=False)


#: The register values a fingerprint covers, in a fixed order.
DIGEST_VALUES: Final[tuple[str, ...]] = tuple(v for values in COVERS.values() for v in values)


def digest_expr(covered: frozenset[str]) -> pl.Expr:
    """The fingerprint of a row's covered values (Int64).

    It only decides "certainly unchanged"; a differing or missing fingerprint leads to a full
    comparison, so a change of hash function (polars upgrades may change it) costs time once and
    never correctness. The covered set is part of the hash: a file with fewer columns never
    matches the fingerprint of a fuller one.
    """
    parts: list[pl.Expr] = [pl.lit(",".join(sorted(covered)))]
    for value in DIGEST_VALUES:
        if value in covered:
            parts.append(pl.col(value).cast(pl.Utf8).fill_null(""))
    return pl.concat_str(parts, separator="\x1f").hash(seed=_DIGEST_SEED).reinterpret(signed=True)


def _check_references(rows: _Rows, known_personal_ids: Callable[[Iterable[str]], set[str]]) -> None:
    """Father, mother and spouse must be in the file (on a row that passed) or in the register.

    Repeated until nothing changes: refusing a row can orphan the rows that point at it.
    """
    frame = rows.frame
    pids = frame.select("personal_id")
    references = pl.concat(
        [frame.select(pl.col(c).alias("personal_id")) for c in ("father_pid", "mother_pid", "spouse_pid")]
    )
    outside = references.unique().filter(pl.col("personal_id") != "").join(pids, on="personal_id", how="anti")
    in_register = pl.DataFrame(
        {
            "personal_id": pl.Series(
                sorted(known_personal_ids(outside.get_column("personal_id").to_list())), dtype=pl.Utf8
            )
        }
        if outside.height
        else {"personal_id": pl.Series([], dtype=pl.Utf8)}
    )
    reported: set[tuple[int, str]] = {(e.row, e.column) for e in rows.errors}
    while True:
        bad_rows = sorted({e.row for e in rows.errors})
        passing = frame.filter(~pl.col(ROW).is_in(bad_rows))
        available = pl.concat([passing.select("personal_id"), in_register])
        found = 0
        for column, pid_column in (
            ("father_id", "father_pid"),
            ("mother_id", "mother_pid"),
            ("spouse_id", "spouse_pid"),
        ):
            missing = (
                passing.filter(pl.col(pid_column) != "")
                .join(available, left_on=pid_column, right_on="personal_id", how="anti")
                .join(
                    frame.select(pl.col("personal_id").alias(pid_column), pl.col(ROW).alias("_their_row")),
                    on=pid_column,
                    how="left",
                )
                .select(ROW, pid_column, "_their_row")
            )
            for row, pid, their_row in missing.iter_rows():
                if (row, column) in reported:
                    continue
                reported.add((row, column))
                found += 1
                if their_row is not None:
                    message = f"Người này (dòng {their_row}) bị từ chối / refers to row {their_row}, which is refused"
                    code = "reference.refused"
                else:
                    message = f"Không có người mang số {pid} trong tệp hoặc trong sổ / nobody with ID {pid} in the file or the register"
                    code = "reference.unknown"
                rows.errors.append(RowError(row, column, pid, code, message))
        if not found:
            return


def _check_spouses(rows: _Rows) -> None:
    """Two rows that name each other's spouse must agree."""
    bad_rows = [e.row for e in rows.errors]
    frame = rows.frame.filter(~pl.col(ROW).is_in(bad_rows)).select(ROW, "personal_id", "spouse_pid")
    their = frame.select(
        pl.col("personal_id").alias("spouse_pid"),
        pl.col("spouse_pid").alias("_their_spouse"),
        pl.col(ROW).alias("_their_row"),
    )
    disagree = (
        frame.filter(pl.col("spouse_pid") != "")
        .join(their, on="spouse_pid")
        .filter((pl.col("_their_spouse") != "") & (pl.col("_their_spouse") != pl.col("personal_id")))
    )
    for row, spouse, their_row in disagree.select(ROW, "spouse_pid", "_their_row").iter_rows():
        rows.errors.append(
            RowError(
                row,
                "spouse_id",
                spouse,
                "reference.spouse_mismatch",
                f"Dòng {their_row} ghi vợ/chồng khác / row {their_row} names another spouse",
            )
        )
