"""Read a damaged name the way the register would have written it, when only one reading fits.

Names re-typed or scanned from paper go wrong in ways a letter-by-letter distance
measures badly, but the register says which reading is right:

- **OCR letter confusions.** A scanner reads "m" as "rn", "d" as "cl", "h" as "li",
  "n" as "ri", "u" as "ii", "a" as "o", "e" as "c" (and "o", "l" as the digits 0, 1).
  Vietnamese spelling has no "rn", "cl" or "ii" at all, so "Narn" is nobody's name;
  a word of the extract that no register name uses is read back, one confusion
  undone, when exactly one undoing gives a word the register uses
  (:func:`ocr_repairer`). A real word of the register is never touched, so a twin's
  or sibling's real name stays what it is.
- **Word order and honorifics.** A form may carry the given name first ("Hùng Nguyễn
  Văn"), the Western order ("Văn Hùng Nguyễn") or a courtesy title ("Ông", "Bà",
  "Anh", "Chị", …) before a surname too rare to be recognised by itself. A name
  that the register never uses as written is read in the Vietnamese order, or
  without the title, when exactly one such reading is the name of a register person
  who agrees with the row on the birth year, the day and month, an ID, the phone or
  the commune (:func:`read_name_order`). Only the two rotations are tried, never a
  swap inside the name: "Lê Xuân Thanh" is another person than "Lê Thanh Xuân"
  (siblings' names are made that way), and neither is a rotation of the other.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Final

import duckdb

from dancu.core.text import fold

__all__ = ["HONORIFICS", "OCR_CONFUSIONS", "ocr_repairer", "read_name_order"]

#: Courtesy titles written before a name on forms and letters (folded).
HONORIFICS: Final = ("ong", "ba", "anh", "chi", "co", "chu", "bac", "cu", "em", "chau")

#: What OCR wrote → what the paper said (lower case): letter shapes scanners confuse.
#: Undone only in a word no register name uses, and only where one reading fits.
OCR_CONFUSIONS: Final[tuple[tuple[str, str], ...]] = (
    ("rn", "m"), ("cl", "d"), ("li", "h"), ("ri", "n"), ("ii", "u"),
    ("o", "a"), ("c", "e"), ("0", "o"), ("1", "l"),
)  # fmt: skip


def _undo_one(word: str) -> set[str]:
    """Every spelling of ``word`` (lower case) with exactly one confusion undone."""
    out = set()
    for wrong, right in OCR_CONFUSIONS:
        start = word.find(wrong)
        while start >= 0:
            out.add(word[:start] + right + word[start + len(wrong) :])
            start = word.find(wrong, start + 1)
    return out


def ocr_repairer(present: Collection[str], known: Collection[str]) -> Callable[[str], str]:
    """A function reading one name word back from its OCR damage.

    ``present`` holds every folded word the register's names use, ``known`` those it
    uses often enough to be a name (folded). A word is changed only when its folded
    form is not ``present`` and undoing one confusion gives exactly one ``known``
    word; otherwise it is returned as it is.
    """

    def repair(word: str) -> str:
        if fold(word) in present:
            return word
        readings = {c for c in _undo_one(word.lower()) if fold(c) in known}
        if len({fold(c) for c in readings}) != 1:
            return word
        return min(readings)

    return repair


def read_name_order(con: duckdb.DuckDBPyConnection, rows: str, register: str, target: str) -> None:
    """Choose another reading of each name of ``rows`` that the ``register`` never uses as written.

    ``rows`` has ``uid``, ``name_x`` and ``name_f`` (the name's words, exact and
    folded, one space apart), ``dob_year``, ``dob_md``, ``pid``, ``old_id``,
    ``phone`` and ``communes``; ``register`` the same with ``commune``. Writes
    ``target`` (``uid``, ``name``): the rows to read otherwise and the reading, in
    exact keys. Rows whose name the register uses are left out before any join, so
    the common names never meet their thousands of namesakes here.
    """
    titles = ", ".join(f"'{t}'" for t in HONORIFICS)
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE {target} AS
        WITH unheard AS (
            SELECT e.*, string_split(e.name_x, ' ') AS wx, string_split(e.name_f, ' ') AS wf
            FROM {rows} e
            WHERE e.name_f LIKE '% %'
              AND e.name_f NOT IN (SELECT name_f FROM {register} WHERE name_f IS NOT NULL)
        ), readings AS (
            -- the given name first: move it back to the end
            SELECT uid, array_to_string(wx[2:] || wx[1:1], ' ') AS name,
                   array_to_string(wf[2:] || wf[1:1], ' ') AS name_f
            FROM unheard
            UNION ALL
            -- the Western order (surname last): move the surname back to the front
            SELECT uid, array_to_string(wx[-1:] || wx[:-2], ' '), array_to_string(wf[-1:] || wf[:-2], ' ')
            FROM unheard
            UNION ALL
            -- a courtesy title in front
            SELECT uid, array_to_string(wx[2:], ' '), array_to_string(wf[2:], ' ')
            FROM unheard WHERE len(wf) >= 3 AND wf[1] IN ({titles})
        ), fitting AS (
            SELECT DISTINCT x.uid, x.name, x.name_f
            FROM readings x
            JOIN unheard e USING (uid)
            JOIN {register} r ON r.name_f = x.name_f
            WHERE e.dob_year = r.dob_year OR e.dob_md = r.dob_md OR e.pid = r.pid
               OR e.old_id = r.old_id OR e.phone = r.phone OR list_contains(e.communes, r.commune)
        )
        SELECT uid, any_value(name) AS name FROM fitting
        GROUP BY uid HAVING count(DISTINCT name_f) = 1
        """  # noqa: S608  # SQL built from our own constants and table names, never from input
    )
