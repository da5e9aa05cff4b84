"""The two references Dancu's linkage is measured against, on the same inputs.

- ``exact_id``: link a row when its cleaned ID number (personal ID or former
  9-digit number) is in the register; nothing else.
- ``plain_splink``: a carefully configured Splink 5 model as a competent analyst
  would build it without Dancu's Vietnamese knowledge: names lowercased and
  stripped of diacritics (no TCVN3/VNI decoding, no tone canonicalisation),
  dates/sex/IDs cleaned with the same parsers as ours (so date handling is not
  what is compared), addresses compared as text against the register's commune
  name (no old-to-new unit mapping), Splink library comparisons with term
  frequencies, u by random sampling, m by EM, and the best candidate per row
  (probability ≥ 0.95 matched, ≥ 0.5 review).

Both return {row_id: (status, personal_id)}.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dancu.linkage.engine.normalise import clean_id, normalise_sex, parse_date
from dancu.linkage.engine.reading import read_extract

Result = dict[str, tuple[str, str | None]]


def _fields(extract: Any) -> pa.Table:
    fields, _ = read_extract(extract)
    return fields


def _load_register(con: duckdb.DuckDBPyConnection, register: str | Path | pa.Table) -> None:
    if isinstance(register, pa.Table):
        con.register("register_src", register)
        con.sql("CREATE OR REPLACE TABLE register_raw AS SELECT * FROM register_src")
    else:
        con.sql(f"CREATE OR REPLACE TABLE register_raw AS SELECT * FROM read_parquet('{register}')")  # noqa: S608  # SQL built from our own constants


def _clean(fields: pa.Table) -> pa.Table:
    n = fields.num_rows
    col = {c: fields.column(c).to_pylist() for c in fields.column_names}
    empty = [""] * n
    pids: list[str | None] = []
    olds: list[str | None] = []
    dobs: list[str | None] = []
    years: list[int | None] = []
    for raw_id in col.get("personal_id", empty):
        cleaned = clean_id(raw_id)
        pids.append(cleaned.value if cleaned.kind == "personal_id" else None)
        olds.append(cleaned.value if cleaned.kind == "old_id" else None)
    for raw in col.get("birth_date", col.get("birth_year", empty)):
        parsed = parse_date(raw)
        dobs.append(parsed.iso if parsed and parsed.month else None)
        years.append(parsed.year if parsed else None)
    return pa.table(
        {
            "row_id": col["row_id"],
            "full_name": col["full_name"],
            "dob": dobs,
            "dob_year": pa.array(years, pa.int32()),
            "sex": [normalise_sex(v) for v in col.get("sex", empty)],
            "pid": pids,
            "old_id": olds,
            "address": col.get("address", empty),
        }
    )


def exact_id(extract: Any, register: str | Path | pa.Table) -> Result:
    """Link by the cleaned ID number alone (personal ID, else former ID-card number)."""
    con = duckdb.connect()
    _load_register(con, register)
    con.register("ext_src", _clean(_fields(extract)))
    rows = con.execute(
        """
        SELECT e.row_id, coalesce(r1.personal_id, r2.personal_id) AS pid
        FROM ext_src e
        LEFT JOIN register_raw r1 ON r1.personal_id = e.pid
        LEFT JOIN register_raw r2 ON r2.old_id_number = e.old_id AND e.old_id IS NOT NULL
        """
    ).fetchall()
    con.close()
    return {str(r[0]): ("matched", r[1]) if r[1] else ("unmatched", None) for r in rows}


_NAME_SQL = "lower(strip_accents(replace(replace(nfc_normalize(trim({c})), 'đ', 'd'), 'Đ', 'D')))"


def plain_splink(extract: Any, register: str | Path | pa.Table) -> Result:
    """Link with a well-configured plain Splink model (see the module docstring)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con = duckdb.connect()
    _load_register(con, register)
    con.register("ext_src", _clean(_fields(extract)))
    name = _NAME_SQL.format(c="full_name")
    parts = """
        CASE WHEN len(w) > 0 THEN w[1] END AS surname,
        CASE WHEN len(w) > 2 THEN array_to_string(w[2:len(w) - 1], ' ') END AS middle,
        CASE WHEN len(w) > 0 THEN w[len(w)] END AS given
    """
    con.sql(
        f"""
        CREATE OR REPLACE TABLE a_extract AS
        SELECT row_id AS uid, n AS name, {parts}, dob, dob_year, sex, pid, old_id,
               lower(strip_accents(coalesce(address, ''))) AS place
        FROM (SELECT *, {name} AS n, string_split_regex({name}, '\\s+') AS w FROM ext_src)
        """  # noqa: S608  # SQL built from our own constants
    )
    con.sql(
        f"""
        CREATE OR REPLACE TABLE b_register AS
        SELECT personal_id AS uid, n AS name, {parts},
               CASE WHEN length(birth_date) = 10 THEN birth_date END AS dob,
               TRY_CAST(substr(birth_date, 1, 4) AS INTEGER) AS dob_year,
               sex, personal_id AS pid, nullif(old_id_number, '') AS old_id,
               lower(strip_accents(regexp_replace(commune_name,
                   '^(Xã|Phường|Thị trấn|Đặc khu) ', ''))) AS place
        FROM (SELECT *, {name} AS n, string_split_regex({name}, '\\s+') AS w FROM register_raw)
        """  # noqa: S608  # SQL built from our own constants
    )
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        probability_two_random_records_match=0.85
        / max(con.execute("SELECT count(*) FROM b_register").fetchall()[0][0], 1),
        comparisons=[
            cl.NameComparison("given").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("middle", [1]),
            cl.DateOfBirthComparison(
                "dob", input_is_string=True, datetime_metrics=["month", "year"], datetime_thresholds=[1, 1]
            ),
            cl.ExactMatch("dob_year"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("pid"),
            cl.ExactMatch("old_id"),
            cl.CustomComparison(
                output_column_name="place",
                comparison_levels=[
                    {"sql_condition": "place_l = '' OR place_r = ''", "is_null_level": True},
                    {
                        "sql_condition": "contains(place_l, place_r) OR contains(place_r, place_l)",
                        "label_for_charts": "commune named",
                    },
                    {"sql_condition": "ELSE", "label_for_charts": "else"},
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name", "dob_year"),
            block_on("given", "dob"),
            block_on("surname", "middle", "dob"),
            block_on("pid"),
            block_on("old_id"),
        ],
        retain_matching_columns=False,
    )
    db_api = DuckDBAPI(connection=con)
    left = db_api.register("a_extract", dataset_display_name="a_extract")
    right = db_api.register("b_register", dataset_display_name="b_register")
    linker = Linker([left, right], settings, log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=3e6, seed=7)
    # EM as in Splink's own examples: a name blocking trains the dates and the
    # rest, a date blocking trains the names; each capped so it stays a step.
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name", "dob_year"), max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"), max_pairs=2e6)
    predictions = linker.inference.predict(threshold_match_probability=0.5, warning_mode="never")
    rows = con.execute(
        f"""
        SELECT uid_l, arg_max(uid_r, match_probability), max(match_probability)
        FROM {predictions.physical_name} GROUP BY uid_l
        """  # noqa: S608  # SQL built from our own constants
    ).fetchall()
    best = {str(r[0]): (str(r[1]), float(r[2])) for r in rows}
    all_rows = [r[0] for r in con.execute("SELECT uid FROM a_extract").fetchall()]
    con.close()
    out: Result = {}
    for row_id in all_rows:
        if row_id in best and best[row_id][1] >= 0.95:
            out[str(row_id)] = ("matched", best[row_id][0])
        elif row_id in best:
            out[str(row_id)] = ("review", best[row_id][0])
        else:
            out[str(row_id)] = ("unmatched", None)
    return out
