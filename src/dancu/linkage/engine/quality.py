"""Measure a linkage against known answers: F1 over rows marked ``matched``.

A row counts as a true positive only when it is ``matched`` with the right
personal ID; a ``matched`` row with a wrong ID (or for a person the register
does not hold) is a false positive; a registered person's row that is not
matched correctly is a false negative. The share of rows sent to ``review`` is
reported beside, since review is work for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Quality", "measure"]


@dataclass(frozen=True)
class Quality:
    """Counts and rates of one linkage run."""

    rows: int
    true_positives: int
    false_positives: int
    false_negatives: int
    review: int

    @property
    def precision(self) -> float:
        """Share of ``matched`` rows linked to the right person."""
        linked = self.true_positives + self.false_positives
        return self.true_positives / linked if linked else 1.0

    @property
    def recall(self) -> float:
        """Share of registered people's rows matched to the right person."""
        present = self.true_positives + self.false_negatives
        return self.true_positives / present if present else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def review_share(self) -> float:
        """Share of all rows sent to review."""
        return self.review / self.rows if self.rows else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """The numbers, rounded, for reports."""
        return {
            "rows": self.rows,
            "precision": round(self.precision, 5),
            "recall": round(self.recall, 5),
            "f1": round(self.f1, 5),
            "review_share": round(self.review_share, 5),
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


def measure(result: Mapping[str, tuple[str, str | None]], truth: Mapping[str, str]) -> Quality:
    """Compare ``result`` {row_id: (status, personal_id)} with ``truth`` {row_id: personal_id or ""}."""
    tp = fp = fn = review = 0
    for row_id, expected in truth.items():
        status, personal_id = result.get(row_id, ("unmatched", None))
        if status == "review":
            review += 1
        if status == "matched" and personal_id and personal_id == expected:
            tp += 1
            continue
        if status == "matched":
            fp += 1
        if expected:
            fn += 1
    return Quality(len(truth), tp, fp, fn, review)
