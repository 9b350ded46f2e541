"""Shared fixtures. Prefect is configured here, before any test imports it: its home in a temporary
folder, analytics off, a patient start of its ephemeral server."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="cdv-prefect-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "240")
os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

os.environ.setdefault("CDV_PREFECT_IDLE_SECONDS", "600")

from pipeline.analyser import stop_analyser
from pipeline.lexicon import Lexicon, default_lexicon_dir, load_lexicon
from pipeline.models import Models, default_models_dir, load_models
from pipeline.prefect_server import stop_server
from pipeline.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    """The project's real lexicons."""
    return load_lexicon(default_lexicon_dir())


@pytest.fixture(scope="session")
def models() -> Models:
    """The committed models, loaded once for the session (loading them takes seconds)."""
    loaded = load_models(default_models_dir())
    assert loaded is not None
    return loaded


@pytest.fixture(scope="session", autouse=True)
def shared_prefect_server() -> Iterator[None]:
    """Every `cdv run` of the session shares one local Prefect server and one resident analyser (started by the
    first run that needs them, in the session's `PREFECT_HOME`); they are stopped when the session ends."""
    yield
    stop_server(Workspace(Path(os.environ["PREFECT_HOME"])))
    stop_analyser(Workspace(Path(os.environ["PREFECT_HOME"])))
