"""The English catalogue: every string marked for translation has an English translation, the
compiled ``.mo`` that ships says what the ``.po`` says, and nothing marked in the code is missing
from the catalogue (how to update it: docs/ARCHITECTURE.md, "Translations")."""

from __future__ import annotations

import ast
import gettext
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

import dancu

SOURCE = Path(dancu.__file__).resolve().parent
CATALOGUE = SOURCE / "locale" / "en" / "LC_MESSAGES"
UPDATE = (
    "cd src/dancu && ../../.venv/bin/dancu manage makemessages -l en --no-obsolete --add-location file "
    '--ignore "*/tests/*" --ignore "linkage/engine/*", translate, then '
    "../../.venv/bin/dancu manage compilemessages -l en"
)


@dataclass
class Entry:
    msgid: str = ""
    plural: str = ""
    translations: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file as makemessages writes it (the header included, msgid "")."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = Entry()
        target: tuple[str, int] = ("", 0)
        for line in block.splitlines():
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,") and "fuzzy" in line:
                entry.fuzzy = True
            elif line.startswith("msgid_plural "):
                target, text = ("plural", 0), line[len("msgid_plural ") :]
                entry.plural = ast.literal_eval(text)
            elif line.startswith("msgid "):
                target, text = ("msgid", 0), line[len("msgid ") :]
                entry.msgid = ast.literal_eval(text)
            elif line.startswith("msgstr"):
                head, text = line.split(" ", 1)
                index = int(head[7:-1]) if head.startswith("msgstr[") else 0
                target = ("msgstr", index)
                entry.translations[index] = ast.literal_eval(text)
            elif line.startswith('"'):
                piece = ast.literal_eval(line)
                kind, index = target
                if kind == "msgid":
                    entry.msgid += piece
                elif kind == "plural":
                    entry.plural += piece
                elif kind == "msgstr":
                    entry.translations[index] += piece
        entries.append(entry)
    return entries


def test_it_translates_every_string_into_english() -> None:
    header, *entries = read_po(CATALOGUE / "django.po")

    assert header.msgid == ""
    assert "Language: en\n" in header.translations[0]
    assert len(entries) > 250
    untranslated = [e.msgid for e in entries if e.fuzzy or not all(e.translations.values())]
    assert untranslated == [], f"untranslated or fuzzy entries; {UPDATE}"
    assert not [e.msgid for e in entries if e.obsolete]
    plurals = [e for e in entries if e.plural]
    assert plurals
    assert all(sorted(e.translations) == [0, 1] for e in plurals)


def test_it_ships_a_compiled_catalogue_that_matches_the_po() -> None:
    _, *entries = read_po(CATALOGUE / "django.po")
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    expected: set[object] = {""}  # the header
    for entry in entries:
        expected |= {(entry.msgid, 0), (entry.msgid, 1)} if entry.plural else {entry.msgid}
        if entry.plural:
            assert compiled.ngettext(entry.msgid, entry.plural, 1) == entry.translations[0], UPDATE
            assert compiled.ngettext(entry.msgid, entry.plural, 2) == entry.translations[1], UPDATE
        else:
            assert compiled.gettext(entry.msgid) == entry.translations[0], (entry.msgid, UPDATE)
    # Nothing compiled that the .po no longer has.
    assert set(compiled._catalog) == expected, UPDATE  # type: ignore[attr-defined]  # not in the stubs


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_it_has_every_marked_string_in_the_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """makemessages over the code, into a copy of the catalogue, adds and drops nothing."""
    # The apps are linked into a scratch tree that has its own locale/, so makemessages writes
    # the copy and never the real catalogue.
    for child in SOURCE.iterdir():
        if child.name != "locale" and (child.is_dir() or child.suffix == ".py"):
            (tmp_path / child.name).symlink_to(child)
    copy = tmp_path / "locale" / "en" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    shutil.copy(CATALOGUE / "django.po", copy / "django.po")
    monkeypatch.chdir(tmp_path)

    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command(
            "makemessages",
            locale=["en"],
            no_obsolete=True,
            add_location="file",
            symlinks=True,
            ignore_patterns=["*/tests/*", "linkage/engine/*"],
            verbosity=0,
        )

    committed = {e.msgid for e in read_po(CATALOGUE / "django.po")}
    extracted = {e.msgid for e in read_po(copy / "django.po")}
    assert sorted(extracted - committed) == [], f"strings missing from the English catalogue; {UPDATE}"
    assert sorted(committed - extracted) == [], f"strings no longer in the code; {UPDATE}"
