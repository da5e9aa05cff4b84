"""Uploaded extracts on disk: checked by content, capped in size, stored under generated names.

An upload is streamed to ``MEDIA_ROOT/linkage/uploads/<random>.part`` while its size is
counted and its SHA-256 computed, then its type is decided from its first bytes (never from
its name or the browser's word): an XLSX workbook is a ZIP holding ``xl/workbook.xml``; a CSV
is UTF-8 text without NUL bytes. Only then does it get its final name, ``<random>.csv`` or
``<random>.xlsx``. :func:`peek_extract` reads the header row and a few rows for the mapping
screen without reading the whole file (a million-row workbook takes minutes to read).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from dancu.linkage.models import FileKind

__all__ = [
    "MAX_UPLOAD_BYTES",
    "ExtractFileError",
    "ExtractPreview",
    "StoredExtract",
    "detect_kind",
    "media_path",
    "peek_extract",
    "store_extract",
    "work_dir",
]

#: The largest extract accepted (a million rows of CSV is about 150 MB).
MAX_UPLOAD_BYTES = 512 * 1024 * 1024

UPLOAD_DIR = "linkage/uploads"
RESULT_DIR = "linkage/results"

_SNIFF_BYTES = 65536


class ExtractFileError(ValueError):
    """An extract that cannot be accepted; the message says why, in Vietnamese and English."""


@dataclass(frozen=True, slots=True)
class StoredExtract:
    """An accepted upload: its name relative to MEDIA_ROOT, kind, size and SHA-256."""

    name: str
    kind: FileKind
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class ExtractPreview:
    """The header row and the first few data rows of an extract."""

    headers: list[str]
    rows: list[list[str]]


def media_path(name: str) -> Path:
    """The absolute path of a file named relative to MEDIA_ROOT."""
    return Path(settings.MEDIA_ROOT) / name


def work_dir(job: Any) -> Path:
    """Where a run of ``job`` keeps its copy of the register (removed when the run ends)."""
    return Path(settings.DANCU_HOME) / "linkage" / "work" / str(job.public_id)


def max_upload_bytes() -> int:
    """The upload cap: ``DANCU_LINKAGE_MAX_UPLOAD_BYTES`` when set, else :data:`MAX_UPLOAD_BYTES`."""
    return int(getattr(settings, "DANCU_LINKAGE_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES))


def detect_kind(path: Path) -> FileKind:
    """CSV or XLSX, judged by the file's content; :class:`ExtractFileError` for anything else."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip():
        raise ExtractFileError("Tệp rỗng / The file is empty")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise ExtractFileError("Tệp Excel bị hỏng / The workbook is damaged") from exc
        if "xl/workbook.xml" in names:
            return FileKind.XLSX
        raise ExtractFileError(
            "Tệp nén không phải bảng tính Excel (XLSX) / The ZIP file is not an Excel workbook (XLSX)"
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ExtractFileError(
            "Định dạng Excel cũ (XLS) không được hỗ trợ, hãy lưu thành XLSX hoặc CSV UTF-8 / "
            "Old Excel format (XLS) is not supported: save it as XLSX or CSV UTF-8"
        )
    if b"\x00" in head:
        raise ExtractFileError("Tệp không phải CSV hay XLSX / The file is neither CSV nor XLSX")
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        # final=False: the sample may end in the middle of a multi-byte character.
        decoder.decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise ExtractFileError(
            f"Tệp CSV không phải mã UTF-8 (byte {exc.start + 1}), hãy lưu bằng “CSV UTF-8” / "
            f"The CSV file is not UTF-8 (byte {exc.start + 1}): save it as “CSV UTF-8”"
        ) from exc
    return FileKind.CSV


def _human_size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} B"


def store_extract(chunks: Iterable[bytes], *, limit: int | None = None) -> StoredExtract:
    """Write an upload under a generated name, check its size and type, and describe it.

    Nothing is left on disk when the upload is refused.
    """
    limit = max_upload_bytes() if limit is None else limit
    stem = secrets.token_hex(16)
    partial = media_path(f"{UPLOAD_DIR}/{stem}.part")
    partial.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        with partial.open("wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    cap = _human_size(limit)
                    raise ExtractFileError(f"Tệp quá lớn (tối đa {cap}) / The file is too large (at most {cap})")
                digest.update(chunk)
                handle.write(chunk)
        kind = detect_kind(partial)
        name = f"{UPLOAD_DIR}/{stem}.{kind.value}"
        partial.replace(media_path(name))
    finally:
        partial.unlink(missing_ok=True)
    return StoredExtract(name=name, kind=kind, size=size, sha256=digest.hexdigest())


def _cell_text(value: Any) -> str:
    # The same rendering as the engine's reader, so headers compare equal to what it reads.
    from dancu.linkage.engine.reading import _cell_text as engine_cell_text

    return engine_cell_text(value)


def peek_extract(path: Path, kind: FileKind | str, rows: int = 5) -> ExtractPreview:
    """The header row and up to ``rows`` data rows, read the way the engine reads the file."""
    if FileKind(kind) == FileKind.XLSX:
        return _peek_xlsx(path, rows)
    return _peek_csv(path, rows)


def _peek_csv(path: Path, rows: int) -> ExtractPreview:
    with path.open("rb") as raw:
        head = raw.read(_SNIFF_BYTES)
    # Cut a partial character off the end of the sample rather than fail on it.
    text = codecs.getincrementaldecoder("utf-8-sig")(errors="strict").decode(head, final=False)
    try:
        dialect: Any = csv.Sniffer().sniff(text, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    headers = next(reader, [])
    sample: list[list[str]] = []
    for row in reader:
        if len(sample) >= rows:
            break
        if any(cell.strip() for cell in row):
            sample.append(row)
    return ExtractPreview(headers=headers, rows=sample)


def _peek_xlsx(path: Path, rows: int) -> ExtractPreview:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ExtractFileError(f"Không đọc được tệp Excel / Cannot read the workbook: {exc}") from exc
    try:
        values = book.worksheets[0].iter_rows(values_only=True)
        headers: list[str] = []
        # As the engine does: the header is the first row with at least three filled cells
        # (agencies put a title above the table).
        for row in values:
            if len([c for c in row if c not in (None, "")]) >= 3:
                headers = [_cell_text(c).strip() for c in row]
                break
        sample: list[list[str]] = []
        for row in values:
            if len(sample) >= rows:
                break
            if any(c not in (None, "") for c in row):
                sample.append([_cell_text(c) for c in row])
    finally:
        book.close()
    return ExtractPreview(headers=headers, rows=sample)
