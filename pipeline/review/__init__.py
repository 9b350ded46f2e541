"""Review stage: reviewer decisions (SQLite in the workspace) applied to detections and indicators.

- `apply_decisions(detections, workspace, run_dir)`: detections with decisions applied (for `cdv tables`).
- `indicator_decisions(workspace, run_dir)`: reviewer values of the indicator grid.
- `review_counts(decided)`: how many detections are reviewed.
- `unattached_decisions(...)`: decisions that no longer find their detection (shown, never dropped).
The web app (`app`), the spreadsheet round trip (`spreadsheet`) and double coding (`agreement`) sit on
`session.ReviewSession`.
"""

from __future__ import annotations

from pipeline.review.apply import apply_decisions, review_counts, unattached_decisions
from pipeline.review.indicators import indicator_decisions

__all__ = ["apply_decisions", "indicator_decisions", "review_counts", "unattached_decisions"]
