"""A synthetic province that looks like a real Vietnamese population register (pure Python).

``dancu registry import`` and ``dancu demo`` load its rows; the linkage engine uses it as the
clean truth from which it makes messy sectoral extracts.
"""

from dancu.registry.synthetic.demography import AS_OF
from dancu.registry.synthetic.province import generate_province, generate_rows, write_csv
from dancu.registry.synthetic.rows import CANONICAL_HEADER, EXTRA_HEADER, HEADER, PersonRow

__all__ = [
    "AS_OF",
    "CANONICAL_HEADER",
    "EXTRA_HEADER",
    "HEADER",
    "PersonRow",
    "generate_province",
    "generate_rows",
    "write_csv",
]
