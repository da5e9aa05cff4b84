"""Checking every row of an import at once, and turning the cells into register values.

The checks run column by column over the whole table (polars), so two million rows take
seconds; the few values that fail are then explained one by one with the functions the rest of
the platform uses (``parse_personal_id``, ``check_consistency``), so the report's reasons are the
platform's reasons. Values with many repeats are normalised once per distinct value
(:mod:`.values`); checks between rows are in :mod:`.links`.

The result is a frame of the rows that passed, in register form (:data:`OUTPUT_COLUMNS`), the
errors, and each row's fingerprint (:func:`digest_expr`).
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

import polars as pl

from dancu.core.personal_id import InvalidPersonalId, check_consistency, parse_personal_id
from dancu.core.text import nfc
from dancu.registry.importing.columns import CANONICAL_HEADER, OPTIONAL_HEADER
from dancu.registry.importing.flags import Rows
from dancu.registry.importing.links import (
    check_households,
    check_link_cells,
    check_link_targets,
    explain_personal_id,
    personal_id_ok,
    pid_sex,
    pid_year,
)
from dancu.registry.importing.reading import ROW, Table
from dancu.registry.importing.report import RowError
from dancu.registry.importing.values import (
    UNIT_KEYS,
    date_columns,
    name_columns,
    text_column,
    unit_columns,
    word_column,
)
from dancu.registry.vocabulary import (
    canonical_ethnicity,
    canonical_nationality,
    canonical_relation,
    canonical_sex,
    canonical_status,
)

__all__ = ["COVERS", "DIGEST_VALUES", "OUTPUT_COLUMNS", "Checked", "check_table", "digest_expr", "personal_id_ok"]

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

#: Which register values each file column decides. A column the file does not have leaves those
#: values alone on existing persons (and gives new persons the model's default).
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

#: The register values a fingerprint covers, in a fixed order.
DIGEST_VALUES: Final[tuple[str, ...]] = tuple(v for values in COVERS.values() for v in values)

_TEXT_LIMITS: Final[dict[str, int]] = {"religion": 60, "birthplace": 300, "hometown": 300, "address_line": 300}
_REQUIRED_MESSAGE: Final = "Ô bắt buộc đang trống / this cell is required"
_HOUSEHOLD_CODE: Final = r"^[A-Za-z0-9][A-Za-z0-9._/\-]{0,31}$"
_EMAIL: Final = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_PHONE: Final = r"^0[0-9]{9,10}$"


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


def _blank(column: str) -> pl.Expr:
    # Faster than stripping every cell: a regex that stops at the first non-space character.
    return ~pl.col(column).str.contains(r"\S")


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


def _check_personal_ids(rows: Rows, *, today: dt.date) -> None:
    """Structure (as ``parse_personal_id``), then uniqueness within the file."""
    rows.flag(
        (pl.col("personal_id") != "") & ~personal_id_ok(pl.col("personal_id"), today=today),
        "personal_id",
        "personal_id.invalid",
        lambda value, _: explain_personal_id(value, today),
    )
    duplicated = rows.frame.lazy().filter(pl.col("personal_id").is_duplicated() & (pl.col("personal_id") != ""))
    repeats = (
        duplicated.select(ROW, "personal_id", pl.col(ROW).min().over("personal_id").alias("_first"))
        .filter(pl.col(ROW) != pl.col("_first"))
        .collect()
    )
    rows.add(
        RowError(
            row,
            "personal_id",
            pid,
            "personal_id.duplicate",
            f"Số định danh trùng với dòng {first} / personal ID repeats row {first}",
        )
        for row, pid, first in repeats.iter_rows()
    )


def _normalise(rows: Rows, *, home_province: str, today: dt.date) -> None:
    """Join the normalised values (``_<column>``) of every cell kept once per distinct value."""
    names = name_columns(rows)
    births = date_columns(rows, "birth_date", today=today)
    deaths = date_columns(rows, "deceased_date", today=today)
    units = unit_columns(rows, home_province=home_province)
    words = {
        "_sex": word_column(
            rows,
            "sex",
            canonical_sex,
            "sex.unknown",
            "Giới tính {value!r} không rõ; ghi Nam hoặc Nữ / sex {value!r} is not Nam or Nữ",
        ),
        "_ethnicity": word_column(
            rows,
            "ethnicity",
            canonical_ethnicity,
            "ethnicity.unknown",
            "{value!r} không thuộc 54 dân tộc / {value!r} is not one of the 54 ethnic groups",
        ),
        "_status": word_column(
            rows,
            "status",
            canonical_status,
            "status.unknown",
            "Tình trạng {value!r} không rõ; ghi alive hoặc deceased / status {value!r} is not alive or deceased",
        ),
        "_nationality": word_column(
            rows,
            "nationality",
            lambda v: canonical_nationality(v) if len(v) <= 60 else None,
            "text.too_long",
            "Quốc tịch quá dài / nationality is too long",
        ),
        "_relation": word_column(
            rows,
            "relation_to_head",
            lambda v: r if len(r := canonical_relation(v)) <= 40 else None,
            "text.too_long",
            "Quan hệ với chủ hộ quá dài / relation is too long",
        ),
        "_other_names": text_column(rows, "other_names", 500),
        **{f"_{column}": text_column(rows, column, limit) for column, limit in _TEXT_LIMITS.items()},
    }
    # Looked up on the key columns alone (a join gathers every column it carries), then set
    # beside the table's columns, whose order the joins keep.
    keys = ("full_name", "birth_date", "deceased_date", *UNIT_KEYS)
    looked_up = (
        rows.frame.lazy()
        .select(*keys)
        .join(births.lazy(), on="birth_date", how="left", maintain_order="left")
        .join(deaths.lazy(), on="deceased_date", how="left", maintain_order="left")
        .join(units.lazy(), on=list(UNIT_KEYS), how="left", maintain_order="left")
        .join(names.lazy(), on="full_name", how="left", maintain_order="left")
        .drop(*keys)
        .collect()
    )
    rows.frame = rows.frame.hstack(looked_up.get_columns()).with_columns(
        expr.alias(name) for name, expr in words.items()
    )


def _check_patterns(rows: Rows, *, today: dt.date) -> None:
    """Cells checked with a pattern, and the personal ID against the birth year and sex."""
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
        pl.col("_deceased_date") < pl.col("_birth_date"),
        "deceased_date",
        "deceased_date.before_birth",
        "Ngày mất trước ngày sinh / the date of death is before the birth date",
    )
    valid = personal_id_ok(pl.col("personal_id"), today=today)
    rows.flag(
        valid & (pid_year(pl.col("personal_id")) != pl.col("_birth_date").dt.year()),
        "personal_id",
        "personal_id.birth_year_mismatch",
        lambda pid, year: _explain_mismatch(pid, today, birth_year=int(year)),
        extra=pl.col("_birth_date").dt.year(),
    )
    rows.flag(
        valid & pl.col("_sex").is_in(["male", "female"]) & (pid_sex(pl.col("personal_id")) != pl.col("_sex")),
        "personal_id",
        "personal_id.sex_mismatch",
        lambda pid, sex: _explain_mismatch(pid, today, sex=sex),
        extra=pl.col("sex"),
    )


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
    rows = Rows(_ensure_columns(table.frame))
    rows.add(table.row_errors)
    for column in (
        "personal_id",
        "full_name",
        "birth_date",
        "sex",
        "commune_code",
        *(("status",) if "status" in present else ()),
    ):
        rows.flag(_blank(column), column, "required", _REQUIRED_MESSAGE)
    rows.frame = rows.frame.with_columns(
        _strip_spaces("personal_id").alias("personal_id"),
        _strip_spaces("father_id").alias("father_pid"),
        _strip_spaces("mother_id").alias("mother_pid"),
        _strip_spaces("spouse_id").alias("spouse_pid"),
        _strip_spaces("old_id_number").alias("old_id_number"),
        pl.col("household_id").str.strip_chars().alias("household_code"),
        _phone(pl.col("phone").str.replace_all(r"[\s.\-()]", "")).alias("_phone"),
        pl.col("email").str.strip_chars().alias("_email"),
    )
    _check_personal_ids(rows, today=today)
    _normalise(rows, home_province=home_province, today=today)
    _check_patterns(rows, today=today)
    references = check_link_cells(rows, today=today)
    check_households(rows)
    check_link_targets(rows, references, known_personal_ids)

    frame = (
        rows.frame.lazy()
        .filter(~pl.col(ROW).is_in(rows.bad_rows()))
        .select(
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
    )
    checked = Checked(frame=pl.DataFrame(), columns=present, errors=sorted(rows.errors), warnings=sorted(rows.warnings))
    checked.frame = frame.with_columns(digest_expr(checked.covered).alias("digest")).collect()
    return checked


def _other_names_json(value: str) -> str:
    names = [name for name in (nfc(part) for part in value.split(";")) if name]
    return json.dumps(names, ensure_ascii=False)


def digest_expr(covered: frozenset[str]) -> pl.Expr:
    """The fingerprint of a row's covered values (Int64).

    It only decides "certainly unchanged": a differing or missing fingerprint leads to a full
    comparison, so a change of hash function (polars may change it between versions) costs time
    once and never correctness. The covered set seeds the hash: a file with fewer columns never
    matches the fingerprint of a fuller one.
    """
    seed = zlib.crc32(",".join(sorted(covered)).encode())
    values = [pl.col(v) for v in DIGEST_VALUES if v in covered]
    return pl.struct(values).hash(seed=seed).reinterpret(signed=True)
