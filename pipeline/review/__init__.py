"""Review stage: reviewer decisions (SQLite in the workspace) applied to detections.

Placeholder interface until the review issue lands: decisions are not stored yet, so applying them
returns the detections unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.workspace import Workspace


def apply_decisions(detections: pd.DataFrame, workspace: Workspace, run_dir: Path | None = None) -> pd.DataFrame:
    """Detections with reviewer decisions applied (status, role, theme, entity; added rows)."""
    return detections
