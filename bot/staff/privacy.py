"""The one rule every figure staff see passes through, so no figure identifies a person.

A count under 10 is shown as "<10"; any other is rounded to the nearest 5. Where a row or a
breakdown has exactly one such small cell, the next smallest is hidden too ("*"), so that
nobody can subtract the rest from a total and find the small one. Text, charts, CSV and
JSON all show these cells and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

SMALL = "<10"  # fewer than THRESHOLD
HIDDEN = "*"  # hidden so that a small cell cannot be worked out from the others
THRESHOLD = 10
ROUND_TO = 5

Cell = int | str  # a rounded count, SMALL or HIDDEN


def cell(n: int) -> Cell:
    """A count as staff may see it: "<10" under 10, else rounded to the nearest 5."""
    if n < THRESHOLD:
        return SMALL
    return int((n + ROUND_TO // 2) // ROUND_TO * ROUND_TO)  # halves round up: 12 → 10, 13 → 15


def is_shown(value: Cell) -> bool:
    """True for a figure (not SMALL or HIDDEN)."""
    return isinstance(value, int)


def suppress(counts: Sequence[int]) -> list[Cell]:
    """One row or breakdown of counts → cells, with complementary suppression."""
    return complete([cell(n) for n in counts], counts)


def complete(cells: list[Cell], counts: Sequence[int]) -> list[Cell]:
    """If exactly one of `cells` is withheld, withhold the next smallest shown one too."""
    withheld = [i for i, c in enumerate(cells) if not is_shown(c)]
    shown = [i for i, c in enumerate(cells) if is_shown(c)]
    if len(withheld) == 1 and shown:
        smallest = min(shown, key=lambda i: (counts[i], i))
        cells = [*cells]
        cells[smallest] = HIDDEN
    return cells


def suppress_grid(grid: Sequence[Sequence[int]], *, columns: bool = True) -> list[list[Cell]]:
    """A table of counts → cells, suppressed along every row (and every column, when the
    rows are a breakdown), repeated until no row or column has exactly one withheld cell."""
    cells: list[list[Cell]] = [[cell(n) for n in row] for row in grid]
    for _ in range(len(grid) + (len(grid[0]) if grid else 0) + 1):
        before = [list(r) for r in cells]
        cells = [complete(row, counts) for row, counts in zip(cells, grid, strict=True)]
        if columns and cells:
            for j in range(len(cells[0])):
                column = complete([row[j] for row in cells], [row[j] for row in grid])
                for i, value in enumerate(column):
                    cells[i][j] = value
        if cells == before:
            break
    return cells


def share(part: Cell, whole: Cell) -> str | None:
    """A percentage computed from the shown (rounded) figures only, or None."""
    if not (isinstance(part, int) and isinstance(whole, int)) or whole == 0:
        return None
    return f"{round(100 * part / whole)}%"
