"""Officers' review decisions: confirm a candidate, reject one, or none of them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from dancu.core.audit import Actor, record
from dancu.linkage.access import LinkageOfficer, LinkageRefused
from dancu.linkage.actions.sources import PURPOSE, LinkageInputError
from dancu.linkage.candidates import differences, offered_ids
from dancu.linkage.models import (
    Decision,
    LinkJob,
    ReviewDecision,
    ReviewItem,
    ReviewState,
    SourceIndicator,
)
from dancu.registry.models import Person

__all__ = ["check_decide_review", "do_decide_review"]


# Which job counters a review row counts in: pending rows are "review"; a confirmed one is
# matched (clean or with differences, against the person confirmed); "none of these" is unmatched.
def _buckets(state: str, has_differences: bool) -> tuple[str, ...]:
    if state == ReviewState.CONFIRMED:
        return ("matched", "matched_with_differences" if has_differences else "matched_clean")
    if state == ReviewState.REJECTED:
        return ("unmatched",)
    return ("review",)


def _differs(state: str, chosen: str, engine_candidate: str, engine: dict[str, Any], other: dict[str, Any]) -> bool:
    if state != ReviewState.CONFIRMED:
        return False
    return bool(engine if chosen == engine_candidate else other)


def check_decide_review(
    officer: LinkageOfficer, item: ReviewItem, decision: str, reason: str, candidate: str = ""
) -> ReviewDecision:
    """Decide a review row: ``confirm`` that ``candidate`` is its person, ``reject`` one
    candidate (the row stays open for another), or ``none`` — nobody offered is the row's
    person. ``candidate`` must be one the review page offers (the engine's candidate when
    blank). A later decision on the same row replaces an earlier one; all stay in the journal.
    """
    if not officer.may_run:
        raise LinkageRefused("Vai trò của bạn không được phép xem xét / Your role may not review links")
    if decision not in Decision.values:
        raise LinkageInputError("Quyết định không hợp lệ / Invalid decision")
    reason = " ".join(reason.split())
    if len(reason) > 500:
        raise LinkageInputError("Lý do quá dài (tối đa 500 ký tự) / Reason too long (500 characters at most)")
    if decision in {Decision.REJECT, Decision.NONE} and not reason:
        raise LinkageInputError("Hãy ghi lý do bác bỏ / Give a reason for rejecting")
    if decision == Decision.NONE:
        return do_decide_review(officer.actor, item, decision, reason, "")
    candidate = candidate.strip() or item.personal_id
    if not candidate:
        raise LinkageInputError("Dòng này không có ứng viên để quyết định / This row has no candidate to decide on")
    if candidate not in offered_ids(item):
        raise LinkageInputError(
            f"Người {candidate} không phải ứng viên của dòng này / {candidate} is not a candidate for this row"
        )
    return do_decide_review(officer.actor, item, decision, reason, candidate)


def do_decide_review(actor: Actor, item: ReviewItem, decision: str, reason: str, candidate: str) -> ReviewDecision:
    """Journal the decision, settle (or reopen) the row and move it between the job's counters."""
    with transaction.atomic():
        # Lock the item so two officers deciding at once move the counters once each.
        locked = ReviewItem.objects.select_for_update().select_related("job").get(pk=item.pk)
        job = locked.job
        entry = ReviewDecision.objects.create(
            source_id=job.source_id,
            job=job,
            row_key=locked.row_key,
            row_id=locked.row_id,
            decision=decision,
            personal_id=candidate,
            reason=reason,
            decided_by=actor.id,
        )
        old = (locked.state, locked.chosen_personal_id, locked.chosen_differences)
        rejected = list(locked.rejected_candidates)
        state, chosen, chosen_differences = old
        if decision == Decision.CONFIRM:
            state, chosen = ReviewState.CONFIRMED, candidate
            rejected = [r for r in rejected if r != candidate]
            other = Person.objects.filter(personal_id=candidate).first() if candidate != locked.personal_id else None
            chosen_differences = differences(locked.extract, other) if other is not None else {}
        elif decision == Decision.NONE:
            state, chosen, chosen_differences = ReviewState.REJECTED, "", {}
        else:
            if candidate not in rejected:
                rejected.append(candidate)
            if state == ReviewState.CONFIRMED and chosen == candidate:
                state, chosen, chosen_differences = ReviewState.PENDING, "", {}
        ReviewItem.objects.filter(pk=locked.pk).update(
            state=state,
            chosen_personal_id=chosen,
            chosen_differences=chosen_differences,
            rejected_candidates=rejected,
            decision=entry,
        )
        before = _buckets(old[0], _differs(old[0], old[1], locked.personal_id, locked.differences, old[2]))
        after = _buckets(state, _differs(state, chosen, locked.personal_id, locked.differences, chosen_differences))
        delta: dict[str, int] = {}
        for name in before:
            delta[name] = delta.get(name, 0) - 1
        for name in after:
            delta[name] = delta.get(name, 0) + 1
        moves: dict[str, Any] = {name: F(name) + change for name, change in delta.items() if change}
        if moves:
            LinkJob.objects.filter(pk=job.pk).update(**moves)
            indicator_moves = {k: v for k, v in moves.items() if k != "matched"}
            SourceIndicator.objects.filter(source_id=job.source_id, job=job).update(**indicator_moves)
        record(
            action="linkage.review.decide",
            actor=actor,
            subject_personal_id=candidate or locked.personal_id,
            object_type="linkage.ReviewItem",
            object_id=locked.pk,
            purpose=PURPOSE,
            details={
                "job": str(job.public_id),
                "row_id": locked.row_id,
                "decision": decision,
                "candidate": candidate,
                "engine_candidate": locked.personal_id,
                "reason": reason,
            },
        )
    item.refresh_from_db()
    return entry
