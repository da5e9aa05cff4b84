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
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Final

from dancu.core.text import fold

__all__ = ["OCR_CONFUSIONS", "ocr_repairer"]

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
