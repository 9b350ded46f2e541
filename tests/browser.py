"""Debian's chromium driven by Playwright, as the browser tests of the report and the review app use it."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
needs_chromium = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian chromium absent")


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 900, timeout_ms: int = 15000) -> Iterator[Any]:
    """A fresh page of a headless chromium, closed with its browser at the end of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(timeout_ms)
            yield page
        finally:
            browser.close()
