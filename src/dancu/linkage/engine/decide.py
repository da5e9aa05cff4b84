"""Stage 3: decide each row's status, explain it and list its differences.

Rules beyond plain Fellegi–Sunter, each aimed at an error plain Splink makes:

- keep only the best register candidate, and only with a margin over the
  runner-up (namesakes with the same birth date go to review, not to a guess);
- veto a confident link when the given name or the birth date disagree outright
  (an unregistered twin shares everything else with the registered one);
- two rows on one person are duplicates when their given names agree, else the
  weaker one goes to review (the other twin, or a household mix-up).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .model import COMPARISON_LABELS, comparisons

__all__ = ["Thresholds", "decide"]


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds on the Splink match weight (log2 Bayes factor incl. prior).

    ``match`` ≈ probability 0.99; ``review`` ≈ 0.2; ``margin`` is the least lead
    (in bits, ×32) over the runner-up for an automatic match.
    """

    match: float = 6.6
    review: float = -2.0
    margin: float = 5.0


def _explanation_sql() -> str:
    """SQL building 'agrees: …; differs: …; missing: …' from the gamma columns."""
    agree_parts = []
    differ_parts = []
    missing_parts = []
    for comparison in comparisons():
        name = comparison["output_column_name"]
        label = COMPARISON_LABELS[name]
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        gamma = f"p.gamma_{name}"
        cases = " ".join(f"WHEN {len(levels) - 1 - i} THEN '{lvl['label_for_charts']}'" for i, lvl in enumerate(levels))
        agree_parts.append(f"CASE WHEN {gamma} > 0 THEN '{label} (' || CASE {gamma} {cases} END || ')' END")
        differ_parts.append(f"CASE WHEN {gamma} = 0 THEN '{label}' END")
        missing_parts.append(f"CASE WHEN {gamma} = -1 THEN '{label}' END")
    return (
        "concat_ws('; ', "
        f"'khớp / agrees: ' || nullif(concat_ws(', ', {', '.join(agree_parts)}), ''), "
        f"'khác / differs: ' || nullif(concat_ws(', ', {', '.join(differ_parts)}), ''), "
        f"'thiếu / missing: ' || nullif(concat_ws(', ', {', '.join(missing_parts)}), ''))"
    )


def decide(con: duckdb.DuckDBPyConnection, thresholds: Thresholds) -> None:
    """Build the table ``result`` from ``ext``, ``id_links`` and ``predictions``."""
    t = thresholds
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE best AS
        WITH ranked AS (
            SELECT p.*, {_explanation_sql()} AS explanation,
                   row_number() OVER (PARTITION BY p.uid ORDER BY p.match_weight DESC, p.rid)
                     AS rk
            FROM predictions p
        ), top2 AS (
            SELECT uid,
                   max(CASE WHEN rk = 2 THEN match_weight END) AS runner_up
            FROM ranked WHERE rk <= 2 GROUP BY uid
        )
        SELECT r.uid, r.rid, r.match_weight, r.match_probability, r.explanation,
               coalesce(r.match_weight - t.runner_up, 99.0) AS margin,
               r.gamma_given_name, r.gamma_birth_date, r.gamma_id_number
        FROM ranked r JOIN top2 t USING (uid) WHERE r.rk = 1
        """  # noqa: S608  # SQL built from our own constants, never from input
    )
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE proposed AS
        SELECT e.uid,
               coalesce(i.rid, b.rid) AS rid,
               CASE
                 WHEN i.rid IS NOT NULL THEN 'matched'
                 WHEN b.rid IS NULL OR b.match_weight < {t.review} THEN 'unmatched'
                 -- a given name that differs outright is another person (a twin,
                 -- a sibling) whatever else agrees
                 WHEN b.gamma_given_name = 0 THEN 'unmatched'
                 WHEN b.match_weight >= {t.match} AND b.margin >= {t.margin}
                      AND b.gamma_birth_date <> 0 THEN 'matched'
                 ELSE 'review'
               END AS status,
               CASE WHEN i.rid IS NOT NULL THEN 0.9999
                    ELSE round(coalesce(b.match_probability, 0.0), 4) END AS score,
               CASE WHEN i.rid IS NOT NULL
                    THEN 'khớp / agrees: số định danh / ID number (' || i.method
                         || '), tên / given name, ngày sinh / date of birth'
                    ELSE b.explanation END AS explanation,
               CASE WHEN i.rid IS NOT NULL THEN 'id_rule'
                    WHEN b.rid IS NOT NULL THEN 'probabilistic' END AS method
        FROM ext e
        LEFT JOIN id_links i USING (uid)
        LEFT JOIN best b ON b.uid = e.uid AND i.rid IS NULL
        """  # noqa: S608  # SQL built from our own constants, never from input
    )
    # Several rows on one person: the same given name means a duplicate row in
    # the extract; another given name means one of them is someone else.
    con.sql(
        """
        CREATE OR REPLACE TEMP TABLE claims AS
        SELECT p.uid, p.rid, p.status, e.given_f, f.row_order,
               first_value(p.uid) OVER w AS first_uid,
               first_value(e.given_f) OVER w AS first_given
        FROM proposed p JOIN ext e USING (uid) JOIN ext_fields f ON f.row_id = p.uid
        WHERE p.status IN ('matched', 'review') AND p.rid IS NOT NULL
        WINDOW w AS (PARTITION BY p.rid ORDER BY (p.status = 'matched') DESC, p.score DESC,
                     f.row_order)
        """
    )
    con.sql(
        """
        CREATE OR REPLACE TEMP TABLE result_core AS
        SELECT p.uid AS row_id,
               CASE WHEN s.status = 'unmatched' THEN NULL ELSE p.rid END AS personal_id,
               s.status, p.score, p.explanation, p.method,
               CASE WHEN c.first_uid <> c.uid AND c.first_given = c.given_f
                    THEN c.first_uid END AS duplicate_of
        FROM proposed p
        LEFT JOIN claims c USING (uid)
        CROSS JOIN LATERAL (
            SELECT CASE
                WHEN c.first_uid IS NOT NULL AND c.first_uid <> c.uid
                     AND c.first_given IS DISTINCT FROM c.given_f AND p.status = 'matched'
                THEN 'review' ELSE p.status END AS status
        ) s
        """
    )
    _differences(con)


def _differences(con: duckdb.DuckDBPyConnection) -> None:
    """Add the correction list: extract value → register value for each field that differs."""
    con.sql(
        """
        CREATE OR REPLACE TEMP TABLE result AS
        SELECT rc.*,
               CASE WHEN rc.personal_id IS NULL THEN NULL ELSE to_json(map_from_entries(
                 list_filter([
                   CASE WHEN e.name_x IS DISTINCT FROM r.name_x
                        THEN {'key': 'full_name', 'value': [f.full_name, rr.full_name]} END,
                   CASE WHEN (e.dob IS NULL AND e.dob_year IS NOT NULL AND r.dob IS NOT NULL)
                          OR e.dob IS DISTINCT FROM r.dob AND e.dob IS NOT NULL
                          OR e.dob_year IS DISTINCT FROM r.dob_year
                        THEN {'key': 'birth_date', 'value': [f.birth_date, rr.birth_date]} END,
                   CASE WHEN e.sex IS DISTINCT FROM r.sex
                        THEN {'key': 'sex', 'value': [f.sex, rr.sex]} END,
                   CASE WHEN e.pid IS DISTINCT FROM r.pid
                        THEN {'key': 'personal_id', 'value': [f.personal_id, rr.personal_id]} END,
                   CASE WHEN NOT list_contains(e.communes, r.commune)
                        THEN {'key': 'address', 'value': [f.address, rr.commune_name]} END
                 ], lambda x: x IS NOT NULL))) END AS differences
        FROM result_core rc
        JOIN ext e ON e.uid = rc.row_id
        JOIN ext_fields_full f ON f.row_id = rc.row_id
        LEFT JOIN reg r ON r.uid = rc.personal_id
        LEFT JOIN register_raw rr ON rr.personal_id = rc.personal_id
        """
    )
