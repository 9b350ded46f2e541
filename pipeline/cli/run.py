"""`cdv run` and `cdv extract`."""

from __future__ import annotations

from pipeline.cli import main  # noqa: F401
