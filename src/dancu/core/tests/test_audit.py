"""The hash-chained audit log: appending, sealing, and detecting every kind of tampering."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from dancu.core.audit import GENESIS, Actor, chain_hash, record, record_many, seal_pending, verify
from dancu.core.models import AuditCheckpoint, AuditEntry, AuditSeal

pytestmark = pytest.mark.django_db

OFFICER = Actor(kind="officer", id="cb-lechan-01")


def _write(n: int) -> list[AuditEntry]:
    return [
        record(action="registry.person.view", actor=OFFICER, subject_personal_id=f"031090{i:06d}", fields=["full_name"])
        for i in range(n)
    ]


def test_it_appends_without_sealing() -> None:
    entry = record(action="registry.person.view", actor=OFFICER, subject_personal_id="031090000001", purpose="HT01")
    assert AuditEntry.objects.count() == 1
    assert AuditSeal.objects.count() == 0
    assert entry.actor_kind == "officer"
    assert entry.actor_id == "cb-lechan-01"
    assert entry.purpose == "HT01"


def test_it_writes_the_same_row_as_the_orm() -> None:
    """The plain INSERT stores exactly what ``AuditEntry.objects.create`` stored (and the chain
    hashes): every column, JSON and the instant included."""
    at = timezone.now()
    given = {
        "action": "exchange.verify",
        "outcome": "ok",
        "subject_personal_id": "031190012345",
        "object_type": "person",
        "object_id": "7",
        "purpose": "NH.KYC",
        "dossier": "HS-2025/001",
        "request_id": "req-1",
        "fields": ["full_name", "sex"],
        "details": {"client": "VN/COM/0100112437/ekyc", "nested": {"ứng": [1, 2]}, "version": "v1"},
        "response_hash": "a" * 64,
    }
    actor = Actor(kind="machine", id="c-1", on_behalf_of="VN031000000042", organisation="0100112437")
    written = record(actor=actor, **given)  # type: ignore[arg-type]  # a plain dict of the typed fields
    by_orm = AuditEntry.objects.create(
        actor_kind=actor.kind,
        actor_id=actor.id,
        on_behalf_of=actor.on_behalf_of,
        organisation=actor.organisation,
        at=written.at,
        **given,
    )

    stored = AuditEntry.objects.get(pk=written.pk)
    reference = AuditEntry.objects.get(pk=by_orm.pk)
    columns = [f.attname for f in AuditEntry._meta.concrete_fields if f.attname != "id"]
    assert {c: getattr(stored, c) for c in columns} == {c: getattr(reference, c) for c in columns}
    assert stored.at == written.at
    assert stored.at >= at
    assert written.pk == by_orm.pk - 1
    assert chain_hash(GENESIS, stored) == chain_hash(GENESIS, written)


def test_it_seals_in_order_and_verifies(django_capture_on_commit_callbacks: Callable[..., object]) -> None:
    entries = _write(5)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        assert seal_pending() == 5
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [s.entry_id for s in seals] == [e.pk for e in entries]
    assert seals[0].prev_hash == GENESIS
    assert seals[1].prev_hash == seals[0].hash
    assert seals[0].hash == chain_hash(GENESIS, AuditEntry.objects.get(pk=entries[0].pk))
    report = verify()
    assert report.ok, report.problem
    assert report.sealed == 5
    assert report.unsealed == 0
    assert report.checkpoints == 2  # one in the database, one in the file


def test_it_seals_only_new_entries_on_the_next_pass() -> None:
    _write(3)
    assert seal_pending() == 3
    _write(2)
    assert seal_pending() == 2
    assert seal_pending() == 0
    assert list(AuditSeal.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert verify().ok


def test_it_detects_an_edited_entry() -> None:
    entries = _write(4)
    seal_pending()
    AuditEntry.objects.filter(pk=entries[2].pk).update(subject_personal_id="031090999999")
    report = verify()
    assert not report.ok
    assert report.bad_entry_id == entries[2].pk
    assert "altered" in report.problem


def test_it_detects_an_edited_detail() -> None:
    entries = _write(3)
    seal_pending()
    AuditEntry.objects.filter(pk=entries[0].pk).update(details={"note": "changed"})
    assert verify().bad_entry_id == entries[0].pk


def test_it_detects_a_deleted_entry() -> None:
    entries = _write(4)
    seal_pending()
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    report = verify()
    assert not report.ok
    assert report.bad_entry_id == entries[1].pk
    assert "deleted" in report.problem


def test_it_detects_a_deleted_entry_with_its_seal() -> None:
    entries = _write(4)
    seal_pending()
    AuditSeal.objects.filter(entry_id=entries[1].pk).delete()
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    report = verify()
    assert not report.ok
    assert report.bad_seq == 2


def test_it_detects_reordering() -> None:
    entries = _write(3)
    seal_pending()
    first, second = AuditSeal.objects.get(seq=1), AuditSeal.objects.get(seq=2)
    # Swap which entries the first two positions point at (a reorder that keeps every row).
    AuditSeal.objects.filter(seq=1).update(entry_id=-1)
    AuditSeal.objects.filter(seq=2).update(entry_id=first.entry_id)
    AuditSeal.objects.filter(seq=1).update(entry_id=second.entry_id)
    report = verify()
    assert not report.ok
    assert report.bad_entry_id == entries[1].pk


def test_it_detects_an_inserted_entry() -> None:
    _write(3)
    seal_pending()
    old = timezone.now() - dt.timedelta(days=2)
    forged = AuditEntry.objects.create(at=old, actor_kind="officer", actor_id="x", action="registry.person.view")
    # Give the forged row an id inside the sealed range, as an insertion in the past would.
    AuditEntry.objects.filter(pk=forged.pk).update(id=0)
    report = verify()
    assert not report.ok
    assert report.bad_entry_id == 0
    assert "inserted" in report.problem


def test_it_detects_a_truncated_chain_from_the_checkpoint_file(
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    _write(3)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        seal_pending()
    _write(2)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
        seal_pending()
    # Remove the tail of the chain, and the database's own checkpoint of it: the file still knows.
    tail = list(AuditSeal.objects.filter(seq__gt=3).values_list("entry_id", flat=True))
    AuditSeal.objects.filter(seq__gt=3).delete()
    AuditEntry.objects.filter(pk__in=tail).delete()
    AuditCheckpoint.objects.filter(seq__gt=3).delete()
    report = verify()
    assert not report.ok
    assert "truncated" in report.problem
    assert report.bad_seq == 5


def test_it_detects_a_forged_checkpoint(settings: LazySettings) -> None:
    _write(2)
    seal_pending()
    AuditCheckpoint.objects.update(head_hash="f" * 64)
    report = verify()
    assert not report.ok
    assert "signature" in report.problem


def test_it_writes_many_entries_at_once() -> None:
    written = record_many(
        {"action": "registry.import", "actor": OFFICER, "subject_personal_id": f"031090{i:06d}"} for i in range(50)
    )
    assert written == 50
    assert seal_pending(batch=20) == 50
    assert verify().ok


def test_it_keeps_no_unsealed_entry_invisible_to_verify() -> None:
    _write(2)
    report = verify()
    assert report.ok
    assert report.unsealed == 2


def test_it_verifies_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from typer.testing import CliRunner

    from dancu.core.cli import audit_app

    _write(3)
    result = CliRunner().invoke(audit_app, ["verify"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sealed"] == 3
    AuditEntry.objects.filter(pk=AuditEntry.objects.order_by("id").first().pk).update(action="forged")  # type: ignore[union-attr]
    result = CliRunner().invoke(audit_app, ["verify"])
    assert result.exit_code == 1
    assert "altered" in json.loads(result.output)["problem"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL privileges")
def test_it_revokes_update_and_delete_on_postgresql(tmp_path: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS dancu_app_test")
        cursor.execute("CREATE ROLE dancu_app_test")
        cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON core_auditentry TO dancu_app_test")
    call_command("migrate", verbosity=0)  # no-op; keeps the connection in a known state
    from typer.testing import CliRunner

    from dancu.core.cli import audit_app

    result = CliRunner().invoke(audit_app, ["lock-down", "dancu_app_test"])
    assert result.exit_code == 0, result.output
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege('dancu_app_test', 'core_auditentry', 'UPDATE')")
        assert cursor.fetchone() == (False,)
        cursor.execute("SELECT has_table_privilege('dancu_app_test', 'core_auditentry', 'INSERT')")
        assert cursor.fetchone() == (True,)
