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
  and the reading with the fewest changes wins. Only the two rotations are tried, never a
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


def read_name_order(
    con: duckdb.DuckDBPyConnection, rows: str, register: str, names: str, surnames: str, target: str
) -> None:
    """Choose another reading of each name of ``rows`` that the ``register`` never uses as written.

    ``rows`` has ``uid``, ``name_x`` and ``name_f`` (the name's words, exact and
    folded, one space apart), ``dob_year``, ``dob_md``, ``pid``, ``old_id``,
    ``phone`` and ``communes``; ``register`` the same with ``commune``; ``names`` the
    register's distinct ``name_f``; ``surnames`` its usual surnames (``surname``,
    folded): a name that starts with one is turned round only when no register person
    agreeing with the row has its first word as surname and its last as given name
    ("Lê Ngọ Yến" is a slip for "Lê Ngọc Yến", not "Ngọ Yến Lê"). Writes ``target`` (``uid``, ``name``): the rows to
    read otherwise and the reading, in exact keys. Rows whose name the register uses
    are left out first, so the common names never meet their thousands of namesakes.
    """
    titles = ", ".join(f"'{t}'" for t in HONORIFICS)
    plain_titles = ", ".join(f"'{t}'" for t in PLAIN_HONORIFICS)
    agrees = (
        "(e.dob_year = r.dob_year OR e.dob_md = r.dob_md OR e.pid = r.pid OR e.old_id = r.old_id "
        "OR e.phone = r.phone OR list_contains(e.communes, r.commune))"
    )
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _unheard AS
        SELECT e.*, string_split(e.name_x, ' ') AS wx, string_split(e.name_f, ' ') AS wf
        FROM {rows} e ANTI JOIN {names} n USING (name_f)
        WHERE e.name_f LIKE '% %'
        """  # noqa: S608  # SQL built from our own constants and table names, never from input
    )
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _readings AS
        WITH titled AS (
            SELECT uid, wx, wf, 0 AS changes FROM _unheard
            UNION ALL
            -- a courtesy title in front
            SELECT uid, wx[2:], wf[2:], 1 FROM _unheard
            WHERE len(wf) >= 3 AND (wx[1] IN ({titles}) OR (wx[1] = wf[1] AND wf[1] IN ({plain_titles})))
        ), bases AS (
            SELECT *, wf[1] IN (SELECT surname FROM {surnames}) AS surname_first FROM titled
        ), orders AS (
            -- the given name first: move it back to the end
            SELECT uid, wx[2:] || wx[1:1] AS wx, wf[2:] || wf[1:1] AS wf, changes + 1 AS changes, surname_first,
                   wf[1] AS first_f, wf[-1] AS last_f
            FROM bases
            UNION ALL
            -- the Western order (surname last): move the surname back to the front
            SELECT uid, wx[-1:] || wx[:-2], wf[-1:] || wf[:-2], changes + 1, surname_first, wf[1], wf[-1]
            FROM bases
            UNION ALL
            SELECT uid, wx, wf, changes, false, NULL, NULL FROM bases WHERE changes = 1
        )
        SELECT uid, array_to_string(wx, ' ') AS name, array_to_string(wf, ' ') AS name_f, min(changes) AS changes,
               bool_or(surname_first) AS surname_first, any_value(first_f) AS first_f, any_value(last_f) AS last_f
        FROM orders WHERE len(wf) >= 2 GROUP BY uid, name, name_f
        """  # noqa: S608  # SQL built from our own constants and table names, never from input
    )
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE {target} AS
        WITH fitting AS (
            SELECT x.uid, x.name, x.name_f, x.changes
            FROM _readings x JOIN _unheard e USING (uid)
            JOIN (SELECT * FROM {register} WHERE name_f IN (SELECT name_f FROM _readings)) r
              ON r.name_f = x.name_f
            WHERE {agrees}
        ), doubtful AS (
            -- a name starting with a usual surname turned round
            SELECT DISTINCT x.uid, x.first_f, x.last_f FROM _readings x JOIN fitting USING (uid, name_f)
            WHERE x.surname_first
        ), as_written AS (
            -- … whose words as written are a register person's surname and given name
            SELECT DISTINCT d.uid
            FROM doubtful d JOIN _unheard e USING (uid)
            JOIN (SELECT * FROM {register}
                  WHERE given_f IN (SELECT last_f FROM doubtful) AND surname_f IN (SELECT first_f FROM doubtful)) r
              ON r.surname_f = d.first_f AND r.given_f = d.last_f
            WHERE {agrees}
        ), fewest AS (
            -- the reading with the fewest changes wins
            SELECT *, min(changes) OVER (PARTITION BY uid) AS least FROM fitting
            WHERE uid NOT IN (SELECT uid FROM as_written)
        )
        SELECT uid, any_value(name) AS name FROM fewest
        WHERE changes = least
        GROUP BY uid HAVING count(DISTINCT name_f) = 1
        """  # noqa: S608  # SQL built from our own constants and table names, never from input
    )
    for table in ("_unheard", "_readings"):
        con.sql(f"DROP TABLE {table}")
