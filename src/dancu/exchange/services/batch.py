"""``batch-verify`` as a background job: a CSV file in, a CSV result to download.

Input header (English names; the usual Vietnamese ones accepted): ``personal_id`` (required),
``full_name``, ``birth_date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), ``sex`` (``male``/
``female``/``Nam``/``Nữ``), ``commune_code``, ``address_line``. Every record is verified and
audited exactly like a ``verify`` call; the work runs in chunks of :data:`CHUNK` records, one
transaction each, so a large file never holds the database's write lock for long.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import Iterator
from typing import Any, Final

from django.db import DatabaseError, transaction
from django.utils import timezone

from dancu.core.audit import Actor, record
from dancu.core.personal_id import InvalidPersonalId, normalize_sex
from dancu.core.text import fold
from dancu.exchange.calls import FAILED, OK, Call, Served, audit_call, call_transaction, encode_json
from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.models import BatchJob, BatchJobStatus, MemberSystem
from dancu.exchange.policy import authorise, current_policy
from dancu.exchange.services.verify import VerifyQuery, verify_many

__all__ = [
    "CHUNK",
    "MAX_ROWS",
    "WORKER_STOPPED",
    "fail_abandoned_job",
    "job_result",
    "job_status",
    "parse_rows",
    "run_job",
    "submit_job",
]

CHUNK: Final = 2000
MAX_ROWS: Final = 100_000
KEEP_RESULTS: Final = dt.timedelta(days=7)
_PERSONAL_ID = re.compile(r"^[0-9]{12}$")
_BIRTH_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
_COMMUNE = re.compile(r"^[0-9]{1,10}$")
_ALIASES: Final = {
    "personal_id": "personal_id",
    "so dinh danh": "personal_id",
    "so dinh danh ca nhan": "personal_id",
    "so_dinh_danh": "personal_id",
    "full_name": "full_name",
    "ho va ten": "full_name",
    "ho_ten": "full_name",
    "birth_date": "birth_date",
    "ngay sinh": "birth_date",
    "ngay_sinh": "birth_date",
    "sex": "sex",
    "gioi tinh": "sex",
    "gioi_tinh": "sex",
    "commune_code": "commune_code",
    "ma xa": "commune_code",
    "address_line": "address_line",
    "dia chi": "address_line",
}
RESULT_COLUMNS: Final = (
    "row",
    "personal_id",
    "found",
    "full_name",
    "birth_date",
    "sex",
    "permanent_address",
    "all_match",
    "refused",
)


def _problem_rows(problems: list[dict[str, Any]]) -> ExchangeError:
    shown = problems[:20]
    summary = "; ".join(f"dòng/row {p['row']} {p['column']}: {p['reason']}" for p in shown)
    return ExchangeError(
        ErrorCode.INVALID_REQUEST,
        f"Tệp có {len(problems)} dòng lỗi / the file has {len(problems)} invalid rows: {summary}"[:1500],
        extra={"rows": shown},
    )


def _real_date(text: str) -> bool:
    parts = [int(p) for p in text.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    """The reader's rows; a line the CSV reader cannot read (a NUL byte, say) is refused by its
    line number instead of failing the request."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = getattr(reader, "line_num", "?")
            raise ExchangeError(
                ErrorCode.INVALID_REQUEST,
                f"Dòng {line} không đọc được ({exc}) / line {line} cannot be read as CSV ({exc})",
            ) from exc
        yield cells


def parse_rows(data: bytes) -> list[VerifyQuery]:
    """The records of a CSV file (UTF-8, with or without BOM); refuse the file naming each bad
    row, column and reason."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExchangeError(ErrorCode.INVALID_REQUEST, "Tệp phải mã hóa UTF-8 / the file must be UTF-8") from exc
    # Universal newlines: a lone carriage return (old Mac or hand-edited files) ends a line.
    reader = _rows(csv.reader(io.StringIO(text, newline=None)))
    header = next(reader, None)
    if not header:
        raise ExchangeError(ErrorCode.INVALID_REQUEST, "Tệp rỗng / the file is empty")
    columns = [_ALIASES.get(fold(h).replace("-", " ").strip(), "") for h in header]
    if "personal_id" not in columns:
        raise ExchangeError(ErrorCode.INVALID_REQUEST, "Thiếu cột personal_id / the personal_id column is missing")
    queries: list[VerifyQuery] = []
    problems: list[dict[str, Any]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(queries) >= MAX_ROWS:
            raise ExchangeError(ErrorCode.INVALID_REQUEST, f"Tối đa {MAX_ROWS} dòng / at most {MAX_ROWS} rows per file")
        values = {col: cell.strip() for col, cell in zip(columns, cells, strict=False) if col}
        pid = "".join(values.get("personal_id", "").split())
        if not _PERSONAL_ID.match(pid):
            problems.append({"row": number, "column": "personal_id", "reason": "cần 12 chữ số / 12 digits expected"})
            continue
        birth = values.get("birth_date") or None
        if birth is not None and not (_BIRTH_DATE.match(birth) and _real_date(birth)):
            problems.append({"row": number, "column": "birth_date", "reason": "YYYY, YYYY-MM hoặc/or YYYY-MM-DD"})
            continue
        sex_text = values.get("sex") or None
        sex = None
        if sex_text is not None:
            try:
                sex = normalize_sex(sex_text)
            except InvalidPersonalId:
                problems.append({"row": number, "column": "sex", "reason": "male/female, Nam/Nữ"})
                continue
        commune = values.get("commune_code") or None
        if commune is not None and not _COMMUNE.match(commune):
            problems.append({"row": number, "column": "commune_code", "reason": "mã số / digits"})
            continue
        queries.append(
            VerifyQuery(
                personal_id=pid,
                full_name=(values.get("full_name") or None),
                birth_date=birth,
                sex=sex,
                commune_code=commune,
                address_line=(values.get("address_line") or None),
            )
        )
    if problems:
        raise _problem_rows(problems)
    if not queries:
        raise ExchangeError(ErrorCode.INVALID_REQUEST, "Tệp không có dòng dữ liệu / the file has no data rows")
    return queries


def _job_json(job: BatchJob, base_path: str) -> dict[str, Any]:
    def iso(value: dt.datetime | None) -> str | None:
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None

    return {
        "job_id": str(job.job_id),
        "status": job.status,
        "rows": job.rows,
        "found": job.found,
        "created_at": iso(job.created_at),
        "finished_at": iso(job.finished_at),
        "expires_at": iso(job.expires_at),
        "error": job.error or None,
        "result_url": f"{base_path}/{job.job_id}/result" if job.status == BatchJobStatus.DONE else None,
    }


def submit_job(call: Call, data: bytes, *, name_match: str, base_path: str) -> Served:
    """File a job (answers 202); the worker runs it."""
    queries = parse_rows(data)
    asked = sorted({f for q in queries for f in q.fields})
    authorise(call.policy, call.system, service=call.service, purpose=call.purpose, fields=asked)
    from dancu.exchange.tasks import run_batch_job

    try:
        with call_transaction():
            job = BatchJob.objects.create(
                system_id=call.system.id,
                purpose_id=call.policy.purposes[call.purpose].id,
                officer=call.officer,
                dossier=call.dossier,
                request_id=call.request_id,
                name_match=name_match,
                input_csv=data,
                rows=len(queries),
                expires_at=timezone.now() + KEEP_RESULTS,
            )
            body = encode_json(_job_json(job, base_path))
            audit_call(
                call, outcome=OK, body=body, details={"job": str(job.job_id), "rows": len(queries), "step": "submitted"}
            )
            job_id = str(job.job_id)
            transaction.on_commit(lambda: run_batch_job.enqueue(job_id))
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body, status=202)


def _own_job(call: Call, job_id: str) -> BatchJob:
    try:
        key = uuid.UUID(job_id)
    except ValueError:
        key = None
    job = BatchJob.objects.filter(job_id=key, system_id=call.system.id).first() if key else None
    if job is None or job.expires_at <= timezone.now():
        raise ExchangeError(ErrorCode.NOT_FOUND, "Không có công việc này / no such job")
    return job


def job_status(call: Call, job_id: str, *, base_path: str) -> Served:
    authorise(call.policy, call.system, service=call.service, purpose=call.purpose)
    job = _own_job(call, job_id)
    body = encode_json(_job_json(job, base_path))
    try:
        with call_transaction():
            audit_call(call, outcome=OK, body=body, details={"job": job_id, "step": "status"})
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body)


def job_result(call: Call, job_id: str) -> Served:
    """The result file of a finished job (``409`` while it is still running)."""
    authorise(call.policy, call.system, service=call.service, purpose=call.purpose)
    job = _own_job(call, job_id)
    if job.status != BatchJobStatus.DONE or job.result_csv is None:
        raise ExchangeError(
            ErrorCode.CONFLICT, f"Công việc chưa xong ({job.status}) / the job is not done ({job.status})"
        )
    body = bytes(job.result_csv)
    try:
        with call_transaction():
            audit_call(call, outcome=OK, body=body, details={"job": job_id, "step": "result", "rows": job.rows})
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body, content_type="text/csv; charset=utf-8")


def _chunks(items: list[VerifyQuery]) -> Iterator[list[VerifyQuery]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _cell(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def run_job(job_id: str) -> str:
    """Verify a queued job's records chunk by chunk and store the result file."""
    job = BatchJob.objects.select_related("purpose").filter(job_id=job_id).first()
    if job is None or job.status not in {BatchJobStatus.QUEUED, BatchJobStatus.RUNNING}:
        return "skipped"
    BatchJob.objects.filter(pk=job.pk).update(status=BatchJobStatus.RUNNING)
    policy = current_policy()
    client_id = MemberSystem.objects.filter(pk=job.system_id).values_list("client_id", flat=True).first()
    system = policy.systems_by_client.get(client_id or "")
    try:
        if system is None or not system.active:
            raise ExchangeError(ErrorCode.CLIENT_SUSPENDED)
        call = Call(
            system=system,
            policy=policy,
            service="batch-verify",
            purpose=job.purpose.code,
            officer=job.officer,
            dossier=job.dossier,
            request_id=job.request_id,
        )
        queries = parse_rows(bytes(job.input_csv))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(RESULT_COLUMNS)
        found = 0
        row_number = 0
        for chunk in _chunks(queries):
            _, results = verify_many(call, chunk, name_match=job.name_match, job_id=job_id)
            for item in results:
                row_number += 1
                matches = item["matches"]
                found += bool(item["found"])
                writer.writerow(
                    [
                        row_number,
                        item["personal_id"],
                        _cell(item["found"]),
                        _cell(matches.get("full_name")),
                        _cell(matches.get("birth_date")),
                        _cell(matches.get("sex")),
                        _cell(matches.get("permanent_address")),
                        _cell(item["answer"]["status"]),
                        item.get("refused", ""),
                    ]
                )
    except ExchangeError as exc:
        BatchJob.objects.filter(pk=job.pk).update(
            status=BatchJobStatus.FAILED, error=f"{exc.code.value}: {exc.detail}"[:500], finished_at=timezone.now()
        )
        return "failed"
    BatchJob.objects.filter(pk=job.pk).update(
        status=BatchJobStatus.DONE,
        result_csv=out.getvalue().encode("utf-8"),
        found=found,
        finished_at=timezone.now(),
    )
    return "done"


#: The error of a job whose worker died while running it (the caller may submit the file again).
WORKER_STOPPED: Final = (
    "worker_stopped: Tiến trình nền đã dừng khi đang xác thực tệp này, hãy gửi lại tệp / "
    "the background worker stopped while verifying this file; submit it again"
)


def fail_abandoned_job(job_id: str, *, worker_id: str) -> bool:
    """Mark a job failed because its worker died while running it (the sweep of
    :mod:`dancu.core.jobs` calls this); return whether it was still queued or running.

    The records already verified keep their audit entries (their chunks committed); no result
    file is kept, and the system can submit the file again as a new job.
    """
    with transaction.atomic():
        job = BatchJob.objects.select_for_update(of=("self",)).select_related("purpose").filter(job_id=job_id).first()
        if job is None or job.status not in {BatchJobStatus.QUEUED, BatchJobStatus.RUNNING}:
            return False
        job.status = BatchJobStatus.FAILED
        job.error = WORKER_STOPPED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        record(
            action="exchange.batch-verify",
            actor=Actor.system("worker"),
            outcome=FAILED,
            purpose=job.purpose.code,
            dossier=job.dossier,
            details={"job": job_id, "step": "abandoned", "worker": worker_id},
            request_id=job.request_id,
        )
    return True
