"""`cdv demo-corpus` and `cdv evaluate`: the synthetic corpus with gold labels, and accuracy against it."""

from __future__ import annotations

from pipeline.cli import main  # noqa: F401
