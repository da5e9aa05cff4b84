"""The probabilistic model: Splink comparisons, blocking rules and prior parameters.

Written once in DuckDB SQL and translated by Splink (sqlglot) for Spark. Each
comparison encodes what the references learned about Vietnamese records:

- the given name carries the information, the surname little (Nguyễn ≈ 38 %);
  the exact diacritic level outranks the folded one (Hùng ≠ Hưng), and a folded
  match only counts when one side has lost its diacritics;
- dates are compared with year-only records, placeholders and day/month swaps
  in mind;
- a name written short is still the name: initials ("N.T. Lan", "NGUYEN T. LAN") fit
  the words they stand for, a middle name may be left out;
- geography is ONE hierarchical comparison (commune within province);
- an ID agreement only counts with the given name agreeing too: a parent's ID
  on a child's row must not link the child to the parent.

Priors (m, u) are reasonable for agency extracts; u is re-estimated from random
pairs and m from the pairs the ID rules linked (see :mod:`.pipeline`).
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = [
    "BLOCKING_RULES",
    "COMPARISON_LABELS",
    "comparisons",
    "gamma_sql",
    "settings_dict",
]

_DIALECT: Final = "duckdb"


def _level(
    sql: str,
    label: str,
    m: float,
    u: float,
    *,
    tf: str | None = None,
    fix_m: bool = False,
    fix_u: bool = False,
) -> dict[str, Any]:
    level: dict[str, Any] = {
        "sql_condition": sql,
        "label_for_charts": label,
        "m_probability": m,
        "u_probability": u,
    }
    if sql != "ELSE":  # sqlglot cannot parse a bare ELSE; it needs no translation
        level["base_dialect_str"] = _DIALECT
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
        # Rare names would otherwise get an unbounded weight from a single count.
        level["tf_minimum_u_value"] = 0.0005
    if fix_m:
        level["fix_m_probability"] = True
    if fix_u:
        level["fix_u_probability"] = True
    return level


def _null(sql: str) -> dict[str, Any]:
    return {
        "sql_condition": sql,
        "base_dialect_str": _DIALECT,
        "label_for_charts": "null",
        "is_null_level": True,
    }


# The same ID names the same person only with the same given name (diacritics
# aside): twins share birth date, surname, middle name, address and sometimes the
# card, and their given names may be one letter apart (Vinh/Minh, Như/Nụ).
_ID_PERSON_AGREES: Final = "given_f_l = given_f_r"

_SAME_COMMUNE: Final = "list_contains(communes_l, commune_r) OR list_contains(communes_r, commune_l)"

# One side writes the surname (``all``) or the middle name (``middle``) as initials and
# the other side's words start with them: with the same initials (``family_i``), the
# surname must agree unless it is itself an initial.
_INITIALS_FIT: Final = (
    "(family_abbr_l = 'all' OR family_abbr_r = 'all' "
    "OR ((family_abbr_l = 'middle' OR family_abbr_r = 'middle') AND surname_g_l = surname_g_r))"
)


def comparisons() -> list[dict[str, Any]]:
    """The comparisons, each a Splink comparison dict with prior m/u per level."""
    given = {
        "output_column_name": "given_name",
        "comparison_description": "Tên / Given name",
        "comparison_levels": [
            _null("given_f_l IS NULL OR given_f_r IS NULL"),
            _level("given_x_l = given_x_r", "exact", 0.86, 0.02, tf="given_x"),
            _level(
                # one side lost every mark, or only its tone marks ("Tuân" for "Tuấn",
                # as OCR and hurried typing do); "Hưng" for "Hùng" is not a loss
                "given_f_l = given_f_r AND (given_x_l = given_f_l OR given_x_r = given_f_r "
                "OR (given_t_l = given_t_r AND (given_x_l = given_t_l OR given_x_r = given_t_r)))",
                "same letters, diacritics lost",
                0.09,
                0.004,
                tf="given_f",
            ),
            _level("given_f_l = given_f_r", "diacritics differ", 0.01, 0.004),
            _level(
                # as written too (given_o: "Hy" is one letter from "Huy", its key "hi" two)
                "(damerau_levenshtein(given_f_l, given_f_r) <= 1 OR damerau_levenshtein(given_o_l, given_o_r) <= 1) "
                "AND (greatest(length(given_f_l), length(given_f_r)) >= 3 OR given_rare_l OR given_rare_r)",
                "one letter off",
                0.025,
                0.02,
            ),
            _level("ELSE", "different", 0.015, 0.952),
        ],
    }
    family = {
        "output_column_name": "family_name",
        "comparison_description": "Họ và tên đệm / Surname and middle name",
        "comparison_levels": [
            _null("surname_f_l IS NULL OR surname_f_r IS NULL"),
            _level("family_f_l = family_f_r", "exact", 0.86, 0.03, tf="family_f"),
            _level(
                # or written as initials that fit ("NGUYEN T. LAN", "N.T. Lan" for Nguyễn
                # Thị Lan): a level of their own would be too rare among random pairs for
                # Splink's u estimate to stop early (it wants 100 of each level)
                "(surname_g_l = surname_g_r AND (middle_f_l IS NULL OR middle_f_r IS NULL "
                f"OR damerau_levenshtein(middle_f_l, middle_f_r) <= 1)) OR (family_i_l = family_i_r AND {_INITIALS_FIT})",
                "surname variant, middle name missing, one letter off or initials",
                0.08,
                0.03,
            ),
            _level(
                "length(family_f_l) >= 6 AND damerau_levenshtein(family_f_l, family_f_r) <= 2",
                "one or two letters off",
                0.03,
                0.01,
            ),
            _level(
                "surname_g_l = surname_g_r OR middle_f_l = middle_f_r",
                "surname or middle name agrees",
                0.02,
                0.35,
            ),
            _level("ELSE", "different", 0.02, 0.59),
        ],
    }
    dob = {
        "output_column_name": "birth_date",
        "comparison_description": "Ngày sinh / Date of birth",
        "comparison_levels": [
            _null("dob_year_l IS NULL OR dob_year_r IS NULL"),
            _level("dob_l = dob_r", "exact", 0.74, 0.00004),
            _level("dob_alt_l = dob_r OR dob_l = dob_alt_r", "day and month swapped", 0.02, 0.00004),
            _level(
                "(dob_l IS NULL OR dob_r IS NULL) AND dob_year_l = dob_year_r",
                "year agrees, day unknown",
                0.17,
                0.013,
            ),
            _level(
                # two of year, month and day agree: one part mistyped (the year by one
                # digit or one year: 1949 for 1989 or 1970 for 1969 is a slip, 1996 for
                # 1981 another person)
                "dob_l IS NOT NULL AND dob_r IS NOT NULL AND ("
                "CAST(dob_year_l = dob_year_r AS INTEGER) "
                "+ CAST(substr(dob_l, 6, 2) = substr(dob_r, 6, 2) AS INTEGER) "
                "+ CAST(substr(dob_l, 9, 2) = substr(dob_r, 9, 2) AS INTEGER)) >= 2 "
                "AND (damerau_levenshtein(substr(dob_l, 1, 4), substr(dob_r, 1, 4)) <= 1 "
                "OR abs(dob_year_l - dob_year_r) <= 1)",
                "one part differs",
                0.03,
                0.0012,
            ),
            _level(
                "(dob_l IS NULL OR dob_r IS NULL) AND abs(dob_year_l - dob_year_r) <= 1",
                "year off by one, day unknown",
                0.01,
                0.026,
            ),
            _level("abs(dob_year_l - dob_year_r) <= 5", "different, within 5 years", 0.02, 0.12),
            _level("ELSE", "far apart", 0.01, 0.84),
        ],
    }
    sex = {
        "output_column_name": "sex",
        "comparison_description": "Giới tính / Sex",
        "comparison_levels": [
            _null("sex_l IS NULL OR sex_r IS NULL"),
            _level("sex_l = sex_r", "same", 0.985, 0.5),
            _level("ELSE", "different", 0.015, 0.5),
        ],
    }
    geography = {
        "output_column_name": "address",
        "comparison_description": "Địa chỉ / Address (current units)",
        "comparison_levels": [
            _null("province_l IS NULL OR province_r IS NULL"),
            # The same house (number and street) or village inside the commune tells two
            # namesakes of one year apart; a street or village is shared by more people
            # than a numbered house.
            _level(
                f"({_SAME_COMMUNE}) AND line_key_l = line_key_r AND substr(line_key_l, 1, 1) BETWEEN '0' AND '9'",
                "same commune, same house",
                0.3,
                0.00001,
            ),
            _level(
                f"({_SAME_COMMUNE}) AND line_key_l = line_key_r",
                "same commune, same street or village",
                0.2,
                0.001,
            ),
            _level(_SAME_COMMUNE, "same commune", 0.3, 0.01),
            # The agency still has the address the person lived at before a move the
            # register knows of (or a temporary one it records).
            _level(
                "list_has_any(communes_l, former_communes_r) OR list_has_any(communes_r, former_communes_l)",
                "an earlier or other residence",
                0.03,
                0.001,
            ),
            _level("province_l = province_r", "same province", 0.15, 0.9),
            _level("ELSE", "different province", 0.05, 0.09),
        ],
    }
    identity = {
        "output_column_name": "id_number",
        "comparison_description": "Số định danh / ID number",
        "comparison_levels": [
            _null("(pid_l IS NULL AND old_id_l IS NULL) OR (pid_r IS NULL AND old_id_r IS NULL)"),
            _level(
                f"(pid_l = pid_r OR old_id_l = old_id_r) AND {_ID_PERSON_AGREES}",
                "same ID, given name agrees",
                0.93,
                1e-7,
                fix_m=True,
                fix_u=True,
            ),
            _level(
                f"damerau_levenshtein(pid_l, pid_r) <= 1 AND {_ID_PERSON_AGREES}",
                "ID one digit off, given name agrees",
                0.04,
                2e-6,
                fix_m=True,
                fix_u=True,
            ),
            # The person's own card beside a misspelt given name: one letter off and a
            # name the register (nearly) never uses, so not a relative's real name.
            _level(
                "(pid_l = pid_r OR old_id_l = old_id_r OR damerau_levenshtein(pid_l, pid_r) <= 1) "
                "AND (given_rare_l OR given_rare_r) AND (damerau_levenshtein(given_f_l, given_f_r) <= 1 "
                "OR damerau_levenshtein(given_o_l, given_o_r) <= 1)",
                "same or one digit off ID, given name misspelt",
                0.01,
                1e-6,
                fix_m=True,
                fix_u=True,
            ),
            # A shared ID without the given name is a family member's card: no evidence.
            _level(
                "pid_l = pid_r OR old_id_l = old_id_r",
                "same ID, given name differs",
                0.005,
                0.005,
                fix_m=True,
                fix_u=True,
            ),
            _level(
                "pid_household_l = household_r OR pid_household_r = household_l",
                "ID of a household member",
                0.01,
                0.0005,
                fix_m=True,
                fix_u=True,
            ),
            _level("ELSE", "different", 0.015, 0.9994, fix_m=True, fix_u=True),
        ],
    }
    phone = {
        "output_column_name": "phone",
        "comparison_description": "Điện thoại / Phone",
        "comparison_levels": [
            _null("phone_l IS NULL OR phone_r IS NULL"),
            _level("phone_l = phone_r", "same", 0.7, 1e-5),
            _level("ELSE", "different", 0.3, 0.99999),
        ],
    }
    household = {
        "output_column_name": "household",
        "comparison_description": "Hộ gia đình / Household (housemates in the extract)",
        "comparison_levels": [
            _null("array_length(near_households_l) = 0 AND array_length(near_households_r) = 0"),
            _level(
                "list_contains(near_households_l, household_r) OR list_contains(near_households_r, household_l)",
                "a housemate in the extract belongs to this household",
                0.5,
                0.0001,
            ),
            _level("ELSE", "different", 0.5, 0.9999),
        ],
    }
    return [given, family, dob, sex, geography, identity, phone, household]


#: Readable names of the comparisons for explanations, Vietnamese / English.
COMPARISON_LABELS: Final[dict[str, str]] = {
    "given_name": "tên / given name",
    "family_name": "họ, tên đệm / surname, middle name",
    "birth_date": "ngày sinh / date of birth",
    "sex": "giới tính / sex",
    "address": "địa chỉ / address",
    "id_number": "số định danh / ID number",
    "phone": "điện thoại / phone",
    "household": "hộ gia đình / household",
}

#: Candidate pairs come from any of these (OR-ed, deduplicated by Splink). Never
#: on surname alone; name keys paired with birth year, date or commune.
BLOCKING_RULES: Final[tuple[str, ...]] = (
    # Vietnamese names are concentrated (Nguyễn ≈ 38 %, Văn/Thị as middle names), so
    # every rule pairs a name key with a date or a commune: the number of candidate
    # pairs then grows little faster than the extract.
    "l.name_f = r.name_f AND l.dob_year = r.dob_year",
    # the year mistyped, day and month right
    "l.name_f = r.name_f AND l.dob_md = r.dob_md",
    "l.given_f = r.given_f AND l.dob = r.dob",
    "l.family_f = r.family_f AND l.dob = r.dob",
    "l.name_f = r.name_f AND l.commune = r.commune",
    # a name written short (see prepare: initials_key, short_key), with the year
    "l.initials_key = r.initials_key AND l.dob_year = r.dob_year",
    "l.short_key = r.short_key AND l.dob_year = r.dob_year",
    "l.given_f = r.given_f AND l.dob_year = r.dob_year AND l.commune = r.commune",
    "l.dob = r.dob AND l.commune = r.commune",
    # the same house or village: a row without a date, a commune the address leaves
    # ambiguous (a former commune split in 2025) or a misspelt given name
    "l.name_f = r.name_f AND l.line_key = r.line_key",
    "l.family_f = r.family_f AND l.line_key = r.line_key AND l.commune = r.commune",
    "substr(l.pid, 7, 6) = substr(r.pid, 7, 6)",
    "l.old_id = r.old_id",
    "l.phone = r.phone",
)


_SIDE = re.compile(r"\b([a-z][a-z_]*?)_(l|r)\b")


def gamma_sql(left: str, right: str) -> list[str]:
    """``CASE … END AS gamma_<comparison>`` for a pair, with the extract aliased ``left``
    and the register ``right``: the comparison levels Splink computed, recomputed for
    the few pairs a decision needs (cheaper than carrying them through every pair).
    """
    out = []
    for comparison in comparisons():
        levels = comparison["comparison_levels"]
        scored = [lvl for lvl in levels if not lvl.get("is_null_level")]
        parts = []
        for level in levels:
            sql = _SIDE.sub(lambda m: f"{left if m.group(2) == 'l' else right}.{m.group(1)}", level["sql_condition"])
            if level.get("is_null_level"):
                parts.append(f"WHEN {sql} THEN -1")
            elif sql == "ELSE":
                parts.append("ELSE 0")
            else:
                parts.append(f"WHEN {sql} THEN {len(scored) - 1 - scored.index(level)}")
        out.append(f"CASE {' '.join(parts)} END AS gamma_{comparison['output_column_name']}")
    return out


def settings_dict(probability_two_random_records_match: float) -> dict[str, Any]:
    """A Splink settings dict (link_only, extract against register) with the priors."""
    return {
        "link_type": "link_only",
        "unique_id_column_name": "uid",
        "source_dataset_column_name": "source_dataset",
        "probability_two_random_records_match": probability_two_random_records_match,
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": _DIALECT} for rule in BLOCKING_RULES
        ],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
    }
