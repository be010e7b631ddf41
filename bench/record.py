"""Append a benchmark's figures to bench/RESULTS.md with the command that made them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def record(name: str, command: str, lines: list[str]) -> None:
    """One dated section: the benchmark's name, its command, its lines as printed."""
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n", encoding="utf-8")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = "\n".join(lines)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(f"\n## {name} ({stamp})\n\n`{command.strip()}`\n\n```\n{block}\n```\n")
