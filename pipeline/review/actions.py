"""Undoing a decision: the state before it comes back, as a new audited decision (nothing is deleted).

Only the reviewer who made a decision may undo it, and only while it is the one in force (a colleague's
later decision is not silently overwritten).
"""

from __future__ import annotations

from pipeline.review.session import ReviewError, ReviewSession
from pipeline.review.store import Decision, NewDecision, Recorded


def undo_decision(session: ReviewSession, decision_id: int, reviewer: str) -> Recorded:
    """Restore what a detection was before `decision_id` (automatic state, the previous decision's, or, for
    a detection the reviewer added, a rejection of it)."""
    decision = session.store.by_ids([decision_id]).get(decision_id)
    if decision is None:
        raise ReviewError(f"décision n° {decision_id} inconnue.")
    if decision.reviewer != reviewer.strip():
        raise ReviewError("seules vos propres décisions peuvent être annulées.")
    if decision.superseded_by is not None:
        raise ReviewError("cette décision a déjà été remplacée : annulation impossible, décidez à nouveau.")
    previous = previous_decision(session, decision)
    if decision.action == "ajouter":
        after = {**decision.after, "status": "rejete"}
    elif previous is not None:
        after = dict(previous.after)
    else:
        after = {**decision.before, "status": "auto", "restore": True}
    return session.store.record(
        NewDecision(
            contract_id=decision.contract_id,
            detection_id=decision.detection_id,
            entity_id=decision.entity_id,
            context=decision.context,
            page=decision.page,
            action="annuler",
            before=dict(decision.after),
            after=after,
            reviewer=decision.reviewer,
            source="annulation",
            coding=decision.coding,
            run_id=session.run_id,
            basis=decision.id,
        )
    )


def previous_decision(session: ReviewSession, decision: Decision) -> Decision | None:
    """The decision `decision` replaced on the same detection (None when it replaced the automatic state)."""
    replaced = [d for d in session.store.all(decision.contract_id) if d.superseded_by == decision.id]
    replaced = [d for d in replaced if d.detection_id == decision.detection_id] or replaced
    return max(replaced, key=lambda d: d.id, default=None)
