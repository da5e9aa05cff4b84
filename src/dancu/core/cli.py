"""``dancu audit``: seal and verify the audit chain."""

from __future__ import annotations

import json

import typer

audit_app = typer.Typer(help="Nhật ký kiểm toán / the audit log.", no_args_is_help=True)


@audit_app.command("seal")
def seal(full: bool = typer.Option(False, help="Also look for entries committed long after newer ones.")) -> None:
    """Link every new entry into the hash chain and sign a checkpoint."""
    from dancu.core.audit import seal_pending

    typer.echo(json.dumps({"sealed": seal_pending(full=full)}))


@audit_app.command("verify")
def verify(
    seal_first: bool = typer.Option(True, "--seal/--no-seal", help="Seal pending entries before verifying."),
) -> None:
    """Recompute the chain and the signed checkpoints. Exit 0 when intact; 1 with the first bad entry."""
    from dancu.core.audit import seal_pending
    from dancu.core.audit import verify as verify_chain

    if seal_first:
        seal_pending(full=True)
    report = verify_chain()
    body: dict[str, object] = {
        "ok": report.ok,
        "sealed": report.sealed,
        "unsealed": report.unsealed,
        "checkpoints": report.checkpoints,
    }
    if not report.ok:
        body |= {"problem": report.problem, "entry_id": report.bad_entry_id, "seq": report.bad_seq}
    if report.notes:
        body["notes"] = report.notes
    typer.echo(json.dumps(body, ensure_ascii=False))
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("lock-down")
def lock_down(role: str = typer.Argument(..., help="The PostgreSQL role the web processes connect as.")) -> None:
    """On PostgreSQL, take UPDATE, DELETE and TRUNCATE on the audit tables away from ``role``."""
    from django.db import connection

    if connection.vendor != "postgresql":
        typer.echo("Chỉ áp dụng cho PostgreSQL / PostgreSQL only", err=True)
        raise typer.Exit(2)
    with connection.cursor() as cursor:
        for table in ("core_auditentry", "core_auditseal", "core_auditcheckpoint"):
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {connection.ops.quote_name(role)}")
    typer.echo(json.dumps({"revoked": ["UPDATE", "DELETE", "TRUNCATE"], "role": role}))
