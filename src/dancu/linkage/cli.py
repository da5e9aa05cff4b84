"""``dancu link EXTRACT --out RESULT.csv``: link a sectoral extract to the register (DESIGN.md §4).

The detected column mapping is printed first (``--show-mapping`` prints it as a mapping file
and stops); ``--mapping`` corrects it. Progress goes to standard error, a JSON summary to
standard output. The run is recorded as a job of ``--source`` owned by ``--agency`` (a member
organisation code), so the source's earlier review decisions are reused and the agency's
officers decide its review rows on the linkage pages (without ``--agency`` only auditors see it).

Exit status: 0 when RESULT was written; 2 for bad input (unreadable file, unknown or missing
column), with nothing written; 1 when linkage itself failed.
"""

from __future__ import annotations

import getpass
import json
import logging
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from dancu.core.audit import Actor
from dancu.core.jobs import beat, new_worker_id, stop_beating
from dancu.core.models import ActorKind
from dancu.linkage.engine.headers import FIELDS, HeaderMapping, MappingError, load_mapping, recognise_headers
from dancu.linkage.extract_files import ExtractFileError, detect_kind, peek_extract
from dancu.linkage.running import REQUIRED_FIELDS, STAGE_LABELS, LinkInputError, overall_percent, read_fields

__all__ = ["DEFAULT_SOURCE", "link_command", "link_stats_command"]

DEFAULT_SOURCE = "Dòng lệnh / Command line"

_stderr = Console(stderr=True, highlight=False)


def _fail(message: str, code: int = 2) -> typer.Exit:
    _stderr.print(f"[bold red]Lỗi / Error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def _mapping_table(mapping: HeaderMapping) -> Table:
    table = Table(title="Ánh xạ cột / Column mapping", title_justify="left")
    table.add_column("Cột trong tệp / Extract column")
    table.add_column("Trường / Field")
    table.add_column("Ý nghĩa / Meaning")
    for header, name, label in mapping.describe():
        table.add_row(header, name or "—", label)
    return table


#: Seconds between two heartbeats of a running ``dancu link``.
BEAT_SECONDS = 5.0


def _beat_until(worker_id: str, stop: threading.Event) -> None:
    from django.db import connection

    try:
        while not stop.wait(BEAT_SECONDS):
            try:
                beat(worker_id)
            except Exception:  # a missed beat is retried; the run must go on
                logging.getLogger("dancu.linkage").warning("dancu link could not beat", exc_info=True)
    finally:
        connection.close()


def link_command(
    extract: Annotated[Path, typer.Argument(help="Tệp trích xuất CSV hoặc XLSX / the extract (CSV or XLSX)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Tệp kết quả CSV / the RESULT.csv to write")],
    mapping_file: Annotated[
        Path | None, typer.Option("--mapping", help="Tệp ánh xạ JSON {cột: trường} / mapping file {column: field}")
    ] = None,
    source: Annotated[
        str, typer.Option("--source", help="Tên nguồn dữ liệu, vd. “BHXH Hải Phòng” / the agency dataset's name")
    ] = DEFAULT_SOURCE,
    agency: Annotated[
        str,
        typer.Option(
            "--agency",
            help="Mã cơ quan sở hữu nguồn, vd. BHXH-HP; cán bộ cơ quan đó thấy kết quả / "
            "the owning agency's member organisation code; its officers see the results",
        ),
    ] = "",
    show_mapping: Annotated[
        bool,
        typer.Option("--show-mapping", help="Chỉ in ánh xạ cột dưới dạng tệp ánh xạ / only print the mapping file"),
    ] = False,
) -> None:
    """Liên kết tệp trích xuất với cơ sở dữ liệu dân cư / link a sectoral extract to the register."""
    if not extract.is_file():
        raise _fail(f"Không tìm thấy tệp / File not found: {extract}")
    try:
        kind = detect_kind(extract)
        preview = peek_extract(extract, kind)
    except (ExtractFileError, OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{extract.name}: {exc}") from exc
    try:
        overrides = load_mapping(mapping_file) if mapping_file is not None else {}
        mapping = recognise_headers(preview.headers, overrides)
    except MappingError as exc:
        raise _fail(str(exc)) from exc
    complete = dict.fromkeys(preview.headers, "") | {h: f for f, h in mapping.fields.items()}
    if show_mapping:
        typer.echo(json.dumps(complete, ensure_ascii=False, indent=2))
        return
    _stderr.print(_mapping_table(mapping))
    for required in REQUIRED_FIELDS:
        if required not in mapping.fields:
            raise _fail(
                f"Thiếu cột bắt buộc “{FIELDS[required]}” ({required}); hãy chỉ định bằng --mapping / "
                f"required column {required} not found: name it with --mapping"
            )
    if out.exists() and out.is_dir():
        raise _fail(f"--out là một thư mục / --out is a directory: {out}")

    from dancu.linkage.actions import LinkageInputError, do_create_cli_job
    from dancu.linkage.tasks import execute_job

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=_stderr, transient=False) as bar:
        task_id = bar.add_task(STAGE_LABELS["extract"], total=100)
        furthest = [0]

        def report(stage: str, done: int, total: int) -> None:
            furthest[0] = max(furthest[0], overall_percent(stage, done, total))
            bar.update(task_id, completed=furthest[0], description=STAGE_LABELS.get(stage, stage))

        # A large workbook takes a while to read: the bar is up before, and nothing is recorded
        # until the extract proved readable.
        try:
            fields, _ = read_fields(extract, complete)
        except LinkInputError as exc:
            raise _fail(f"{extract.name}: {exc}") from exc
        report("extract", 1, 1)
        actor = Actor(kind=ActorKind.SYSTEM, id=f"cli:{getpass.getuser()}")
        # This process is the job's worker: it beats like one, so a kill -9 does not leave the
        # job "running" for ever (the worker's sweep fails it).
        worker_id = new_worker_id()
        beat(worker_id)
        stop = threading.Event()
        threading.Thread(target=_beat_until, args=(worker_id, stop), name="dancu-link-beat", daemon=True).start()
        try:
            job = do_create_cli_job(
                actor,
                source_name=source,
                agency=agency,
                worker_id=worker_id,
                extract=extract,
                kind=kind,
                headers=preview.headers,
                mapping=complete,
            )
        except LinkageInputError as exc:
            raise _fail(str(exc)) from exc
        try:
            job = execute_job(job, extract, fields=fields, progress=report, result_csv=out)
        except LinkInputError as exc:
            raise _fail(str(exc)) from exc
        except Exception as exc:  # recorded on the job; the operator gets the reason
            raise _fail(f"Liên kết thất bại / Linkage failed: {exc}", code=1) from exc
        finally:
            stop.set()
            stop_beating(worker_id)
    summary = {
        "job": str(job.public_id),
        "source": job.source.name,
        "agency": job.agency,
        "rows": job.rows,
        "matched": job.matched,
        "matched_clean": job.matched_clean,
        "matched_with_differences": job.matched_with_differences,
        "review": job.review,
        "unmatched": job.unmatched,
        "duplicates": job.duplicates,
        "decisions_reused": job.decisions_reused,
        "register_persons": job.register_size,
        "out": str(out),
    }
    typer.echo(json.dumps(summary, ensure_ascii=False))


def link_stats_command(
    agency: Annotated[
        str, typer.Option("--agency", help="Chỉ nguồn của cơ quan này / only this agency's sources")
    ] = "",
) -> None:
    """Chỉ số liên kết theo nguồn (JSON) / the linkage indicators per source, as JSON.

    Per source, its latest run: rows, linked clean, linked with differences, awaiting review,
    unmatched (counts and shares). Counts only, no personal data; for monitoring.
    """
    from dancu.linkage.queries import indicator_report, source_indicators

    indicators = source_indicators()
    if agency:
        indicators = [ind for ind in indicators if ind.source.agency == agency]
    typer.echo(json.dumps(indicator_report(indicators), ensure_ascii=False, indent=2))
