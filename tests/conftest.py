"""Shared test setup: browser tests are skipped plainly without Chromium (and fail in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("RECOUP_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            "RECOUP_REQUIRE_BROWSER=1 but Chromium is missing at /usr/bin/chromium (apt-get install chromium)"
        )
    skip = pytest.mark.skip(reason="Chromium not found at /usr/bin/chromium: browser tests skipped")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CHROMIUM.exists():
        terminalreporter.write_line(
            "NOTE: Chromium is not installed, so the browser tests were skipped "
            "(apt-get install chromium to run them).",
            yellow=True,
        )
