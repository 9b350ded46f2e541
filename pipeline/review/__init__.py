"""Review stage: reviewer decisions (SQLite in the workspace) applied to detections and indicators.

- `apply.apply_decisions(detections, workspace, run_dir)`: detections with decisions applied (for `cdv tables`).
- `indicators.indicator_decisions(workspace, run_dir)`: reviewer values of the indicator grid.
- `apply.review_counts(decided)`: how many detections are reviewed.
- `apply.unattached_decisions(...)`: decisions that no longer find their detection (shown, never dropped).
The web app (`app`), the spreadsheet round trip (`spreadsheet`) and double coding (`agreement`) sit on
`session.ReviewSession`. The package itself imports none of them: reading the decision store (`store`) needs no
pandas.
"""
