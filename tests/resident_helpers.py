"""Functions a test has the resident analyser's child call (imported there through `PYTHONPATH`)."""

from __future__ import annotations

import time


def interrupted_into_another_error(seconds: float) -> None:
    """Sleep; turn a Ctrl-C into another error, as pydantic does when one lands while it builds a schema."""
    try:
        time.sleep(seconds)
    except KeyboardInterrupt as error:
        raise RuntimeError("construction du schéma interrompue") from error
