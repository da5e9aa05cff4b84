"""Reading a job's result file: paged correction lists and the RESULT CSV, with the officers'
review decisions laid over the engine's statuses.

The result of a run is a Parquet file (one row per extract row); a million rows stay out of
the database and DuckDB pages through them in milliseconds. Decisions live in the database
(:class:`~dancu.linkage.models.ReviewItem`), so every read joins them in: a confirmed row reads
``matched`` with the confirmed person and the differences against that person, a row that is
none of the candidates ``unmatched`` without differences, and a row whose candidate was rejected
stays ``review`` without that candidate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints

from dancu.linkage.engine.headers import FIELDS
from dancu.linkage.extract_files import media_path
from dancu.linkage.models import LinkJob, ReviewItem, ReviewState
from dancu.linkage.running import RESULT_CSV_COLUMNS

__all__ = ["FILTERS", "Difference", "ResultPage", "ResultRow", "result_page", "write_job_csv"]

#: The lists a results page can show: {filter: (label, SQL condition on the overlaid row)}.
FILTERS: Final[dict[str, tuple[str, str]]] = {
    "differences": (
        "Khớp nhưng có sai khác (danh sách cần chỉnh sửa) / Matched with differences (correction list)",
        "status = 'matched' AND has_differences",
    ),
    "review": ("Cần xem xét / To review", "status = 'review'"),
    "unmatched": ("Không tìm thấy / Unmatched", "status = 'unmatched'"),
    "duplicates": ("Trùng lặp trong tệp / Duplicates in the extract", "duplicate_of IS NOT NULL"),
    "clean": ("Khớp hoàn toàn / Matched, clean", "status = 'matched' AND NOT has_differences"),
    "all": ("Tất cả / All rows", "true"),
}

PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class Difference:
    """One differing field: the extract's value beside the register's."""

    field: str
    label: str
    extract: str
    register: str


@dataclass(frozen=True, slots=True)
class ResultRow:
    row_number: int
    row_id: str
    status: str
    personal_id: str
    score: float
    differences: list[Difference]
    explanation: str
    duplicate_of: str
    method: str


@dataclass(frozen=True, slots=True)
class ResultPage:
    rows: list[ResultRow]
    total: int
    page: int
    pages: int


def parse_differences(value: Any) -> list[Difference]:
    """The engine's ``{"field": [extract, register]}`` as labelled differences."""
    if isinstance(value, str):
        value = json.loads(value) if value else {}
    if not isinstance(value, dict):
        return []
    out = []
    for name, pair in value.items():
        extract, register = [*pair, "", ""][:2] if isinstance(pair, list) else ("", "")
        out.append(Difference(name, FIELDS.get(name) or name, str(extract or ""), str(register or "")))
    return out


def _decisions(job: LinkJob) -> pa.Table:
    """The rows officers changed: confirmed (to the engine's candidate or another person), none
    of the candidates, or still open after the engine's candidate was rejected."""
    changed = ReviewItem.objects.filter(job=job).exclude(state=ReviewState.PENDING, rejected_candidates=[])
    numbers, decided, people, found, differing = [], [], [], [], []
    for number, state, engine, chosen, engine_diff, chosen_diff, rejected in changed.values_list(
        "row_number",
        "state",
        "personal_id",
        "chosen_personal_id",
        "differences",
        "chosen_differences",
        "rejected_candidates",
    ):
        row: tuple[str, str | None, str | None, bool]
        if state == ReviewState.CONFIRMED:
            diff = engine_diff if chosen == engine else chosen_diff
            row = ("matched", chosen, json.dumps(diff, ensure_ascii=False), bool(diff))
        elif state == ReviewState.REJECTED:
            row = ("unmatched", None, None, False)
        elif engine in rejected:
            row = ("review", None, None, False)
        else:
            continue
        numbers.append(number)
        decided.append(row[0])
        people.append(row[1])
        found.append(row[2])
        differing.append(row[3])
    return pa.table(
        {
            "row_number": pa.array(numbers, pa.int64()),
            "decided": pa.array(decided, pa.string()),
            "decided_pid": pa.array(people, pa.string()),
            "decided_differences": pa.array(found, pa.string()),
            "decided_has_differences": pa.array(differing, pa.bool_()),
        }
    )


def _overlaid(con: duckdb.DuckDBPyConnection, job: LinkJob) -> None:
    path = str(media_path(job.result_name)).replace("'", "''")
    con.register("decisions", _decisions(job))
    con.execute(
        f"""
        CREATE TEMP VIEW results AS
        SELECT r.row_number, r.row_id,
               coalesce(d.decided, r.status) AS status,
               CASE WHEN d.decided IS NULL THEN r.personal_id ELSE d.decided_pid END AS personal_id,
               r.score,
               CASE WHEN d.decided IS NULL THEN r.differences ELSE d.decided_differences END AS differences,
               CASE WHEN d.decided IS NULL THEN r.has_differences ELSE d.decided_has_differences END
                 AS has_differences,
               CASE WHEN d.decided = 'matched' THEN 'Cán bộ đã xác nhận / confirmed by a reviewer'
                    WHEN d.decided = 'unmatched'
                    THEN 'Cán bộ xác định không ai trong số ứng viên / none of the candidates, by a reviewer'
                    WHEN d.decided = 'review'
                    THEN 'Cán bộ đã bác bỏ ứng viên; chờ chọn người khác / '
                         || 'a reviewer rejected the candidate; awaiting another choice'
                    ELSE r.explanation END AS explanation,
               r.duplicate_of,
               CASE WHEN d.decided IN ('matched', 'unmatched') THEN 'decision' ELSE r.method END AS method
        FROM read_parquet('{path}') r LEFT JOIN decisions d USING (row_number)
        """  # noqa: S608 — the path is our own generated file name
    )


def result_page(
    job: LinkJob, *, filter_name: str = "differences", page: int = 1, per_page: int = PER_PAGE
) -> ResultPage:
    """One page of the job's results under ``filter_name`` (see :data:`FILTERS`)."""
    condition = FILTERS.get(filter_name, FILTERS["differences"])[1]
    con = duckdb.connect()
    try:
        _overlaid(con, job)
        counted = con.execute(f"SELECT count(*) FROM results WHERE {condition}").fetchone()  # noqa: S608 — the condition comes from FILTERS
        total = int(counted[0]) if counted else 0
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        # Find the page's row numbers on the narrow columns first, then read the wide ones
        # (JSON, explanations) for those rows only: the file is in row order, so DuckDB skips
        # every row group outside the page.
        numbers = [
            int(r[0])
            for r in con.execute(
                f"SELECT row_number FROM results WHERE {condition} ORDER BY row_number LIMIT ? OFFSET ?",  # noqa: S608 — the condition comes from FILTERS
                [per_page, (page - 1) * per_page],
            ).fetchall()
        ]
        fetched = (
            con.execute(
                "SELECT row_number, row_id, status, personal_id, score, differences, explanation, duplicate_of, method "
                "FROM results WHERE row_number BETWEEN ? AND ? AND list_contains(?, row_number) ORDER BY row_number",
                [numbers[0], numbers[-1], numbers],
            ).fetchall()
            if numbers
            else []
        )
    finally:
        con.close()
    rows = [
        ResultRow(
            row_number=int(r[0]),
            row_id=str(r[1]),
            status=str(r[2]),
            personal_id=r[3] or "",
            score=float(r[4] or 0.0),
            differences=parse_differences(r[5]),
            explanation=r[6] or "",
            duplicate_of=r[7] or "",
            method=r[8] or "",
        )
        for r in fetched
    ]
    return ResultPage(rows=rows, total=total, page=page, pages=pages)


def write_job_csv(job: LinkJob, path: Path) -> None:
    """Write the job's RESULT CSV (decisions applied) to ``path``."""
    columns = ", ".join(RESULT_CSV_COLUMNS)
    target = str(path).replace("'", "''")
    con = duckdb.connect()
    try:
        _overlaid(con, job)
        con.execute(
            f"COPY (SELECT {columns} FROM results ORDER BY row_number) TO '{target}' (HEADER, DELIMITER ',')"  # noqa: S608 — our own column names and temp path
        )
    finally:
        con.close()
