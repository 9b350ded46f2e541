"""`cdv review` verbs (being written)."""

from __future__ import annotations

from pipeline.cli import main  # noqa: F401
