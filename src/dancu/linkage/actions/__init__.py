"""Every write of the linkage app. ``do_*`` changes state and writes its audit entry in one
transaction; ``check_*`` validates (permissions, state, input) and then calls ``do_*``.

Audit actions: ``linkage.source.create``, ``linkage.job.upload``, ``linkage.job.mapping``,
``linkage.job.run`` (once per run: the run reads the whole register, so the entry carries the
register size and the counts), ``linkage.job.failed``, ``linkage.review.decide`` (one per
decision, with the person's ID as subject), ``linkage.job.rerun``, ``linkage.job.files_removed``
and ``linkage.refused``. One module per concern; import from here.
"""

from __future__ import annotations

from dancu.linkage.actions.jobs import (
    CLI_STOPPED,
    WORKER_STOPPED,
    check_confirm_mapping,
    check_rerun_job,
    check_upload_extract,
    do_abandon_job,
    do_create_cli_job,
    do_fail_job,
    do_fail_stranded_cli_jobs,
    do_finish_job,
    do_report_progress,
    do_start_job,
    job_actor,
    may_rerun,
)
from dancu.linkage.actions.retention import (
    check_remove_job_files,
    do_remove_expired_files,
    do_remove_job_files,
)
from dancu.linkage.actions.review import (
    check_decide_review,
    do_decide_review,
)
from dancu.linkage.actions.sources import (
    PURPOSE,
    LinkageInputError,
    do_ensure_source,
    do_record_refusal,
    normalise_source_name,
    suggested_mapping,
    validate_mapping,
)

__all__ = [
    "CLI_STOPPED",
    "PURPOSE",
    "WORKER_STOPPED",
    "LinkageInputError",
    "check_confirm_mapping",
    "check_decide_review",
    "check_remove_job_files",
    "check_rerun_job",
    "check_upload_extract",
    "do_abandon_job",
    "do_create_cli_job",
    "do_decide_review",
    "do_ensure_source",
    "do_fail_job",
    "do_fail_stranded_cli_jobs",
    "do_finish_job",
    "do_record_refusal",
    "do_remove_expired_files",
    "do_remove_job_files",
    "do_report_progress",
    "do_start_job",
    "job_actor",
    "may_rerun",
    "normalise_source_name",
    "suggested_mapping",
    "validate_mapping",
]
