"""Row fingerprints, prior decisions in the engine's form, and the progress scale."""

from __future__ import annotations

import unicodedata

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from dancu.linkage.running import (
    STAGES,
    PriorDecision,
    count_results,
    engine_decisions,
    overall_percent,
    row_keys,
)

names = st.text(alphabet=st.sampled_from("abcdeghiklmnoyĐđÂâĂăƠơƯưÁàẢãẠếềểễệ "), min_size=1, max_size=30)


def _fields(**columns: list[str]) -> pa.Table:
    n = len(next(iter(columns.values())))
    return pa.table({"row_id": [str(i) for i in range(1, n + 1)], **columns})


@given(name=names, birth=st.sampled_from(["01/02/1990", "1990", "", "33000"]), spaces=st.integers(1, 3))
def test_it_gives_the_same_key_whatever_the_unicode_form_and_spacing(name: str, birth: str, spaces: int) -> None:
    nfd = unicodedata.normalize("NFD", name)
    spaced = (" " * spaces).join(name.split()) + " "
    keys = row_keys(_fields(full_name=[name, nfd, spaced], birth_date=[birth, birth, birth]))
    assert keys[0] == keys[1] == keys[2]
    assert len(keys[0]) == 32


def test_it_gives_a_different_key_when_an_identifying_value_differs() -> None:
    table = _fields(
        full_name=["Nguyễn Văn Hùng", "Nguyễn Văn Hưng", "Nguyễn Văn Hùng", "Nguyễn Văn Hùng"],
        birth_date=["01/02/1990", "01/02/1990", "02/01/1990", "01/02/1990"],
        phone=["0912345678", "0912345678", "0912345678", "0987654321"],
    )
    keys = row_keys(table)
    assert len({keys[0], keys[1], keys[2]}) == 3
    # The phone is not identifying: a new number keeps the officer's decision.
    assert keys[3] == keys[0]


def test_it_keys_a_row_by_content_not_by_row_number() -> None:
    first = row_keys(pa.table({"row_id": ["1", "2"], "full_name": ["Lê Thị Hoa", "Trần Văn Nam"]}))
    renumbered = row_keys(pa.table({"row_id": ["7", "3"], "full_name": ["Trần Văn Nam", "Lê Thị Hoa"]}))
    assert renumbered == [first[1], first[0]]


def test_it_turns_prior_decisions_into_the_engines_form() -> None:
    prior = {
        "k1": PriorDecision("confirm", "031190000001"),
        "k3": PriorDecision("none"),
        # Only a candidate rejected: not the engine's business (the run reopens the row after).
        "k4": PriorDecision("", "", frozenset({"031190000002"})),
    }
    assert engine_decisions(["10", "11", "12", "13"], ["k1", "k2", "k3", "k4"], prior) == {
        "10": "031190000001",
        "12": "rejected",
    }


def test_it_moves_the_progress_scale_forward_through_the_stages() -> None:
    points = [overall_percent(stage, done, 4) for stage in STAGES for done in range(5)]
    assert points == sorted(points)
    assert points[0] == 0
    assert points[-1] == 100
    assert overall_percent("register", 500, 1000) == 17
    assert overall_percent("unknown stage", 1, 1) == 0
    assert overall_percent("score", 1, 0) == 68


def test_it_counts_matched_rows_as_clean_or_with_differences() -> None:
    table = pa.table(
        {
            "status": ["matched", "matched", "matched", "review", "unmatched", "matched"],
            "differences": ["{}", '{"sex": ["", "Nữ"]}', None, '{"full_name": ["A", "B"]}', None, ""],
            "duplicate_of": [None, None, "1", None, None, None],
        }
    )
    assert count_results(table) == {
        "rows": 6,
        "matched": 4,
        "matched_clean": 3,
        "matched_with_differences": 1,
        "review": 1,
        "unmatched": 1,
        "duplicates": 1,
    }
