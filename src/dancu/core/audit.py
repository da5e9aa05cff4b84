"""The append-only, hash-chained audit log (DESIGN.md §3).

Writers call :func:`record` inside the transaction that does the audited work, so the entry and
the change commit or vanish together. Appending is one plain parameterised INSERT (not the ORM,
whose query building cost more than the write itself on the gateway's hot path): no lock, no read
of the chain head, so concurrent requests never queue behind each other for the log. :func:`seal_pending` runs
behind (in ``dancu worker`` and before ``dancu audit verify``), links new entries into a SHA-256
chain in the order it sees them and signs a checkpoint of the head with an Ed25519 key kept
outside the database; :func:`verify` recomputes everything and names the first bad entry.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Required, TypedDict, Unpack

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dancu.core.middleware import current_request_id
from dancu.core.models import ActorKind, AuditCheckpoint, AuditEntry, AuditSeal, Outcome

__all__ = [
    "Actor",
    "EntryFields",
    "VerifyReport",
    "record",
    "seal_pending",
    "verify",
]

GENESIS = "0" * 64
# An entry whose transaction commits later than this many newer entries is still found by the
# periodic full sweep (``seal_pending(full=True)``) — see docs/adr/0003-audit-chain.md.
LOOKBACK_IDS = 100_000
_ADVISORY_LOCK_KEY = 0x0DA4C0


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a citizen, an officer, a machine client, or Dancu itself."""

    kind: str
    id: str = ""
    on_behalf_of: str = ""
    organisation: str = ""

    @classmethod
    def system(cls, name: str = "dancu") -> Actor:
        return cls(kind=ActorKind.SYSTEM, id=name)


class EntryFields(TypedDict, total=False):
    """What an audit entry says, as keyword arguments of :func:`record` and :func:`record_many`."""

    action: Required[str]
    actor: Required[Actor]
    outcome: str
    subject_personal_id: str
    object_type: str
    object_id: str | int
    purpose: str
    dossier: str
    fields: Sequence[str]
    details: dict[str, Any] | None
    response_hash: str
    request_id: str | None


def record(**entry: Unpack[EntryFields]) -> AuditEntry:
    """Append one audit entry in the caller's transaction and return it."""
    values = _entry_values(**entry)
    sql, returning = _insert_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(values))
        entry_id = cursor.fetchone()[0] if returning else cursor.lastrowid
    saved = AuditEntry(id=entry_id, **values)
    saved._state.adding = False
    saved._state.db = connection.alias
    return saved


def record_many(entries: Iterable[EntryFields]) -> int:
    """Append many entries at once (bulk paths such as batches and imports). Returns the number
    written."""
    sql, returning = _insert_sql(connection.vendor)
    if returning:
        sql = sql.removesuffix(_RETURNING)
    written = 0
    with connection.cursor() as cursor:
        batch: list[list[Any]] = []
        for entry in entries:
            batch.append(_params(_entry_values(**entry)))
            if len(batch) == 2000:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


#: The columns :func:`record` writes, in order (``id`` comes from the database).
_COLUMNS = (
    "at",
    "actor_kind",
    "actor_id",
    "on_behalf_of",
    "organisation",
    "action",
    "outcome",
    "subject_personal_id",
    "object_type",
    "object_id",
    "purpose",
    "dossier",
    "request_id",
    "fields",
    "details",
    "response_hash",
)
_RETURNING = " RETURNING id"
_AT, _FIELDS, _DETAILS = (_COLUMNS.index(name) for name in ("at", "fields", "details"))


@lru_cache(maxsize=4)
def _insert_sql(vendor: str) -> tuple[str, bool]:
    """The INSERT statement for ``vendor`` and whether it returns the new id."""
    quote = connection.ops.quote_name
    meta = AuditEntry._meta
    column = {f.name: f.column for f in meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in _COLUMNS)
    placeholders = ", ".join(["%s"] * len(_COLUMNS))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 — names from the model
    returning = connection.features.can_return_columns_from_insert
    return (sql + _RETURNING if returning else sql), returning


def _params(values: dict[str, Any]) -> list[Any]:
    """Column values as the driver takes them, adapted exactly as the ORM adapts them."""
    ops = connection.ops
    params = [values[name] for name in _COLUMNS]
    params[_AT] = ops.adapt_datetimefield_value(values["at"])
    params[_FIELDS] = ops.adapt_json_value(values["fields"], None)
    params[_DETAILS] = ops.adapt_json_value(values["details"], None)
    return params


def _entry_values(
    *,
    action: str,
    actor: Actor,
    outcome: str = Outcome.OK,
    subject_personal_id: str = "",
    object_type: str = "",
    object_id: str | int = "",
    purpose: str = "",
    dossier: str = "",
    fields: Sequence[str] = (),
    details: dict[str, Any] | None = None,
    response_hash: str = "",
    request_id: str | None = None,
) -> dict[str, Any]:
    return {
        "at": timezone.now(),
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "on_behalf_of": actor.on_behalf_of,
        "organisation": actor.organisation,
        "action": action,
        "outcome": outcome,
        "subject_personal_id": subject_personal_id,
        "object_type": object_type,
        "object_id": str(object_id),
        "purpose": purpose,
        "dossier": dossier,
        "request_id": request_id if request_id is not None else current_request_id.get(),
        "fields": list(fields),
        "details": details or {},
        "response_hash": response_hash,
    }


def canonical(entry: AuditEntry) -> bytes:
    """The bytes that the chain hashes: every column, in a fixed order, as sorted-key JSON."""
    at = entry.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {
        "id": entry.pk,
        "at": at,
        "actor_kind": entry.actor_kind,
        "actor_id": entry.actor_id,
        "on_behalf_of": entry.on_behalf_of,
        "organisation": entry.organisation,
        "action": entry.action,
        "outcome": entry.outcome,
        "subject_personal_id": entry.subject_personal_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "purpose": entry.purpose,
        "dossier": entry.dossier,
        "request_id": entry.request_id,
        "fields": entry.fields,
        "details": entry.details,
        "response_hash": entry.response_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(entry)).hexdigest()


# --- signing key -----------------------------------------------------------------------------


def _key_path() -> Path:
    return Path(settings.DANCU_AUDIT_KEY_FILE)


def _signing_key() -> Ed25519PrivateKey:
    path = _key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError(f"{path}: not an Ed25519 private key")
    return key


def _key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _checkpoint_message(seq: int, head_hash: str, at: dt.datetime) -> bytes:
    return f"dancu-audit-checkpoint|{seq}|{head_hash}|{at.astimezone(dt.UTC).isoformat()}".encode()


def checkpoint_file() -> Path:
    return Path(settings.DANCU_AUDIT_CHECKPOINT_FILE)


# --- sealing ---------------------------------------------------------------------------------


def seal_pending(*, batch: int = 5000, full: bool = False) -> int:
    """Chain every entry not yet sealed, in batches; return how many were sealed.

    Only one sealer runs at a time (an advisory lock on PostgreSQL, the write lock on SQLite).
    """
    total = 0
    while True:
        sealed = _seal_batch(batch, full=full)
        total += sealed
        if sealed < batch:
            return total


def _seal_batch(batch: int, *, full: bool) -> int:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        head = AuditSeal.objects.order_by("-seq").first()
        pending = AuditEntry.objects.filter(seal__isnull=True)
        if head is not None and not full:
            pending = pending.filter(id__gt=head.entry_id - LOOKBACK_IDS)
        entries = list(pending.order_by("id")[:batch])
        if not entries:
            return 0
        prev = head.hash if head else GENESIS
        seq = head.seq if head else 0
        seals = []
        for entry in entries:
            seq += 1
            digest = chain_hash(prev, entry)
            seals.append(AuditSeal(seq=seq, entry_id=entry.pk, prev_hash=prev, hash=digest))
            prev = digest
        AuditSeal.objects.bulk_create(seals)
        _write_checkpoint(seq, prev)
        return len(entries)


def _write_checkpoint(seq: int, head_hash: str) -> None:
    key = _signing_key()
    at = timezone.now()
    signature = base64.b64encode(key.sign(_checkpoint_message(seq, head_hash, at))).decode()
    key_id = _key_id(key.public_key())
    AuditCheckpoint.objects.create(seq=seq, head_hash=head_hash, at=at, key_id=key_id, signature=signature)
    line = json.dumps(
        {
            "seq": seq,
            "head_hash": head_hash,
            "at": at.astimezone(dt.UTC).isoformat(),
            "key_id": key_id,
            "signature": signature,
        }
    )

    def append_to_file() -> None:
        path = checkpoint_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    # The file copy is written only once the seals are committed, so it never names a head that
    # a rolled-back transaction produced.
    transaction.on_commit(append_to_file)


# --- verification ----------------------------------------------------------------------------


@dataclass(slots=True)
class VerifyReport:
    """What :func:`verify` found. ``ok`` is False at the first problem, named in ``problem``."""

    sealed: int = 0
    unsealed: int = 0
    checkpoints: int = 0
    ok: bool = True
    problem: str = ""
    bad_entry_id: int | None = None
    bad_seq: int | None = None
    notes: list[str] = field(default_factory=list)

    def fail(self, problem: str, *, entry_id: int | None = None, seq: int | None = None) -> VerifyReport:
        self.ok = False
        self.problem = problem
        self.bad_entry_id = entry_id
        self.bad_seq = seq
        return self


def _seals_with_entries(page: int = 5000) -> Iterator[tuple[AuditSeal, AuditEntry | None]]:
    last = 0
    while True:
        seals = list(AuditSeal.objects.filter(seq__gt=last).order_by("seq")[:page])
        if not seals:
            return
        entries = AuditEntry.objects.in_bulk([s.entry_id for s in seals])
        for seal in seals:
            yield seal, entries.get(seal.entry_id)
        last = seals[-1].seq


def verify(*, grace: dt.timedelta = dt.timedelta(hours=1)) -> VerifyReport:
    """Recompute the chain and check the checkpoints; stop at the first problem.

    Detects an edited entry (hash mismatch), a deleted entry or seal (missing row, gap in the
    sequence), reordering (previous-hash mismatch), an inserted entry (unsealed although older
    than ``grace`` and older than sealed ones) and a truncated chain (a signed checkpoint beyond
    the head, in the database or in the checkpoint file).
    """
    report = VerifyReport()
    prev = GENESIS
    expected_seq = 0
    hashes_at: dict[int, str] = {}
    checkpoint_seqs = set(AuditCheckpoint.objects.values_list("seq", flat=True))
    checkpoint_seqs |= {int(c["seq"]) for c in _file_checkpoints()}
    for seal, entry in _seals_with_entries():
        expected_seq += 1
        if seal.seq != expected_seq:
            return report.fail(
                f"chuỗi bị đứt trước vị trí {seal.seq} / chain gap: expected position {expected_seq}, found {seal.seq}",
                seq=expected_seq,
            )
        if entry is None:
            return report.fail(
                f"bản ghi #{seal.entry_id} đã bị xoá / entry #{seal.entry_id} was deleted",
                entry_id=seal.entry_id,
                seq=seal.seq,
            )
        if seal.prev_hash != prev:
            return report.fail(
                f"thứ tự bị thay đổi tại bản ghi #{entry.pk} / chain reordered at entry #{entry.pk}",
                entry_id=entry.pk,
                seq=seal.seq,
            )
        digest = chain_hash(prev, entry)
        if digest != seal.hash:
            return report.fail(
                f"bản ghi #{entry.pk} đã bị sửa / entry #{entry.pk} was altered",
                entry_id=entry.pk,
                seq=seal.seq,
            )
        if seal.seq in checkpoint_seqs:
            hashes_at[seal.seq] = digest
        prev = digest
    report.sealed = expected_seq

    public = _signing_key().public_key()
    key_id = _key_id(public)
    db_checkpoints: list[dict[str, str]] = [
        {
            "seq": str(c.seq),
            "head_hash": c.head_hash,
            "at": c.at.astimezone(dt.UTC).isoformat(),
            "key_id": c.key_id,
            "signature": c.signature,
        }
        for c in AuditCheckpoint.objects.order_by("seq")
    ]
    for source, checkpoints in (("database", db_checkpoints), ("file", _file_checkpoints())):
        for cp in checkpoints:
            report.checkpoints += 1
            seq = int(cp["seq"])
            if cp["key_id"] != key_id:
                report.notes.append(f"checkpoint {seq} ({source}) signed by another key {cp['key_id']}: skipped")
                continue
            try:
                public.verify(
                    base64.b64decode(cp["signature"]),
                    _checkpoint_message(seq, cp["head_hash"], dt.datetime.fromisoformat(cp["at"])),
                )
            except Exception:  # noqa: BLE001 — any failure to verify is a bad signature
                return report.fail(
                    f"chữ ký điểm kiểm tra {seq} sai / bad checkpoint signature at {seq} ({source})", seq=seq
                )
            if seq > report.sealed:
                return report.fail(
                    f"chuỗi bị cắt: điểm kiểm tra {seq} vượt quá {report.sealed} / chain truncated: "
                    f"checkpoint {seq} ({source}) is beyond the head {report.sealed}",
                    seq=seq,
                )
            if hashes_at.get(seq) != cp["head_hash"]:
                return report.fail(
                    f"điểm kiểm tra {seq} không khớp / checkpoint {seq} ({source}) does not match the chain",
                    seq=seq,
                )

    unsealed = AuditEntry.objects.filter(seal__isnull=True)
    report.unsealed = unsealed.count()
    head = AuditSeal.objects.order_by("-seq").first()
    if head is not None:
        suspicious = unsealed.filter(id__lt=head.entry_id, at__lt=timezone.now() - grace).order_by("id").first()
        if suspicious is not None:
            return report.fail(
                f"bản ghi #{suspicious.pk} được chèn vào ngoài chuỗi / entry #{suspicious.pk} was inserted outside the chain",
                entry_id=suspicious.pk,
            )
    return report


def _file_checkpoints() -> list[dict[str, str]]:
    path = checkpoint_file()
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows
