"""Turn the extract and the register into two tables of comparable keys, in DuckDB.

Python cleans each *distinct* value once (names, dates, IDs, addresses repeat a
lot) and DuckDB joins the results back, so a million-row extract costs seconds;
dates and IDs in their plain shapes are read in Arrow for the whole column
(:func:`.normalise.parse_dates`, :func:`.normalise.clean_ids`). The extract's
cleaning (:func:`clean_extract`) touches no DuckDB connection, so ``link`` runs it
beside the register's preparation.
Both tables get the same columns, which Splink and the ID rules compare:

``uid`` · ``name_x``/``name_f`` (full name, exact and folded) · ``surname_f``,
``surname_g`` (regional variants merged), ``middle_f``, ``family_f``/``family_x``
(surname and middle name, folded and exact), ``family_i`` (their initials),
``family_abbr`` (``'all'`` when the surname is written as initials, ``'middle'`` when
only the middle name is: "N.T. Lan", "NGUYEN T. LAN"), ``initials_key``/``short_key``
(blocking keys for a name written with initials or without its middle name),
``given_x``, ``given_f``, ``given_t``
(toneless), ``given_o`` (folded as written: the other keys write "i" for the final "y"
of "Vy", "Sỹ", two spellings of one name) · ``dob`` (ISO
or NULL when only the year is known), ``dob_alt`` (day/month swapped), ``dob_year``,
``dob_md`` · ``sex`` · ``pid``, ``old_id`` · ``communes`` (current commune codes the
address may mean), ``commune``, ``province`` · ``phone`` · ``household`` (register) /
``pid_household`` (the household of the ID the extract row carries) ·
``given_rare``/``family_rare`` (the extract's given name, or a word of its surname and
middle name, is one the register (nearly) never uses there: a slip of the pen rather
than a relative's real name) · ``line_key`` (the first part of the address: house number
and street, or village, folded; see :func:`line_key_sql`) · ``former_communes`` (register:
the current codes of the communes of the person's other known residences, earlier or
temporary, from the optional column ``former_commune_codes``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type stubs
import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow ships no type stubs

from dancu.core.text import exact_key, fold

from .addresses import ResolvedAddresses, resolve_addresses, resolve_register_communes
from .legacy_encodings import decode_legacy, decode_telex, dominant_encoding
from .normalise import clean_ids, normalise_sex, parse_dates
from .readings import ocr_repairer, read_name_order

__all__ = [
    "COLUMNS",
    "clean_extract",
    "home_provinces",
    "line_key_sql",
    "load_register",
    "prepare_extract",
    "prepare_register",
]

#: What ``link`` accepts as the register: a path (Parquet/CSV), an Arrow table, a DuckDB relation.
Register: TypeAlias = "str | Path | pa.Table | duckdb.DuckDBPyRelation"

#: Regional spellings of one surname (Southern Huỳnh for Northern Hoàng, Võ for Vũ).
SURNAME_VARIANTS = {"huynh": "hoang", "vo": "vu"}

# Compound surnames whose second word is not a middle name (folded).
_TONE_MARKS = frozenset("\u0300\u0301\u0309\u0303\u0323")

#: A folded word of the surname or middle name that is a word, not initials: one
#: letter ("T", "Y") or letters without a vowel ("TT", "NT") are initials.
_HAS_VOWEL = "(length(w) > 1 AND regexp_matches(w, '[aeiouy]'))"

_COMPOUND_SURNAMES = ("ton that", "ton nu", "nguyen phuc", "nguyen phuoc", "au duong")

COLUMNS = (
    "uid", "name_x", "name_f", "surname_f", "surname_g", "middle_f", "family_f", "family_x",
    "given_x", "given_f", "given_t", "given_o", "family_i", "family_abbr", "initials_key", "short_key",
    "dob", "dob_alt", "dob_year", "dob_md", "sex", "pid", "old_id",
    "communes", "commune", "province", "phone", "household", "pid_household", "given_rare",
    "family_rare", "near_households", "house_key", "line_key", "former_communes",
)  # fmt: skip

_REGISTER_COLUMNS = (
    "personal_id", "full_name", "birth_date", "sex", "old_id_number", "household_id",
    "commune_code", "province_code", "phone", "commune_name", "address_line", "former_commune_codes",
)  # fmt: skip


def _map_distinct(column: pa.ChunkedArray | pa.Array, func: Callable[[str], Any], value_type: pa.DataType) -> pa.Array:
    """Apply ``func`` to each distinct value of ``column`` and spread the results back."""
    uniques = pc.unique(column)
    mapped = pa.array([func(v) for v in uniques.to_pylist()], value_type)
    return pc.take(mapped, pc.index_in(column, value_set=uniques))


def _phone(text: str) -> str | None:
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if len(digits) == 9:
        digits = "0" + digits
    return digits if len(digits) == 10 else None


def line_key_sql(column: str) -> str:
    """SQL for the key of an address's first part: the house number and street ("50 ngach 23
    ngo 6 cu chinh lan") or the village ("thon chi lai"), folded, "Số"/"Số nhà" dropped; NULL
    when shorter than four characters.

    The register keeps it as ``address_line``; an extract writes it before the commune. Two
    people of one name, year and commune rarely share it, so it tells namesakes apart. Built
    in SQL (DuckDB's ``strip_accents``), not per value in Python: a register holds a line per
    household. A unit name in first place ("Phường Hải An, …") never equals a register line.
    """
    first = f"string_split_regex(coalesce({column}, ''), '[,;|]|\\s-\\s')[1]"
    folded = f"strip_accents(replace(lower(nfc_normalize({first})), 'đ', 'd'))"
    key = f"trim(regexp_replace(regexp_replace({folded}, '^so\\s*(nha\\s*)?(\\d)', '\\2'), '\\s+', ' ', 'g'))"
    return f"CASE WHEN length({key}) >= 4 THEN {key} END"


def load_register(con: duckdb.DuckDBPyConnection, register: Register) -> None:
    """Make the register available as the view ``register_raw`` (text columns)."""
    if isinstance(register, duckdb.DuckDBPyRelation):
        # A table, not a stream: the register is read more than once.
        con.register("register_src", register.to_arrow_table())
    elif isinstance(register, pa.Table):
        con.register("register_src", register)
    else:
        path = str(register).replace("'", "''")
        reader = (
            f"read_parquet('{path}')"
            if path.endswith(".parquet")
            else f"read_csv('{path}', all_varchar=true, header=true)"
        )
        con.sql(f"CREATE OR REPLACE VIEW register_src AS SELECT * FROM {reader}")  # noqa: S608  # SQL built from our own constants, never from input
    present = {r[0] for r in con.execute("DESCRIBE register_src").fetchall()}
    missing = {"personal_id", "full_name", "birth_date"} - present
    if missing:
        raise ValueError("Sổ thiếu cột / The register lacks columns: " + ", ".join(sorted(missing)))
    select = ", ".join(
        f"CAST({c} AS VARCHAR) AS {c}" if c in present else f"CAST(NULL AS VARCHAR) AS {c}" for c in _REGISTER_COLUMNS
    )
    con.sql(f"CREATE OR REPLACE VIEW register_raw AS SELECT {select} FROM register_src")  # noqa: S608  # SQL built from our own constants, never from input


#: A syllable of consonants and a final "y" ("Vy", "Sỹ", "Quý"), which the 1980s
#: spelling rules write with "i" ("Vi", "Sĩ", "Quí"): two spellings of one name.
_CONSONANTS_Y = re.compile(r"^(?:qu|[bcdđghklmnprstvx]+)y$")


def _i_for_y(word: str) -> str:
    """``word`` (lower case) with the final "y" of a consonant-and-"y" syllable as "i", its
    tone kept: "vy" → "vi", "sỹ" → "sĩ", "quý" → "quí"; "huy", "thủy" and "y" are kept.

    Vietnamese writes such a syllable either way (Vy/Vi, Sỹ/Sĩ, Mỹ/Mĩ, Lý/Lí, Kỳ/Kì),
    so one person's name appears in both; nobody tells two people apart by it.
    """
    if not word.endswith(("y", "ý", "ỳ", "ỷ", "ỹ", "ỵ")):
        return word
    decomposed = unicodedata.normalize("NFD", word)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    if not _CONSONANTS_Y.match(base):
        return word
    at = decomposed.rindex("y")
    return unicodedata.normalize("NFC", decomposed[:at] + "i" + decomposed[at + 1 :])


def _toneless(word: str) -> str:
    """``exact_key`` without the tone marks, the vowel hats kept: "Tuấn" → "tuân"."""
    kept = (c for c in unicodedata.normalize("NFD", exact_key(word)) if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", "".join(kept))


def _word_keys(
    con: duckdb.DuckDBPyConnection,
    source: str,
    target: str,
    surnames: str | None = None,
    repair: Callable[[str], str] | None = None,
) -> None:
    """Build name keys for each distinct ``name`` of ``source`` into ``target`` (keyed by ``name``).

    A register repeats its names (2M people carry ~150k distinct full names), so
    each distinct name is split and keyed once and callers join the keys back on
    the name. Names are made of few distinct words, so each word is keyed once in Python
    (``exact_key``: case, Unicode form and tone placement; ``fold``: no marks;
    ``_toneless``: no tone marks), each with "i" for a final "y" (:func:`_i_for_y`).
    With ``surnames`` (a table of the register's usual surnames, folded), an honorific in front ("Ông", "Bà") is dropped. ``repair`` reads
    a damaged word back before it is keyed (see :func:`.readings.ocr_repairer`).
    """
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _words AS
        SELECT uid, unnest(w) AS word, unnest(range(1, len(w) + 1)) AS pos
        FROM (SELECT name AS uid,
                     -- notes in brackets ("Nguyễn Văn An (con)") and stray dots are no name
                     string_split_regex(trim(regexp_replace(name, '\\([^)]*\\)|[.;:]', ' ', 'g')),
                                        '[\\s,]+') AS w
              FROM (SELECT DISTINCT name FROM {source} WHERE name IS NOT NULL AND trim(name) <> ''))
        """  # noqa: S608  # SQL built from our own constants, never from input
    )
    words = [r[0] for r in con.execute("SELECT DISTINCT word FROM _words").fetchall()]
    read = [repair(w) for w in words] if repair else words
    keyed = pa.table(
        {
            "word": pa.array(words, pa.string()),
            "wx": pa.array([_i_for_y(exact_key(w)) for w in read], pa.string()),
            "wf": pa.array([_i_for_y(fold(w)) for w in read], pa.string()),
            "wt": pa.array([_i_for_y(_toneless(w)) for w in read], pa.string()),
            "wo": pa.array([fold(w) for w in read], pa.string()),
        }
    )
    con.register("_word_table", keyed)
    if surnames is None:
        reorder = "SELECT * FROM listed"
    else:
        known = f"(SELECT surname FROM {surnames})"  # noqa: S608  # our own table name
        reorder = f"""
            SELECT uid,
                   CASE WHEN titled THEN lx[2:] ELSE lx END AS lx,
                   CASE WHEN titled THEN lf[2:] ELSE lf END AS lf,
                   CASE WHEN titled THEN lt[2:] ELSE lt END AS lt,
                   CASE WHEN titled THEN lo[2:] ELSE lo END AS lo
            FROM (SELECT *, len(lf) >= 3 AND lf[1] IN ('ong', 'ba') AND lf[2] IN {known} AS titled
                  FROM listed)
        """  # noqa: S608  # SQL built from our own constants, never from input
    compounds = ", ".join(f"'{c}'" for c in _COMPOUND_SURNAMES)
    variants = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SURNAME_VARIANTS.items())
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE {target} AS
        WITH listed AS (
            SELECT w.uid,
                   list(t.wx ORDER BY w.pos) FILTER (WHERE t.wf <> '') AS lx,
                   list(t.wf ORDER BY w.pos) FILTER (WHERE t.wf <> '') AS lf,
                   list(t.wt ORDER BY w.pos) FILTER (WHERE t.wf <> '') AS lt,
                   list(t.wo ORDER BY w.pos) FILTER (WHERE t.wf <> '') AS lo
            FROM _words w JOIN _word_table t USING (word)
            GROUP BY w.uid
        ), lists AS ({reorder}), cut AS (
            SELECT uid, lx, lf, lt, lo, len(lf) AS n,
                   CASE WHEN len(lf) >= 3 AND lf[1] || ' ' || lf[2] IN ({compounds})
                        THEN 2 WHEN len(lf) >= 2 THEN 1 ELSE 0 END AS s
            FROM lists WHERE len(lf) > 0
        )
        SELECT uid,
               array_to_string(lx, ' ') AS name_x,
               array_to_string(lf, ' ') AS name_f,
               nullif(array_to_string(lf[1:s], ' '), '') AS surname_f,
               nullif(array_to_string(lf[s + 1:n - 1], ' '), '') AS middle_f,
               nullif(array_to_string(lx[1:n - 1], ' '), '') AS family_x,
               lx[n] AS given_x,
               lf[n] AS given_f,
               lt[n] AS given_t,
               lo[n] AS given_o,
               -- initials of the surname and middle name ("N.T. Lan", "NGUYEN TT LAN"),
               -- one letter per word
               nullif(array_to_string(list_transform(lf[1:n - 1], lambda w: CASE WHEN {_HAS_VOWEL} THEN w[1]
                                                                          ELSE w END), ''), '')
                 AS family_i,
               CASE WHEN n > 1 AND NOT list_bool_and(list_transform(lf[1:s], lambda w: {_HAS_VOWEL})) THEN 'all'
                    WHEN n > 1 AND NOT list_bool_and(list_transform(lf[1:n - 1], lambda w: {_HAS_VOWEL}))
                    THEN 'middle' END AS family_abbr
        FROM cut
        """  # noqa: S608  # SQL built from our own constants, never from input
    )
    con.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE {target} AS
        SELECT * EXCLUDE (uid), uid AS name,
               CASE surname_f {variants} ELSE surname_f END AS surname_g,
               nullif(concat_ws(' ', surname_f, middle_f), '') AS family_f
        FROM {target}
        """  # noqa: S608  # SQL built from our own constants, never from input
    )
    con.unregister("_word_table")
    con.sql("DROP TABLE _words")


def _known_name_words(con: duckdb.DuckDBPyConnection) -> None:
    """The given names and the surname/middle-name words the register uses (at least
    three times), marked (``_known_*_x``) and folded (``_known_*_f``)."""
    for kind, marked, folded in (("given", "given_x", "given_f"), ("family", "family_x", "family_f")):
        words_x = f"unnest(string_split({marked}, ' '))" if kind == "family" else marked
        words_f = f"unnest(string_split({folded}, ' '))" if kind == "family" else folded
        for suffix, words, column in (("x", words_x, marked), ("f", words_f, folded)):
            con.sql(
                f"""
                CREATE OR REPLACE TEMP TABLE _known_{kind}_{suffix} AS
                SELECT word FROM (SELECT {words} AS word FROM reg WHERE {column} IS NOT NULL)
                GROUP BY word HAVING count(*) >= 3
                """  # noqa: S608  # SQL built from our own constants, never from input
            )


def prepare_register(con: duckdb.DuckDBPyConnection) -> None:
    """Build the table ``reg`` from the view ``register_raw``."""
    con.sql("CREATE OR REPLACE TEMP TABLE _reg_names AS SELECT DISTINCT full_name AS name FROM register_raw")
    _word_keys(con, "_reg_names", "_reg_keys")
    # The person's other residences (earlier, temporary): codes separated by commas or spaces.
    con.sql(
        """
        CREATE OR REPLACE TEMP TABLE _reg_former AS
        SELECT personal_id, code
        FROM (SELECT personal_id, unnest(string_split_regex(trim(former_commune_codes), '[\\s,;]+')) AS code
              FROM register_raw WHERE former_commune_codes IS NOT NULL AND trim(former_commune_codes) <> '')
        WHERE code <> ''
        """
    )
    codes = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT commune_code FROM register_raw WHERE commune_code IS NOT NULL "
            "UNION SELECT DISTINCT code FROM _reg_former"
        ).fetchall()
    ]
    communes = resolve_register_communes(codes)
    con.register(
        "_reg_communes",
        pa.table(
            {
                "commune_code": pa.array(list(communes), pa.string()),
                "current_commune": pa.array([c for c, _ in communes.values()], pa.string()),
                "current_province": pa.array([p for _, p in communes.values()], pa.string()),
            }
        ),
    )
    con.sql(
        f"""
        CREATE OR REPLACE TABLE reg AS
        SELECT r.personal_id AS uid,
               k.name_x, k.name_f, k.surname_f, k.surname_g, k.middle_f, k.family_f,
               k.family_x, k.given_x, k.given_f, k.given_t, k.given_o, k.family_i, k.family_abbr,
               k.family_i || ' ' || k.given_f AS initials_key,
               k.surname_g || ' ' || k.given_f AS short_key,
               CASE WHEN length(r.birth_date) >= 10 AND substr(r.birth_date, 6, 5) <> '01-01'
                    THEN substr(r.birth_date, 1, 10) END AS dob,
               CAST(NULL AS VARCHAR) AS dob_alt,
               TRY_CAST(substr(r.birth_date, 1, 4) AS INTEGER) AS dob_year,
               CASE WHEN length(r.birth_date) >= 10 AND substr(r.birth_date, 6, 5) <> '01-01'
                    THEN substr(r.birth_date, 6, 5) END AS dob_md,
               CASE WHEN r.sex IN ('Nam', 'Nữ') THEN r.sex END AS sex,
               r.personal_id AS pid,
               nullif(trim(r.old_id_number), '') AS old_id,
               CASE WHEN c.current_commune IS NULL THEN []::VARCHAR[]
                    ELSE [c.current_commune] END AS communes,
               c.current_commune AS commune,
               coalesce(c.current_province, nullif(r.province_code, '')) AS province,
               CASE WHEN length(regexp_replace(coalesce(r.phone, ''), '\\D', '', 'g')) = 10
                    THEN regexp_replace(r.phone, '\\D', '', 'g') END AS phone,
               nullif(r.household_id, '') AS household,
               CAST(NULL AS VARCHAR) AS pid_household,
               false AS given_rare,
               false AS family_rare,
               []::VARCHAR[] AS near_households,
               CAST(NULL AS VARCHAR) AS house_key,
               {line_key_sql("r.address_line")} AS line_key,
               coalesce(list_filter(f.communes, lambda x: x IS DISTINCT FROM c.current_commune),
                        []::VARCHAR[]) AS former_communes
        FROM register_raw r
        LEFT JOIN _reg_keys k ON k.name = r.full_name
        LEFT JOIN _reg_communes c USING (commune_code)
        LEFT JOIN (SELECT x.personal_id, list(DISTINCT fc.current_commune) AS communes
                   FROM _reg_former x JOIN _reg_communes fc ON fc.commune_code = x.code
                   WHERE fc.current_commune IS NOT NULL
                   GROUP BY x.personal_id) f ON f.personal_id = r.personal_id
        """  # noqa: S608  # SQL built from our own constants, never from input
    )
    # What the correction list shows of the register, read from the source once.
    con.sql(
        "CREATE OR REPLACE TEMP TABLE reg_display AS SELECT personal_id, full_name, birth_date, "
        "sex, commune_name FROM register_raw"
    )
    con.unregister("_reg_communes")
    con.sql("DROP TABLE _reg_former")
    con.sql("DROP TABLE _reg_keys")
    con.sql("DROP TABLE _reg_names")


def _other_name_readings(con: duckdb.DuckDBPyConnection) -> None:
    """The rows whose name reads otherwise (``_ext_readings``: uid, name; see
    :func:`.readings.read_name_order`), with those readings keyed into ``_ext_keys``."""
    con.sql(
        """
        CREATE OR REPLACE TEMP VIEW _ext_written AS
        SELECT s.uid, k.name_x, k.name_f, s.dob_year, substr(s.dob, 6, 5) AS dob_md,
               CASE WHEN s.id_kind = 'personal_id' THEN s.id_value END AS pid,
               coalesce(s.old_in_old_column, CASE WHEN s.id_kind = 'old_id' THEN s.id_value END) AS old_id,
               s.phone, coalesce(s.communes, []::VARCHAR[]) AS communes
        FROM _ext_src s JOIN _ext_keys k ON k.name = s.name
        """
    )
    read_name_order(con, "_ext_written", "reg", "_reg_name_f", "_known_surnames", "_ext_readings")
    con.sql("DROP VIEW _ext_written")
    con.sql("DROP TABLE _reg_name_f")
    con.sql(
        "CREATE OR REPLACE TEMP TABLE _ext_read_names AS SELECT DISTINCT name FROM _ext_readings "
        "WHERE name NOT IN (SELECT name FROM _ext_keys)"
    )
    _word_keys(con, "_ext_read_names", "_ext_read_keys")
    con.sql("INSERT INTO _ext_keys BY NAME SELECT * FROM _ext_read_keys")
    con.sql("DROP TABLE _ext_read_keys")
    con.sql("DROP TABLE _ext_read_names")


def _register_ocr_repairer(con: duckdb.DuckDBPyConnection) -> Callable[[str], str]:
    """:func:`.readings.ocr_repairer` on the words of the register's names (folded):
    present at all, and used at least three times. Leaves the register's distinct
    names with their counts in ``_reg_name_f`` (name_f, n)."""
    con.sql(
        "CREATE OR REPLACE TEMP TABLE _reg_name_f AS "
        "SELECT name_f, count(*) AS n FROM reg WHERE name_f IS NOT NULL GROUP BY name_f"
    )
    counts = con.execute(
        "SELECT word, sum(n) FROM (SELECT unnest(string_split(name_f, ' ')) AS word, n FROM _reg_name_f) GROUP BY word"
    ).fetchall()
    return ocr_repairer({w for w, _ in counts}, {w for w, n in counts if n >= 3})


def _name_decoder(names: pa.ChunkedArray | pa.Array) -> Callable[[str], str]:
    sample = [v for v in pc.unique(names).to_pylist()[:5000] if v]
    hint = dominant_encoding(sample)

    def decode(value: str) -> str:
        return decode_telex(decode_legacy(value or "", hint=hint))

    return decode


def home_provinces(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The register's own province(s), most people first (at most two), read from the
    view ``register_raw``: what ``reg.province`` will hold, without waiting for ``reg``."""
    rows = con.execute(
        "SELECT commune_code, nullif(province_code, ''), count(*) FROM register_raw GROUP BY ALL"
    ).fetchall()
    communes = resolve_register_communes({code for code, _, _ in rows if code is not None})
    people: dict[str, int] = {}
    for code, province_code, count in rows:
        current = communes[code][1] if code is not None else None
        province = current or province_code
        if province is not None:
            people[province] = people.get(province, 0) + count
    return [p for p, _ in sorted(people.items(), key=lambda item: (-item[1], item[0]))[:2]]


def clean_extract(fields: pa.Table, home: Sequence[str]) -> pa.Table:
    """Clean each field of the extract's field table (see :mod:`.reading`), in Python and
    Arrow only: the per-row table ``prepare_extract`` keys and joins in DuckDB.

    ``home`` (:func:`home_provinces`) are the provinces assumed when an address names
    none: an agency's extract is about the register's own province(s). Touches no
    DuckDB connection, so it may run beside the register's preparation.
    """
    n = fields.num_rows
    empty = pa.array([""] * n, pa.string())

    def col(name: str) -> pa.ChunkedArray | pa.Array:
        return fields.column(name) if name in fields.column_names else empty

    names = col("full_name")
    decoded = _map_distinct(names, _name_decoder(names), pa.string())
    birth = col("birth_date")
    if "birth_date" not in fields.column_names and "birth_year" in fields.column_names:
        birth = col("birth_year")
    dates = parse_dates(birth)
    ids = clean_ids(col("personal_id"))
    old_column = clean_ids(col("old_id_number"))
    old_ids = pc.if_else(
        pc.equal(pc.struct_field(old_column, "kind"), "old_id"),
        pc.struct_field(old_column, "value"),
        pa.scalar(None, pa.string()),
    )
    sexes = _map_distinct(col("sex"), normalise_sex, pa.string())
    phones = _map_distinct(col("phone"), _phone, pa.string())
    address_text = _address_text(fields, n)
    resolved, houses = _extract_addresses(fields, address_text, home)
    return pa.table(
        {
            "uid": fields.column("row_id"),
            "name": decoded,
            "dob": pc.struct_field(dates, "dob"),
            "dob_alt": pc.struct_field(dates, "alt"),
            "dob_year": pc.struct_field(dates, "year"),
            "sex": sexes,
            "id_kind": pc.struct_field(ids, "kind"),
            "id_value": pc.struct_field(ids, "value"),
            "old_in_old_column": old_ids,
            "communes": resolved.communes,
            "house": houses,
            "province": resolved.province,
            "phone": phones,
            "address": address_text,
        }
    )


def prepare_extract(
    con: duckdb.DuckDBPyConnection,
    fields: pa.Table,
    progress: Callable[[str, int, int], None] | None = None,
    *,
    cleaned: pa.Table | None = None,
) -> None:
    """Build the table ``ext`` from the extract's field table (see :mod:`.reading`).

    ``cleaned`` is :func:`clean_extract`'s result when the caller has it already.
    """
    if progress:
        progress("normalise", 0, 4)
    table = cleaned if cleaned is not None else clean_extract(fields, home_provinces(con))
    if progress:
        progress("normalise", 3, 4)
    con.register("_ext_src", table)
    con.sql("CREATE OR REPLACE TEMP TABLE _ext_names AS SELECT DISTINCT name FROM _ext_src")
    # The usual surnames (each of at least 1 in 1,000 people): "Ông"/"Bà" before one
    # is an honorific, not the rare surname Ông.
    con.sql(
        "CREATE OR REPLACE TEMP TABLE _known_surnames AS SELECT surname_f AS surname FROM reg "
        "WHERE surname_f IS NOT NULL GROUP BY surname_f "
        "HAVING count(*) >= greatest(3, (SELECT count(*) FROM reg) / 1000)"
    )
    _word_keys(con, "_ext_names", "_ext_keys", surnames="_known_surnames", repair=_register_ocr_repairer(con))
    _other_name_readings(con)
    con.sql("DROP TABLE _known_surnames")
    _known_name_words(con)
    con.sql(
        f"""
        CREATE OR REPLACE TABLE ext AS
        WITH base AS (
            SELECT s.uid, k.name_x, k.name_f, k.surname_f, k.surname_g, k.middle_f,
                   k.family_f, k.family_x, k.given_x, k.given_f, k.given_t, k.given_o,
                   k.family_i, k.family_abbr,
                   -- blocking keys for a name written short: initials, or no middle name
                   CASE WHEN k.family_abbr IS NOT NULL THEN k.family_i || ' ' || k.given_f END
                     AS initials_key,
                   CASE WHEN k.middle_f IS NULL THEN k.surname_g || ' ' || k.given_f END AS short_key,
                   s.dob, s.dob_alt, s.dob_year,
                   substr(s.dob, 6, 5) AS dob_md,
                   s.sex,
                   CASE WHEN s.id_kind = 'personal_id' THEN s.id_value END AS pid,
                   coalesce(s.old_in_old_column,
                            CASE WHEN s.id_kind = 'old_id' THEN s.id_value END) AS old_id,
                   coalesce(s.communes, []::VARCHAR[]) AS communes,
                   CASE WHEN len(s.communes) = 1 THEN s.communes[1] END AS commune,
                   s.province, s.phone,
                   CASE WHEN s.house IS NOT NULL AND len(s.communes) > 0
                        THEN s.house || '|' || s.communes[1] END AS house_key,
                   {line_key_sql("s.address")} AS line_key
            FROM _ext_src s LEFT JOIN _ext_readings a USING (uid)
            LEFT JOIN _ext_keys k ON k.name = coalesce(a.name, s.name)
        ), family_words AS (
            SELECT w.uid,
                   bool_or((w.wx <> w.wf AND kx.word IS NULL) OR kf.word IS NULL) AS family_rare
            FROM (SELECT uid, unnest(string_split(family_x, ' ')) AS wx,
                         unnest(string_split(family_f, ' ')) AS wf
                  FROM base WHERE family_f IS NOT NULL) w
            LEFT JOIN _known_family_x kx ON kx.word = w.wx
            LEFT JOIN _known_family_f kf ON kf.word = w.wf
            GROUP BY w.uid
        )
        SELECT b.* EXCLUDE (phone, house_key, line_key), b.phone, CAST(NULL AS VARCHAR) AS household,
               r.household AS pid_household,
               -- A given name the register (nearly) never uses is a typo, not another
               -- person's real name: "Vâ" for "Vân" may link alone, "Vinh" for
               -- "Minh" may not (twins are given real names).
               -- Judged on the marked form when the row carries marks ("Lưc" is nobody's
               -- name though "Lực" is), else on the folded one.
               (b.given_x <> b.given_f AND b.given_x NOT IN (SELECT word FROM _known_given_x))
                 OR b.given_f NOT IN (SELECT word FROM _known_given_f) AS given_rare,
               -- The same for the surname and middle name: a word of them the register
               -- never uses there is a slip of the pen, not a relative's other name.
               coalesce(fr.family_rare, false) AS family_rare,
               []::VARCHAR[] AS near_households,
               b.house_key, b.line_key,
               []::VARCHAR[] AS former_communes
        FROM base b LEFT JOIN reg r ON r.uid = b.pid
        LEFT JOIN family_words fr ON fr.uid = b.uid
        """  # noqa: S608  # SQL built from our own constants, never from input
    )
    for table in ("_known_given_x", "_known_given_f", "_known_family_x", "_known_family_f"):
        con.sql(f"DROP TABLE {table}")
    con.unregister("_ext_src")
    con.sql("DROP TABLE _ext_keys")
    con.sql("DROP TABLE _ext_readings")
    con.sql("DROP TABLE _ext_names")
    if progress:
        progress("normalise", 4, 4)


_HOUSE = re.compile(r"^(?:so\s*(?:nha\s*)?)?(\d+[a-z]?(?:/\d+)*)\s+(.+)$")
_DIGIT = re.compile(r"\d")
_FIRST_SEPARATOR = re.compile(r"[,;|]")
_CUT = re.compile(r"[,;|]|\s-\s")
_WORD_CHAR = re.compile(r"\w")


def add_household_context(con: duckdb.DuckDBPyConnection) -> None:
    """Fill ``ext.near_households``: the register households of *other* rows at the same house.

    Agencies list a household's members together; once the ID rules have linked
    some of them, the house they share is evidence for the others (and not for
    the row itself, so the evidence is never circular).
    """
    con.sql(
        """
        CREATE OR REPLACE TABLE ext AS
        WITH near AS (
            SELECT e.uid, list(DISTINCT r.household) AS households
            FROM ext e
            JOIN ext o ON o.house_key = e.house_key AND o.uid <> e.uid
            JOIN id_links i ON i.uid = o.uid
            JOIN reg r ON r.uid = i.rid
            WHERE e.house_key IS NOT NULL AND r.household IS NOT NULL
            GROUP BY e.uid
        )
        SELECT e.* REPLACE (coalesce(n.households, []::VARCHAR[]) AS near_households)
        FROM ext e LEFT JOIN near n USING (uid)
        """
    )


def _house_number(address: str) -> str | None:
    """The house (number and street) an address starts with, folded; None for a village."""
    text = address or ""
    # Folding creates no digits: an address without any has no house number.
    if not _DIGIT.search(text):
        return None
    # Only the part before the first separator can be the house, so fold no further:
    # folding keeps ",;|" and " - " where they are and moves no character across them.
    # The separator is kept (so that "12 Lê Lợi - ," still cuts at " - "), and a " - "
    # only counts when a letter or digit follows it somewhere: "12 Lê Lợi - " with
    # nothing after the dash is no cut once folding has trimmed the end.
    cut = _CUT.search(text)
    if cut and (cut.group() in ",;|" or _WORD_CHAR.search(text, cut.end())):
        text = text[: cut.end()] + "-"
    else:
        comma = _FIRST_SEPARATOR.search(text)
        if comma:
            text = text[: comma.end()]
    first = _CUT.split(fold(text), maxsplit=1)[0].strip()
    match = _HOUSE.match(first)
    if not match:
        return None
    return f"{match.group(1)} {' '.join(match.group(2).split())}"


def _with_commune_codes(fields: pa.Table, resolved: ResolvedAddresses) -> ResolvedAddresses:
    """Use a commune *code* column ("Mã xã": 5 digits, former or current) where there is one."""
    if "commune" not in fields.column_names:
        return resolved
    values = [(v or "").strip() for v in fields.column("commune").to_pylist()]
    codes = [v.zfill(5) if v.isdigit() and len(v) <= 5 else None for v in values]
    if sum(c is not None for c in codes) < 0.5 * sum(1 for v in values if v):
        return resolved  # names, not codes
    mapped = resolve_register_communes({c for c in codes if c})
    communes = resolved.communes.to_pylist()
    provinces = resolved.province.to_pylist()
    for i, code in enumerate(codes):
        current, province = mapped.get(code, (None, None)) if code else (None, None)
        if current:
            communes[i], provinces[i] = [current], province
    return ResolvedAddresses(pa.array(communes, pa.list_(pa.string())), pa.array(provinces, pa.string()))


def _extract_addresses(
    fields: pa.Table, text: pa.ChunkedArray | pa.Array, home: Sequence[str]
) -> tuple[ResolvedAddresses, pa.Array]:
    """Each row's resolved address and house, working once per *distinct* address.

    A million-row extract holds some 400k distinct addresses (households share
    them): they are resolved and their house numbers read once, then spread back.
    """
    distinct = pc.unique(text)
    positions = pc.index_in(text, value_set=distinct)
    values = distinct.to_pylist()
    resolved = resolve_addresses(values, home)
    houses = pa.array([_house_number(v) for v in values], pa.string())
    per_row = ResolvedAddresses(pc.take(resolved.communes, positions), pc.take(resolved.province, positions))
    return _with_commune_codes(fields, per_row), pc.take(houses, positions)


def _address_text(fields: pa.Table, n: int) -> pa.ChunkedArray | pa.Array:
    """One address string per row: the address column, plus unit columns if given
    (empty and missing parts left out; "" when a row has none)."""
    parts: Sequence[str] = [
        c for c in ("address", "village", "commune", "district", "province") if c in fields.column_names
    ]
    if not parts:
        return pa.array([""] * n, pa.string())
    if len(parts) == 1:
        return pc.fill_null(pc.cast(fields.column(parts[0]), pa.string()), "")
    # Not pc.binary_join_element_wise(null_handling="skip"): pyarrow 26 drops the rows
    # whose parts are all null instead of returning "" for them.
    columns = [fields.column(c).to_pylist() for c in parts]
    return pa.array([", ".join(v for v in values if v) for values in zip(*columns, strict=True)], pa.string())
