"""The "impact first" order: unreviewed detections ranked by how much their correction could move a
published percentage, then by uncertainty (low score first).

A detection that alone decides whether an entity is named (or signs) in a contract moves that entity's
percentage by 100 / contracts read if it is wrong; the k-th of k mentions moves it by a k-th of that.
"""

from __future__ import annotations

import pandas as pd


def impact_scores(decided: pd.DataFrame, n_read: int) -> pd.Series:
    """Percentage points a correction of each detection could move (its share of the cell it supports)."""
    if decided.empty:
        return pd.Series(dtype=float)
    step = 100.0 / max(n_read, 1)
    kept = decided["status"] != "rejete"
    keys = [decided["contract_id"].astype(str), decided["entity_id"].astype(str)]
    n_kept = kept.groupby(keys).transform("sum")
    is_signatory = (decided["role"] == "signataire") & kept
    n_signatory = is_signatory.groupby(keys).transform("sum")
    mention = step / n_kept.where(kept, n_kept + 1).clip(lower=1)
    signature = (step / n_signatory.clip(lower=1)).where(is_signatory, 0.0)
    return (mention + signature).round(3)


def order_impact_first(decided: pd.DataFrame, n_read: int) -> pd.DataFrame:
    """Unreviewed detections first, by impact then uncertainty; reviewed ones after, in page order."""
    if decided.empty:
        return decided.assign(impact=pd.Series(dtype=float))
    frame = decided.assign(impact=impact_scores(decided, n_read))
    frame["_reviewed"] = (frame["status"] != "auto").astype(int)
    frame["_score"] = pd.to_numeric(frame["score"], errors="coerce").fillna(1.0)
    frame["_page"] = pd.to_numeric(frame["page"], errors="coerce").fillna(0)
    frame = frame.sort_values(
        ["_reviewed", "impact", "_score", "_page"], ascending=[True, False, True, True], kind="stable"
    )
    return frame.drop(columns=["_reviewed", "_score", "_page"])


def order_by_page(decided: pd.DataFrame) -> pd.DataFrame:
    """Reading order: page, then position."""
    frame = decided.assign(
        _page=pd.to_numeric(decided["page"], errors="coerce").fillna(0),
        _start=pd.to_numeric(decided["start"], errors="coerce").fillna(0),
    )
    return frame.sort_values(["_page", "_start"], kind="stable").drop(columns=["_page", "_start"])
