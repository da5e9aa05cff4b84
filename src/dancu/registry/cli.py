"""``dancu registry``: import a file into the register, and count what it holds."""

from __future__ import annotations

import getpass
import json
import time
from pathlib import Path
from typing import Annotated

import typer

registry_app = typer.Typer(help="Cơ sở dữ liệu dân cư / the population register.", no_args_is_help=True)


class _ProgressLines:
    """Progress for long imports: a line on stderr per stage, and at most one a second."""

    def __init__(self) -> None:
        self._last = 0.0
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self._stage or done == total or now - self._last >= 1.0:
            counted = f" {done}/{total}" if total else ""
            typer.echo(f"[{time.strftime('%H:%M:%S')}] {stage}{counted}", err=True)
            self._last = now
            self._stage = stage


@registry_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV (UTF-8) hoặc XLSX")],
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Bỏ qua dòng lỗi, ghi vào tệp loại / import good rows, write bad ones to a file"
    ),
    rejects: Annotated[
        Path | None,
        typer.Option(help="Tệp các dòng bị loại (mặc định FILE.rejects.csv) / rejects file (default FILE.rejects.csv)"),
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Ghi báo cáo đầy đủ dạng JSON / write the full report as JSON")
    ] = None,
    actor: str = typer.Option("", help="Người thực hiện, ghi vào nhật ký / who runs it, for the audit log"),
    quiet: bool = typer.Option(False, "--quiet", help="Không in tiến độ / no progress lines"),
) -> None:
    """Import persons from FILE (canonical header of DESIGN.md §4; Vietnamese headers accepted).

    All or nothing: one bad row refuses the file, and the report names every bad row, column,
    value and reason (exit code 1). Re-importing the same file changes nothing.
    """
    from dancu.core.audit import Actor
    from dancu.core.models import ActorKind
    from dancu.registry.actions import check_import_file
    from dancu.registry.importing import ImportRefusedError

    who = Actor(kind=ActorKind.SYSTEM, id=(actor or f"cli:{getpass.getuser()}")[:100])
    rejects_path = rejects or (file.with_name(file.name + ".rejects.csv") if skip_invalid else None)
    progress = (lambda stage, done, total: None) if quiet else _ProgressLines()
    try:
        result = check_import_file(
            file, actor=who, skip_invalid=skip_invalid, rejects_path=rejects_path, progress=progress
        )
    except ImportRefusedError as refused:
        if report is not None:
            report.write_text(json.dumps(refused.report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        typer.echo(refused.report.text(), err=True)
        typer.echo(str(refused), err=True)
        typer.echo(json.dumps(refused.report.counts(), ensure_ascii=False))
        raise typer.Exit(1) from None
    if report is not None:
        report.write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    if result.errors:
        typer.echo(result.text(), err=True)
    typer.echo(json.dumps(result.counts(), ensure_ascii=False))


@registry_app.command("stats")
def stats() -> None:
    """Print the register's counts as JSON."""
    from dancu.registry.queries import register_counts

    typer.echo(json.dumps(register_counts(), ensure_ascii=False))
