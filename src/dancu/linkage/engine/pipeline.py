"""Link a sectoral extract to the population register: ``link(extract, register)``.

Three stages, each cheap where the data allows:

1. **ID rules** (DuckDB): a row whose personal ID or former ID-card number is in
   the register links at once when the given name and the birth date agree;
   a shared ID with another name is a family member's card and links nothing.
2. **Splink** for the rest: candidates from blocking rules, Fellegi–Sunter
   weights with term frequencies; u from random pairs, m from the pairs stage 1
   linked by ID (labels for free), priors where the extract has no IDs.
3. **Decisions**: the best register candidate per row, a margin over the
   runner-up, a veto when the given name or the birth date disagree, duplicates
   inside the extract flagged, prior review decisions applied; the field-by-field
   differences against the register form the agency's correction list.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type stubs
import pyarrow.csv as pacsv  # type: ignore[import-untyped]  # pyarrow ships no type stubs

from .decide import Thresholds, decide
from .headers import HeaderMapping
from .prepare import (
    Register,
    add_household_context,
    clean_extract,
    home_provinces,
    load_register,
    prepare_extract,
    prepare_register,
)
from .reading import Extract, read_extract
from .scoring import score_with_splink

__all__ = ["Decision", "LinkResult", "Progress", "Thresholds", "link"]

Progress = Callable[[str, int, int], None]
#: A prior review decision for one extract row: the personal ID, or ``"rejected"``.
Decision = str

RESULT_COLUMNS: Final = (
    "row_id", "personal_id", "status", "score", "differences", "explanation",
    "duplicate_of", "method",
)  # fmt: skip


@dataclass
class LinkResult:
    """One row per extract row (``table``), the header mapping used and run statistics."""

    table: pa.Table
    mapping: HeaderMapping
    stats: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> Iterator[dict[str, Any]]:
        """The result rows as dicts, in extract order."""
        yield from self.table.to_pylist()

    def to_csv(self, path: str | Path) -> None:
        """Write the result as UTF-8 CSV (the ``dancu link --out`` file)."""
        pacsv.write_csv(self.table, str(path))


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    threads = os.cpu_count() or 2
    con.sql(f"SET threads = {threads}")
    # Spill to disk rather than fail on the national-scale joins.
    con.sql(f"SET temp_directory = '{tempfile.gettempdir()}/dancu-linkage'")
    con.sql("SET preserve_insertion_order = false")
    # Keep DuckDB's share bounded so a national extract spills to disk instead of
    # taking the machine: half the memory, at most 6 GB (1M x 2M peaks near 4.6 GB).
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    con.sql(f"SET memory_limit = '{min(physical // 2, 6 * 1024**3) // 1024**2}MB'")
    return con


def _id_rules(con: duckdb.DuckDBPyConnection) -> None:
    """Stage 1: ID links where the given name and the birth date agree (table ``id_links``)."""
    agrees = """
        e.given_f = r.given_f
        AND (e.surname_g = r.surname_g OR e.middle_f = r.middle_f OR e.surname_g IS NULL
             OR (e.family_abbr IS NOT NULL AND e.family_i = r.family_i))
        AND (e.dob_year IS NULL OR r.dob_year IS NULL
             OR e.dob = r.dob OR e.dob_alt = r.dob
             OR ((e.dob IS NULL OR r.dob IS NULL) AND abs(e.dob_year - r.dob_year) <= 1)
             OR (e.dob_year = r.dob_year AND (substr(e.dob, 6, 2) = substr(r.dob, 6, 2)
                                              OR substr(e.dob, 9, 2) = substr(r.dob, 9, 2)))
             OR (e.dob_md = r.dob_md AND abs(e.dob_year - r.dob_year) <= 1))
    """
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE id_links AS
        WITH hits AS (
            SELECT e.uid, r.uid AS rid, 'personal_id' AS method, 1 AS pref
            FROM ext e JOIN reg r ON e.pid = r.pid WHERE {agrees}
            UNION ALL
            SELECT e.uid, r.uid AS rid, 'old_id_number' AS method, 2 AS pref
            FROM ext e JOIN reg r ON e.old_id = r.old_id WHERE {agrees}
        )
        SELECT uid, arg_min(rid, pref) AS rid, arg_min(method, pref) AS method
        FROM hits GROUP BY uid
        """  # noqa: S608  # SQL built from our own constants, never from input
    )


def _apply_decisions(con: duckdb.DuckDBPyConnection, decisions: Mapping[str, Decision]) -> None:
    rows = pa.table(
        {
            "uid": pa.array([str(k) for k in decisions], pa.string()),
            "decision": pa.array([str(v) for v in decisions.values()], pa.string()),
        }
    )
    con.register("_decisions", rows)
    con.sql(
        """
        CREATE OR REPLACE TEMP TABLE result AS
        SELECT res.row_id,
               CASE WHEN d.decision IS NULL THEN res.personal_id
                    WHEN d.decision = 'rejected' THEN NULL
                    ELSE d.decision END AS personal_id,
               CASE WHEN d.decision IS NULL THEN res.status
                    WHEN d.decision = 'rejected' THEN 'unmatched'
                    ELSE 'matched' END AS status,
               CASE WHEN d.decision IS NULL THEN res.score ELSE 1.0 END AS score,
               res.differences,
               CASE WHEN d.decision IS NULL THEN res.explanation
                    WHEN d.decision = 'rejected'
                    THEN 'Cán bộ đã từ chối liên kết / rejected by a reviewer earlier'
                    ELSE 'Cán bộ đã xác nhận / confirmed by a reviewer earlier' END
                 AS explanation,
               res.duplicate_of,
               CASE WHEN d.decision IS NULL THEN res.method ELSE 'decision' END AS method
        FROM result res LEFT JOIN _decisions d ON d.uid = res.row_id
        """
    )
    con.unregister("_decisions")


def link(
    extract: Extract,
    register: Register,
    *,
    backend: Literal["duckdb", "spark"] = "duckdb",
    decisions: Mapping[str, Decision] | None = None,
    progress: Progress | None = None,
    mapping: Mapping[str, str] | None = None,
    thresholds: Thresholds | None = None,
    spark: Any = None,
) -> LinkResult:
    """Link ``extract`` to ``register``; one result row per extract row.

    ``extract`` is a CSV/XLSX path, an Arrow table or rows (dicts) with the
    agency's own headers (``mapping`` corrects the recognised ones).
    ``register`` is a DuckDB relation, an Arrow table, or a Parquet/CSV path with
    the canonical register columns (personal_id, full_name, birth_date, sex,
    old_id_number, household_id, commune_code, province_code, phone, …).
    ``decisions`` are prior review decisions {row_id: personal_id | "rejected"}.
    ``backend="spark"`` scores the candidate pairs with Splink's Spark backend on
    the given ``spark`` session. ``progress(stage, done, total)`` is called as
    the work advances.
    """
    if backend not in ("duckdb", "spark"):
        raise ValueError(f"Backend không hỗ trợ / Unsupported backend: {backend}")
    logging.getLogger("splink").setLevel(logging.WARNING)
    report = progress or (lambda stage, done, total: None)
    con = _connect()
    try:
        report("read", 0, 1)
        fields, header_mapping = read_extract(extract, mapping)
        con.register(
            "ext_fields",
            fields.append_column("row_order", pa.array(range(fields.num_rows), pa.int64())),
        )
        present = set(fields.column_names)
        raw = ", ".join(
            c if c in present else f"CAST(NULL AS VARCHAR) AS {c}"
            for c in ("full_name", "birth_date", "sex", "personal_id", "address")
        )
        con.sql(f"CREATE OR REPLACE TEMP VIEW ext_fields_full AS SELECT row_id, {raw} FROM ext_fields")  # noqa: S608  # SQL built from our own constants, never from input
        report("read", 1, 1)
        load_register(con, register)
        # The extract's cleaning is Python and Arrow, the register's preparation DuckDB
        # (which lets go of the GIL): run them side by side.
        with ThreadPoolExecutor(max_workers=1) as pool:
            cleaning = pool.submit(clean_extract, fields, home_provinces(con))
            prepare_register(con)
            cleaned = cleaning.result()
        prepare_extract(con, fields, report, cleaned=cleaned)
        report("id_rules", 0, 1)
        _id_rules(con)
        add_household_context(con)
        report("id_rules", 1, 1)
        scored = score_with_splink(con, backend=backend, spark=spark, progress=report)
        report("decide", 0, 1)
        decide(con, thresholds or Thresholds())
        if decisions:
            _apply_decisions(con, decisions)
        columns = ", ".join(f"res.{c}" for c in RESULT_COLUMNS)
        table = con.sql(
            f"SELECT {columns} FROM result res JOIN ext_fields f USING (row_id) ORDER BY f.row_order"  # noqa: S608  # SQL built from our own constants, never from input
        ).to_arrow_table()
        report("decide", 1, 1)
        counts = dict(con.sql("SELECT status, count(*) FROM result GROUP BY status").fetchall())
        stats = {
            "rows": fields.num_rows,
            "id_links": con.execute("SELECT count(*) FROM id_links").fetchall()[0][0],
            "scored_pairs": scored,
            **{k: int(v) for k, v in counts.items()},
        }
        return LinkResult(table=table, mapping=header_mapping, stats=stats)
    finally:
        con.close()
