"""The register's file contract, shared by the importer and the synthetic province.

Pure Python (no Django), so the Django-free linkage engine's tests and the generator can use it.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CANONICAL_HEADER"]

#: The canonical header of ``dancu registry import`` (DESIGN.md §4), in order.
CANONICAL_HEADER: Final[tuple[str, ...]] = (
    "personal_id",
    "full_name",
    "birth_date",
    "sex",
    "ethnicity",
    "nationality",
    "old_id_number",
    "household_id",
    "relation_to_head",
    "father_id",
    "mother_id",
    "spouse_id",
    "province_code",
    "commune_code",
    "commune_name",
    "address_line",
    "phone",
    "status",
)
