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

from .model import COMPARISON_LABELS, comparisons, gamma_sql

__all__ = ["Thresholds", "decide", "unregistered_odds"]

# Splink's prior expects this many register matches per extract row (see .scoring).
_EXPECTED_MATCHES_PER_ROW = 0.85
_DEFAULT_UNREGISTERED = 0.2

# Gamma levels of the birth-date comparison: from which day and month agree
# (exact, or swapped), and up to which the dates disagree outright.
_DOB_EXACT_OR_SWAPPED = 5
_DOB_DIFFERENT = 1
_DOB_YEAR_AGREES = 4
# Gamma level of the ID comparison for the same ID with a misspelt given name.
_ID_SAME_GIVEN_MISSPELT = 3
# Gamma level of the surname-and-middle-name comparison for an exact agreement.
_FAMILY_EXACT = 4


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds.

    ``match`` and ``review`` bound the posterior probability that the best
    candidate is the person, given every candidate found and the chance that
    the person is not in the register at all (``unregistered``, the prior odds
    of that against one given register record being right). ``margin`` is the
    least lead, in bits of match weight, over the runner-up for an automatic
    match.
    """

    match: float = 0.95
    review: float = 0.3
    margin: float = 5.0
    #: ``None``: estimated from the extract (see :func:`unregistered_odds`).
    unregistered: float | None = None


# Evidence that is usually absent (no housemate in the extract) is not worth
# listing as missing on every row.
_SILENT_WHEN_MISSING = frozenset({"household"})


def _disagrees(label: str) -> bool:
    return label.startswith(("different", "far apart"))


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
        gammas = {len(levels) - 1 - i: lvl["label_for_charts"] for i, lvl in enumerate(levels)}
        agreeing = {g: text for g, text in gammas.items() if not _disagrees(text)}
        differing = {g: text for g, text in gammas.items() if _disagrees(text)}
        cases = " ".join(f"WHEN {g} THEN '{text}'" for g, text in agreeing.items())
        agree_parts.append(
            f"CASE WHEN {gamma} IN ({', '.join(map(str, agreeing))}) "
            f"THEN '{label} (' || CASE {gamma} {cases} END || ')' END"
        )
        if len(differing) > 1:
            cases = " ".join(f"WHEN {g} THEN '{label} ({text})'" for g, text in differing.items())
            differ_parts.append(f"CASE {gamma} {cases} END")
        else:
            differ_parts.append(f"CASE WHEN {gamma} = 0 THEN '{label}' END")
        if name not in _SILENT_WHEN_MISSING:
            missing_parts.append(f"CASE WHEN {gamma} = -1 THEN '{label}' END")
    return (
        "concat_ws('; ', "
        f"'khớp / agrees: ' || nullif(concat_ws(', ', {', '.join(agree_parts)}), ''), "
        f"'khác / differs: ' || nullif(concat_ws(', ', {', '.join(differ_parts)}), ''), "
        f"'thiếu / missing: ' || nullif(concat_ws(', ', {', '.join(missing_parts)}), ''))"
    )


def unregistered_odds(con: duckdb.DuckDBPyConnection) -> float:
    """Prior odds that a row the ID rules left is someone the register does not hold.

    Estimated as the share of those rows without any candidate even as likely as
    a random register record (match weight ≥ 0), turned into odds against the
    expected-match rate Splink's prior assumes, and kept within [0.05, 0.5]: an
    extract of residents links more readily than one full of newcomers.
    """
    rows = con.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE best IS NULL OR best < 0)
        FROM (SELECT e.uid, max(p.match_weight) AS best
              FROM ext_rest e LEFT JOIN predictions p USING (uid) GROUP BY e.uid)
        """
    ).fetchall()
    total, without = (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)
    if not total:
        return _DEFAULT_UNREGISTERED
    share = min(max(without / total, 0.0), 0.99)
    return min(max(_EXPECTED_MATCHES_PER_ROW * share / (1.0 - share), 0.05), 0.5)


def decide(con: duckdb.DuckDBPyConnection, thresholds: Thresholds) -> None:
    """Build the table ``result`` from ``ext``, ``id_links`` and ``predictions``."""
    t = thresholds
    unregistered = t.unregistered if t.unregistered is not None else unregistered_odds(con)
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE best AS
        WITH ranked AS (
            SELECT p.*,
                   row_number() OVER (PARTITION BY p.uid ORDER BY p.match_weight DESC, p.rid)
                     AS rk
            FROM predictions p
        ), top2 AS (
            SELECT uid,
                   max(CASE WHEN rk = 2 THEN match_weight END) AS runner_up,
                   -- odds of every candidate against a random register record
                   sum(pow(2.0, least(match_weight, 200.0))) AS all_odds
            FROM ranked GROUP BY uid
        )
        , top AS (
            SELECT x.uid, x.rid, x.match_weight,
                   pow(2.0, least(x.match_weight, 200.0)) / (t.all_odds + {unregistered})
                     AS match_probability,
                   coalesce(x.match_weight - t.runner_up, 99.0) AS margin,
                   {", ".join(gamma_sql("e", "r"))},
                   -- the surname or middle name differs by a slip, not as a relative's
                   -- would: a word the register never uses there, or the middle name
                   -- left out on one side
                   (e.family_rare AND damerau_levenshtein(e.family_f, r.family_f) <= 2)
                     OR (e.surname_g = r.surname_g AND (e.middle_f IS NULL) <> (r.middle_f IS NULL))
                     -- or initials that fit the words ("N.T." for "Nguyễn Thị")
                     OR (e.family_abbr IS NOT NULL AND e.family_i = r.family_i
                         AND (e.family_abbr = 'all' OR e.surname_g = r.surname_g))
                     AS family_slip
            FROM ranked x JOIN top2 t USING (uid)
            JOIN ext e ON e.uid = x.uid JOIN reg r ON r.uid = x.rid
            WHERE x.rk = 1
        )
        SELECT p.uid, p.rid, p.match_weight, p.match_probability, p.margin,
               {_explanation_sql()} AS explanation,
               p.gamma_given_name, p.gamma_family_name, p.gamma_birth_date, p.gamma_id_number,
               p.family_slip
        FROM top p
        """  # noqa: S608  # SQL built from our own constants, never from input
    )
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE proposed AS
        SELECT e.uid,
               coalesce(i.rid, b.rid) AS rid,
               CASE
                 WHEN i.rid IS NOT NULL THEN 'matched'
                 WHEN b.rid IS NULL OR b.match_probability < {t.review} THEN 'unmatched'
                 -- a given name that differs outright is another person (a twin,
                 -- a sibling) whatever else agrees, the ID on the row included
                 WHEN b.gamma_given_name = 0 THEN 'unmatched'
                 -- one letter or one diacritic away is a typo or how twins differ
                 -- (Như/Nụ, Vinh/Minh, Hùng/Hưng): a typo makes a name nobody has,
                 -- a twin has a real one, so only the typo may link by itself
                 -- (a year that agrees is enough beside the same ID or the same surname
                 -- and middle name: the name itself already says "not a sibling")
                 WHEN b.gamma_given_name = 1 AND coalesce(e.given_rare, false)
                      AND (b.gamma_birth_date >= {_DOB_EXACT_OR_SWAPPED}
                           OR (b.gamma_birth_date = {_DOB_YEAR_AGREES}
                               AND (b.gamma_id_number = {_ID_SAME_GIVEN_MISSPELT}
                                    OR b.gamma_family_name = {_FAMILY_EXACT})))
                      AND b.match_probability >= {t.match} AND b.margin >= {t.margin} THEN 'matched'
                 WHEN b.gamma_given_name IN (1, 2) THEN 'review'
                 -- surname or middle name not quite the same ("Thu"/"Thị") and no
                 -- full birth date to tell a relative from the person: a question,
                 -- unless the difference is a slip or initials (see family_slip)
                 WHEN b.gamma_family_name BETWEEN 0 AND {_FAMILY_EXACT - 1}
                      AND NOT coalesce(b.family_slip, false)
                      AND b.gamma_birth_date < {_DOB_EXACT_OR_SWAPPED} THEN 'review'
                 WHEN b.match_probability >= {t.match} AND b.margin >= {t.margin}
                      AND (b.gamma_birth_date > {_DOB_DIFFERENT} OR b.gamma_birth_date = -1)
                 THEN 'matched'
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
               -- the same person's earlier row (same given name): a duplicate
               first_value(p.uid) OVER (PARTITION BY p.rid, e.given_f ORDER BY f.row_order)
                 AS first_uid,
               -- the given name of the row that fits the person best
               first_value(e.given_f) OVER (
                 PARTITION BY p.rid ORDER BY (p.status = 'matched') DESC, p.score DESC, f.row_order
               ) AS best_given,
               first_value(e.given_rare) OVER (
                 PARTITION BY p.rid ORDER BY (p.status = 'matched') DESC, p.score DESC, f.row_order
               ) AS best_rare
        FROM proposed p JOIN ext e USING (uid) JOIN ext_fields f ON f.row_id = p.uid
        WHERE p.status IN ('matched', 'review') AND p.rid IS NOT NULL
        """
    )
    # A person the register lacks may be listed twice too: same name, birth date
    # and commune among the unlinked rows.
    con.sql(
        """
        CREATE OR REPLACE TEMP TABLE unlinked_repeats AS
        SELECT p.uid,
               first_value(p.uid) OVER (
                 PARTITION BY e.name_x, e.dob_year, coalesce(e.dob, ''), coalesce(e.communes[1], '')
                 ORDER BY f.row_order) AS first_uid
        FROM proposed p JOIN ext e USING (uid) JOIN ext_fields f ON f.row_id = p.uid
        WHERE p.status = 'unmatched' AND e.name_x IS NOT NULL AND e.dob_year IS NOT NULL
        """
    )
    con.sql(
        """
        CREATE OR REPLACE TEMP TABLE result_core AS
        SELECT p.uid AS row_id,
               CASE WHEN p.status = 'unmatched' THEN NULL ELSE p.rid END AS personal_id,
               CASE WHEN p.status = 'matched' AND c.best_given IS DISTINCT FROM c.given_f
                         -- a misspelt copy of the same row is a duplicate, not someone else,
                         -- whichever of the two is misspelt
                         AND NOT ((e.given_rare OR c.best_rare)
                                  AND damerau_levenshtein(c.best_given, c.given_f) <= 1)
                    THEN 'review' ELSE p.status END AS status,
               p.score, p.explanation, p.method,
               CASE WHEN c.first_uid <> c.uid THEN c.first_uid
                    WHEN u.first_uid <> p.uid THEN u.first_uid END AS duplicate_of
        FROM proposed p
        JOIN ext e USING (uid)
        LEFT JOIN claims c USING (uid)
        LEFT JOIN unlinked_repeats u USING (uid)
        """
    )
    _differences(con)


def _differences(con: duckdb.DuckDBPyConnection) -> None:
    """Add the correction list: extract value → register value for each field that differs."""
    con.sql(
        """
        CREATE OR REPLACE TEMP TABLE _differences AS
        SELECT rc.row_id,
               to_json(map_from_entries(
                 list_filter([
                   -- the spelling itself: capitals, lost diacritics and legacy
                   -- encodings are corrections too, not only other names
                   CASE WHEN trim(regexp_replace(nfc_normalize(f.full_name), '\\s+', ' ', 'g'))
                             IS DISTINCT FROM rr.full_name
                        THEN {'key': 'full_name', 'value': [f.full_name, rr.full_name]} END,
                   CASE WHEN (e.dob IS NULL AND e.dob_year IS NOT NULL AND r.dob IS NOT NULL)
                          OR e.dob IS DISTINCT FROM r.dob AND e.dob IS NOT NULL
                          OR e.dob_year IS DISTINCT FROM r.dob_year
                        THEN {'key': 'birth_date', 'value': [nullif(f.birth_date, ''), rr.birth_date]} END,
                   CASE WHEN e.sex IS DISTINCT FROM r.sex
                        THEN {'key': 'sex', 'value': [nullif(f.sex, ''), rr.sex]} END,
                   CASE WHEN e.pid IS DISTINCT FROM r.pid
                        THEN {'key': 'personal_id', 'value': [nullif(f.personal_id, ''), rr.personal_id]} END,
                   CASE WHEN NOT list_contains(e.communes, r.commune)
                        THEN {'key': 'address', 'value': [nullif(f.address, ''), rr.commune_name]} END
                 ], lambda x: x IS NOT NULL))) AS differences
        FROM result_core rc
        JOIN ext e ON e.uid = rc.row_id
        JOIN ext_fields_full f ON f.row_id = rc.row_id
        JOIN reg r ON r.uid = rc.personal_id
        JOIN reg_display rr ON rr.personal_id = rc.personal_id
        WHERE rc.personal_id IS NOT NULL
        """
    )
    con.sql(
        """
        CREATE OR REPLACE TEMP TABLE result AS
        SELECT rc.*, d.differences
        FROM result_core rc LEFT JOIN _differences d USING (row_id)
        """
    )
