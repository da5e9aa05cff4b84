"""The background job that links an uploaded extract (run by ``dancu worker``), and the
function it shares with ``dancu link``."""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
from django_tasks import task

from dancu.linkage.actions import do_fail_job, do_finish_job, do_report_progress, do_start_job
from dancu.linkage.extract_files import RESULT_DIR, media_path, work_dir
from dancu.linkage.models import LinkJob
from dancu.linkage.queries import prior_decisions
from dancu.linkage.running import (
    LinkInputError,
    Progress,
    overall_percent,
    read_fields,
    run_linkage,
    write_result_csv,
    write_result_parquet,
)

__all__ = ["execute_job", "run_link_job"]

log = logging.getLogger("dancu.linkage")

#: Progress is written to the database at most this often (seconds), except at stage ends.
PROGRESS_INTERVAL = 0.5


def _throttled_progress(job_id: int, also: Progress | None) -> Progress:
    last_at = [0.0]
    last_stage = [""]
    furthest = [0]

    def report(stage: str, done: int, total: int) -> None:
        if also is not None:
            also(stage, done, total)
        # The bar never moves back, whatever order the stages report in.
        furthest[0] = max(furthest[0], overall_percent(stage, done, total))
        now = time.monotonic()
        if stage != last_stage[0] or done >= total or now - last_at[0] >= PROGRESS_INTERVAL:
            last_at[0], last_stage[0] = now, stage
            do_report_progress(job_id, stage, done, total, furthest[0])

    return report


def execute_job(
    job: LinkJob,
    extract: Path,
    *,
    fields: pa.Table | None = None,
    progress: Progress | None = None,
    result_csv: Path | None = None,
) -> LinkJob:
    """Run a job that is already ``running``: link, store the result files, record the outcome.

    ``fields`` is the extract already read with the job's mapping (the CLI reads it first to
    check it); otherwise ``extract`` is read here. ``progress`` also receives every report
    (the CLI's progress bar); ``result_csv`` additionally writes the RESULT file there (the
    CLI's ``--out``, replaced only on success). A bad extract or any failure marks the job
    failed with its message and re-raises.
    """
    report = _throttled_progress(job.pk, progress)
    try:
        if fields is None:
            report("extract", 0, 1)
            fields, _mapping = read_fields(extract, job.mapping)
            report("extract", 1, 1)
        outcome = run_linkage(fields, work_dir=work_dir(job), prior=prior_decisions(job.source), progress=report)
        result_name = f"{RESULT_DIR}/{secrets.token_hex(16)}.parquet"
        write_result_parquet(outcome.table, media_path(result_name))
        if result_csv is not None:
            write_result_csv(outcome.table, result_csv)
        report("save", 1, 1)
        return do_finish_job(job, outcome, fields, result_name=result_name)
    except LinkInputError as exc:
        do_fail_job(job, str(exc))
        raise
    except KeyboardInterrupt:
        # Ctrl-C on ``dancu link``: the job must not stay "running" for ever.
        do_fail_job(job, "Người chạy lệnh đã dừng phiên này / The operator interrupted this run")
        raise
    except Exception as exc:
        log.exception("link job %s failed", job.public_id)
        do_fail_job(job, f"Lỗi khi liên kết / Linkage failed: {type(exc).__name__}: {exc}")
        raise


@task()
def run_link_job(job_id: int) -> str:
    """Run a queued upload job (enqueued when its mapping is confirmed); returns its status."""
    job = do_start_job(job_id)
    if job is None:
        return "skipped"
    try:
        execute_job(job, media_path(job.extract_name))
    except Exception:  # noqa: BLE001 — already recorded on the job by execute_job
        return "failed"
    return "done"
