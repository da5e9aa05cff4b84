"""One linkage run: read the extract, export the register, call the engine, shape the result.

Shared by the background task (web uploads) and ``dancu link`` (the CLI). It touches the
database only to read the register; recording the job, its review queue and its audit entry is
the caller's business (:mod:`dancu.linkage.actions`).

Review decisions are kept per *source* and keyed by a fingerprint of the row's identifying
values (:func:`row_keys`), not by the row number, so they survive an agency renumbering its
rows; before each run the settled ones are turned into the engine's
``{row_id: personal_id | "rejected"}``, and a row the engine links to a candidate an officer
rejected for it goes back to review.
"""

from __future__ import annotations

import hashlib
import shutil
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.compute as pc  # type: ignore[import-untyped]  # same
import pyarrow.csv as pacsv  # type: ignore[import-untyped]  # same
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # same

from dancu.linkage.engine.headers import FIELDS, HeaderMapping, MappingError
from dancu.linkage.engine.pipeline import link
from dancu.linkage.engine.reading import ExtractError, read_extract
from dancu.linkage.register_export import count_register, write_register_parquet

__all__ = [
    "FINGERPRINT_FIELDS",
    "REQUIRED_FIELDS",
    "RESULT_CSV_COLUMNS",
    "STAGES",
    "LinkInputError",
    "PriorDecision",
    "Progress",
    "RunOutcome",
    "fold_decisions",
    "overall_percent",
    "read_fields",
    "row_keys",
    "run_linkage",
    "write_result_csv",
]

Progress = Callable[[str, int, int], None]

#: Fields an extract must have for linkage to mean anything.
REQUIRED_FIELDS: Final = ("full_name",)

#: The values that identify a row for reusing decisions; other columns (phone, ethnicity) may
#: change between runs without losing the officer's decision.
FINGERPRINT_FIELDS: Final = ("full_name", "birth_date", "birth_year", "sex", "personal_id", "old_id_number", "address")

#: The RESULT file of ``dancu link`` (DESIGN.md §4): the contract's columns first.
RESULT_CSV_COLUMNS: Final = (
    "row_id",
    "personal_id",
    "status",
    "score",
    "differences",
    "explanation",
    "duplicate_of",
    "method",
)

#: The stages of a run in order, with the share of the progress bar each one fills. Reading
#: the file, exporting the register and saving are ours; the others are the engine's stage names
#: ("read" is the engine taking in the already-read field table).
STAGES: Final[dict[str, tuple[int, int]]] = {
    "extract": (0, 10),
    "register": (10, 25),
    "read": (25, 27),
    "normalise": (27, 45),
    "id_rules": (45, 50),
    "train": (50, 68),
    "score": (68, 90),
    "decide": (90, 96),
    "save": (96, 100),
}

STAGE_LABELS: Final[dict[str, str]] = {
    "extract": "Đọc tệp / Reading the extract",
    "register": "Xuất sổ dân cư / Exporting the register",
    "read": "Chuẩn bị dữ liệu / Preparing the data",
    "normalise": "Chuẩn hoá dữ liệu / Cleaning the data",
    "id_rules": "Đối chiếu số định danh / Matching ID numbers",
    "train": "Ước lượng mô hình / Estimating the model",
    "score": "Chấm điểm cặp ứng viên / Scoring candidate pairs",
    "decide": "Quyết định và giải thích / Deciding and explaining",
    "save": "Lưu kết quả / Saving the results",
}


class LinkInputError(ValueError):
    """An extract or mapping that cannot be linked; the message names the column and reason."""


@dataclass(frozen=True, slots=True)
class PriorDecision:
    """What officers decided earlier about a row of the same source, folded from the journal.

    ``decision`` is ``"confirm"`` (the row is ``personal_id``), ``"none"`` (nobody in the
    register) or ``""`` (not settled; only candidates were rejected). ``rejected`` holds the
    candidates said not to be the row's person.
    """

    decision: str
    personal_id: str = ""
    rejected: frozenset[str] = frozenset()


def fold_decisions(entries: Iterable[tuple[str, str]]) -> PriorDecision:
    """Fold one row's journal entries (decision, personal ID), oldest first, into what holds now:
    a later confirm or "none" replaces an earlier one; rejecting the confirmed person unsettles
    the row; confirming a rejected person takes the rejection back."""
    settled, person, rejected = "", "", set()
    for decision, personal_id in entries:
        if decision == "confirm":
            settled, person = "confirm", personal_id
            rejected.discard(personal_id)
        elif decision == "none":
            settled, person = "none", ""
        elif decision == "reject":
            rejected.add(personal_id)
            if settled == "confirm" and person == personal_id:
                settled, person = "", ""
    return PriorDecision(settled, person, frozenset(rejected))


@dataclass
class RunOutcome:
    """What a run produced: the result table (one row per extract row, in extract order, with
    ``row_number`` and ``row_key`` added), the size of the register and the counts."""

    table: pa.Table
    register_rows: int
    counts: dict[str, int] = field(default_factory=dict)
    #: {row_key: personal IDs officers rejected} for this extract's rows.
    rejected: dict[str, list[str]] = field(default_factory=dict)


def overall_percent(stage: str, done: int, total: int) -> int:
    """The progress bar's position (0–100) for ``done`` of ``total`` within ``stage`` (0 for a
    stage it does not know)."""
    start, end = STAGES.get(stage, (0, 0))
    fraction = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
    return int(start + (end - start) * fraction)


def read_fields(extract: Path, overrides: Mapping[str, str] | None = None) -> tuple[pa.Table, HeaderMapping]:
    """Read an extract into the engine's field table; :class:`LinkInputError` names what is wrong."""
    try:
        fields, mapping = read_extract(extract, overrides)
    except (ExtractError, MappingError) as exc:
        raise LinkInputError(str(exc)) from exc
    for required in REQUIRED_FIELDS:
        if required not in mapping.fields:
            raise LinkInputError(
                f"Thiếu cột bắt buộc “{FIELDS[required]}” ({required}) / Required column missing: {required}"
            )
    if fields.num_rows == 0:
        raise LinkInputError("Tệp không có dòng dữ liệu nào / The extract has no data rows")
    return fields, mapping


def _fingerprint_part(value: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def row_keys(fields: pa.Table) -> list[str]:
    """A fingerprint per row of its identifying values (SHA-256, hex, 32 characters)."""
    n = fields.num_rows
    columns = [
        fields.column(name).to_pylist() if name in fields.column_names else [""] * n for name in FINGERPRINT_FIELDS
    ]
    keys = []
    for values in zip(*columns, strict=True):
        text = "\x1f".join(_fingerprint_part(v) for v in values)
        keys.append(hashlib.sha256(text.encode()).hexdigest()[:32])
    return keys


def engine_decisions(row_ids: list[str], keys: list[str], prior: Mapping[str, PriorDecision]) -> dict[str, str]:
    """The engine's form of the prior decisions that apply to this extract's rows."""
    decisions = {}
    for row_id, key in zip(row_ids, keys, strict=True):
        found = prior.get(key)
        if found is not None and found.decision == "confirm":
            decisions[row_id] = found.personal_id
        elif found is not None and found.decision == "none":
            decisions[row_id] = "rejected"
    return decisions


REJECTED_CANDIDATE: Final = (
    "Cán bộ đã bác bỏ ứng viên này trước đây; cần chọn người khác / "
    "a reviewer rejected this candidate earlier; choose another"
)


def reopen_rejected_candidates(table: pa.Table, prior: Mapping[str, PriorDecision]) -> tuple[pa.Table, int]:
    """Send back to review every row the engine linked to a candidate an officer rejected for it
    (the engine knows only settled decisions); return the table and how many rows changed."""
    rejected = {key: p.rejected for key, p in prior.items() if p.rejected and not p.decision}
    if not rejected:
        return table, 0
    hits = pc.is_in(table.column("row_key"), value_set=pa.array(list(rejected), pa.string()))
    indices = pc.indices_nonzero(hits).to_pylist()
    if not indices:
        return table, 0
    status = table.column("status").to_pylist()
    explanation = table.column("explanation").to_pylist()
    keys = table.column("row_key").to_pylist()
    people = table.column("personal_id").to_pylist()
    changed = 0
    for i in indices:
        if people[i] in rejected[keys[i]] and status[i] in {"matched", "review"}:
            status[i] = "review"
            explanation[i] = REJECTED_CANDIDATE
            changed += 1
    table = table.set_column(table.schema.get_field_index("status"), "status", pa.array(status, pa.string()))
    table = table.set_column(
        table.schema.get_field_index("explanation"), "explanation", pa.array(explanation, pa.string())
    )
    return table, changed


def run_linkage(
    fields: pa.Table,
    *,
    work_dir: Path,
    prior: Mapping[str, PriorDecision] | None = None,
    progress: Progress | None = None,
) -> RunOutcome:
    """Link the field table to the whole register and return the shaped outcome.

    ``work_dir`` holds the register's Parquet copy during the run; it is removed afterwards
    because it holds the whole register's personal data.
    """
    report = progress or (lambda stage, done, total: None)
    keys = row_keys(fields)
    row_ids = [str(v) for v in fields.column("row_id").to_pylist()]
    decisions = engine_decisions(row_ids, keys, prior or {})
    total = count_register()
    report("register", 0, total)
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        export = write_register_parquet(work_dir / "register.parquet", progress=lambda n: report("register", n, total))
        # The field table already carries the engine's field names; naming each column as
        # itself keeps the engine from guessing again.
        result = link(
            fields,
            str(export.path),
            decisions=decisions,
            progress=report,
            mapping={name: name for name in fields.column_names},
        )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    report("save", 0, 1)
    table = result.table
    table = table.append_column("row_number", pa.array(range(1, table.num_rows + 1), pa.int64()))
    by_row = dict(zip(row_ids, keys, strict=True))
    table = table.append_column("row_key", pa.array([by_row[str(r)] for r in table.column("row_id").to_pylist()]))
    table, reopened = reopen_rejected_candidates(table, prior or {})
    # A narrow flag beside the wide JSON, so result pages filter without reading the JSON.
    table = table.append_column("has_differences", has_differences(table))
    outcome = RunOutcome(table=table, register_rows=export.rows)
    outcome.counts = count_results(table)
    outcome.counts["decisions_reused"] = len(decisions) + reopened
    present = set(keys)
    outcome.rejected = {k: sorted(p.rejected) for k, p in (prior or {}).items() if p.rejected and k in present}
    return outcome


def has_differences(table: pa.Table) -> pa.ChunkedArray:
    """Per row: does the register differ from the extract in any field?"""
    # The engine writes ``{}`` when nothing differs and NULL when there is no candidate.
    differences = pc.cast(table.column("differences"), pa.string())
    return pc.and_(pc.is_valid(differences), pc.invert(pc.is_in(differences, value_set=pa.array(["{}", ""]))))


def count_results(table: pa.Table) -> dict[str, int]:
    """Counts per status, matched rows split into clean and with differences, duplicates."""
    status = table.column("status")
    matched = pc.equal(status, "matched")
    differing = has_differences(table)
    return {
        "rows": table.num_rows,
        "matched": pc.sum(matched).as_py() or 0,
        "matched_clean": pc.sum(pc.and_(matched, pc.invert(differing))).as_py() or 0,
        "matched_with_differences": pc.sum(pc.and_(matched, differing)).as_py() or 0,
        "review": pc.sum(pc.equal(status, "review")).as_py() or 0,
        "unmatched": pc.sum(pc.equal(status, "unmatched")).as_py() or 0,
        "duplicates": table.num_rows - table.column("duplicate_of").null_count,
    }


def write_result_csv(table: pa.Table, path: Path) -> None:
    """Write the RESULT file (UTF-8 CSV, contract columns first) atomically."""
    partial = path.with_name(path.name + ".part")
    try:
        pacsv.write_csv(table.select(list(RESULT_CSV_COLUMNS)), str(partial))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def write_result_parquet(table: pa.Table, path: Path) -> None:
    """Write the full result table (with row numbers and keys) for the result pages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        pq.write_table(table, str(partial), compression="zstd")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
