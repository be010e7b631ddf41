"""The fault suite's one knob and its figures.

`URA_FAULT_SCALE` (default 1) multiplies how many learners, kills, replays, fuzz examples and
outages each fault test goes through; `make soak` runs the suite at 10. Each test reports what
it survived through the `survived` fixture: a `record_property` per figure (in JUnit XML, and
summed up at the end of the run) and one printed line.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.databases import Templates, fresh_database


def _scale() -> int:
    raw = os.environ.get("URA_FAULT_SCALE", "1").strip() or "1"
    try:
        value = int(raw)
    except ValueError:
        raise pytest.UsageError(
            f"URA_FAULT_SCALE must be a whole number >= 1, not {raw!r}"
        ) from None
    if value < 1:
        raise pytest.UsageError(f"URA_FAULT_SCALE must be >= 1, not {value}")
    return value


SCALE = _scale()
_PREFIX = "survived:"

Survived = Callable[..., None]


@pytest.fixture(scope="session")
def scale() -> int:
    """URA_FAULT_SCALE: how many times the default size each fault test runs at."""
    return SCALE


@pytest.fixture
def survived(record_property: Callable[[str, object], None]) -> Survived:
    """Record what a test survived, e.g. `survived(kills=3, learners=50)`."""

    def note(**figures: object) -> None:
        for name, value in figures.items():
            record_property(f"{_PREFIX}{name}", value)
        print("survived: " + ", ".join(f"{k}={v}" for k, v in figures.items()))

    return note


@pytest.fixture
async def sqlite_url(tmp_path: Path, templates: Templates) -> AsyncIterator[str]:
    """A migrated SQLite database (for faults that do not depend on the database kind)."""
    template = await templates.get("sqlite")
    async with fresh_database("sqlite", tmp_path, template=template) as url:
        yield url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per fault test with what it survived (when the fault suite ran)."""
    lines = []
    for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed"):
        if report.when != "call":
            continue
        figures = [
            f"{name.removeprefix(_PREFIX)}={value}"
            for name, value in report.user_properties
            if name.startswith(_PREFIX)
        ]
        if figures:
            lines.append(
                f"{report.nodeid.rsplit('/', 1)[-1]} [{report.outcome}]: {', '.join(figures)}"
            )
    if lines:
        terminalreporter.write_sep("-", f"fault suite at URA_FAULT_SCALE={SCALE}")
        for line in lines:
            terminalreporter.write_line(line)
