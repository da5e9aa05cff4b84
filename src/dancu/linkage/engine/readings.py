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
  the commune (:func:`read_name_order`); a title and a reordering may come together,
  and two words left (the middle name not written) fit a person of that surname and
  given name. Only the two rotations are tried, never a
  swap inside the name: "Lê Xuân Thanh" is another person than "Lê Thanh Xuân"
  (siblings' names are made that way), and neither is a rotation of the other.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Final

import duckdb

from dancu.core.text import fold

__all__ = ["HONORIFICS", "OCR_CONFUSIONS", "PLAIN_HONORIFICS", "ocr_repairer", "read_name_order"]

#: Courtesy titles written before a name on forms and letters, with their marks: folded,
#: "Châu", "Chi", "Bá" are names. "Anh" and "Em" are names with their marks too, so
#: they are left out.
HONORIFICS: Final = ("ông", "bà", "chị", "cô", "chú", "bác", "cụ", "cháu")
#: The titles still recognised in a name written without marks.
PLAIN_HONORIFICS: Final = ("ong", "ba")

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
    ``phone`` and ``communes``; ``register`` the same with ``commune``, ``surname_f``
    and ``given_f`` (a two-word reading, the middle name left out, fits a register
    person with that surname and given name). Writes
    ``target`` (``uid``, ``name``): the rows to read otherwise and the reading, in
    exact keys. Rows whose name the register uses are left out before any join, so
    the common names never meet their thousands of namesakes here.
    """
    titles = ", ".join(f"'{t}'" for t in HONORIFICS)
    plain_titles = ", ".join(f"'{t}'" for t in PLAIN_HONORIFICS)
    agrees = (
        "(e.dob_year = r.dob_year OR e.dob_md = r.dob_md OR e.pid = r.pid OR e.old_id = r.old_id "
        "OR e.phone = r.phone OR list_contains(e.communes, r.commune))"
    )
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE {target} AS
        WITH unheard AS (
            SELECT e.*, string_split(e.name_x, ' ') AS wx, string_split(e.name_f, ' ') AS wf
            FROM {rows} e
            WHERE e.name_f LIKE '% %'
              AND e.name_f NOT IN (SELECT name_f FROM {register} WHERE name_f IS NOT NULL)
        ), bases AS (
            SELECT uid, wx, wf, 0 AS changes FROM unheard
            UNION ALL
            -- a courtesy title in front
            SELECT uid, wx[2:], wf[2:], 1 FROM unheard
            WHERE len(wf) >= 3 AND (wx[1] IN ({titles}) OR (wx[1] = wf[1] AND wf[1] IN ({plain_titles})))
        ), orders AS (
            -- two words as written: if they fit someone already, no other reading is taken
            SELECT uid, wx, wf, 0 AS changes FROM bases WHERE changes = 0 AND len(wf) = 2
            UNION ALL
            -- the given name first: move it back to the end
            SELECT uid, wx[2:] || wx[1:1], wf[2:] || wf[1:1], changes + 1 FROM bases
            UNION ALL
            -- the Western order (surname last): move the surname back to the front
            SELECT uid, wx[-1:] || wx[:-2], wf[-1:] || wf[:-2], changes + 1 FROM bases
            UNION ALL
            SELECT uid, wx, wf, changes FROM bases WHERE changes = 1
        ), readings AS (
            SELECT uid, array_to_string(wx, ' ') AS name, array_to_string(wf, ' ') AS name_f,
                   CASE WHEN len(wf) = 2 THEN wf[1] END AS surname_f,
                   CASE WHEN len(wf) = 2 THEN wf[2] END AS given_f,
                   min(changes) AS changes
            FROM orders WHERE len(wf) >= 2 GROUP BY ALL
        ), fitting AS (
            SELECT x.uid, x.name, x.name_f, x.changes
            FROM readings x
            JOIN unheard e USING (uid)
            JOIN {register} r ON r.name_f = x.name_f
            WHERE {agrees}
            UNION
            -- two words (the middle name not written): the surname and given name of a
            -- register person
            SELECT x.uid, x.name, x.name_f, x.changes
            FROM readings x
            JOIN unheard e USING (uid)
            JOIN {register} r ON r.surname_f = x.surname_f AND r.given_f = x.given_f
            WHERE {agrees}
        ), fewest AS (
            -- the reading with the fewest changes wins; the written order, when it
            -- fits, means no other reading
            SELECT *, min(changes) OVER (PARTITION BY uid) AS least FROM fitting
        )
        SELECT uid, any_value(name) AS name FROM fewest
        WHERE changes = least
        GROUP BY uid HAVING min(changes) > 0 AND count(DISTINCT name_f) = 1
        """  # noqa: S608  # SQL built from our own constants and table names, never from input
    )
