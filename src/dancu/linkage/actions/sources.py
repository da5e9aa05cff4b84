"""Sources (an agency's dataset) and their column mappings, with what every linkage action shares:
the input error and the record of a refused request."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from dancu.core.audit import Actor, record
from dancu.core.models import Outcome
from dancu.linkage.access import LinkageRefused
from dancu.linkage.engine.headers import FIELDS, MappingError, recognise_headers
from dancu.linkage.models import (
    Source,
)
from dancu.linkage.running import REQUIRED_FIELDS

__all__ = [
    "PURPOSE",
    "LinkageInputError",
    "do_ensure_source",
    "do_record_refusal",
    "normalise_source_name",
    "suggested_mapping",
    "validate_mapping",
]


PURPOSE = "record_linkage"


#: Shown on the progress page of a job whose worker died while running it.
class LinkageInputError(ValueError):
    """Input the user must correct; the message says what and why, in Vietnamese and English.
    ``field`` names the form field at fault ("" when it is the whole request)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def normalise_source_name(name: str) -> str:
    """A source name with its spaces tidied; :class:`LinkageInputError` when empty or too long."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise LinkageInputError("Hãy nhập tên nguồn dữ liệu / Enter the source name", field="source")
    if len(cleaned) > 200:
        raise LinkageInputError(
            "Tên nguồn quá dài (tối đa 200 ký tự) / Source name too long (200 characters at most)", field="source"
        )
    return cleaned


def do_ensure_source(actor: Actor, name: str, *, agency: str) -> Source:
    """The source called ``name`` of ``agency``, created (and audited) if it does not exist yet."""
    cleaned = normalise_source_name(name)
    with transaction.atomic():
        source, created = Source.objects.get_or_create(agency=agency, name=cleaned, defaults={"created_by": actor.id})
        if created:
            record(
                action="linkage.source.create",
                actor=actor,
                object_type="linkage.Source",
                object_id=source.pk,
                details={"name": cleaned, "agency": agency},
            )
    return source


def do_record_refusal(actor_id: str, refusal: LinkageRefused, what: str, *, organisation: str = "") -> None:
    """Audit a refused request (it changes nothing else)."""
    record(
        action="linkage.refused",
        actor=Actor(kind="officer" if actor_id else "anonymous", id=actor_id, organisation=organisation),
        outcome=Outcome.REFUSED,
        details={"what": what, "reason": str(refusal.args[0]) if refusal.args else ""},
    )


# --- mapping -----------------------------------------------------------------------------------


def suggested_mapping(headers: list[str], source: Source) -> dict[str, str]:
    """The mapping to offer for ``headers``: the source's last confirmed choices for headers it
    has seen, the engine's recognition for the others. Returns {header: field or ""}."""
    remembered = {h: f for h, f in source.mapping.items() if h in headers and (not f or f in FIELDS)}
    try:
        recognised = recognise_headers(headers, remembered)
    except MappingError:
        recognised = recognise_headers(headers)
    chosen = {header: name for name, header in recognised.fields.items()}
    return {header: chosen.get(header, "") for header in headers}


def validate_mapping(headers: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Check a user's mapping ({header: field or ""}) and return it complete for ``headers``."""
    unknown = sorted({f for f in mapping.values() if f and f not in FIELDS})
    if unknown:
        raise LinkageInputError(f"Trường không tồn tại / Unknown field: {', '.join(unknown)}")
    absent = [h for h in mapping if h not in headers]
    if absent:
        raise LinkageInputError(f"Tệp không có cột / The extract has no column: {', '.join(absent)}")
    complete = {header: mapping.get(header, "") for header in headers}
    seen: dict[str, str] = {}
    for header, name in complete.items():
        if not name:
            continue
        if name in seen:
            raise LinkageInputError(
                f"Trường “{FIELDS[name]}” được chọn cho hai cột “{seen[name]}” và “{header}” / "
                f"Field {name} is chosen for two columns: {seen[name]!r} and {header!r}"
            )
        seen[name] = header
    for required in REQUIRED_FIELDS:
        if required not in seen:
            raise LinkageInputError(
                f"Chưa chọn cột cho “{FIELDS[required]}” / No column is chosen for the required field {required}"
            )
    return complete
