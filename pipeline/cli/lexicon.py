"""`cdv lexicon ...`: check the analyst-editable lexicons."""

from __future__ import annotations

from pipeline.cli import main  # noqa: F401
