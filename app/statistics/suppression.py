"""Small-count suppression of a cube of counts (pure, no I/O).

A cube is a set of cells (a count each) and the additive relations between them: a total and
the parts it is the sum of. The whole cube of a municipality and a year is suppressed at
once, and every answer is read from that one suppressed cube, so two overlapping answers
(a half-year and its months; two breakdowns of the same month) show the same cells the same
way and cannot be subtracted to recover one.

- **Primary** (`"<5"`): a count from 1 to 4 (`MIN_SHOWN`, hpl § 23 nr. 2's 4-5 persons).
- **Secondary** (`"x"`): wherever a relation has exactly one hidden cell (one part, or the
  total and no part), it could be recovered by subtraction; the smallest other shown,
  non-zero cell of that relation is hidden too (smallest: the least information lost; ties
  go to parts before the total, then to the first in order). Repeated to a fixpoint, since
  each hidden cell may complete another relation.
- **Audit**: hiding one more cell in each relation is not enough where relations chain
  (a hidden cell can still be solved from several equations together). After the fixpoint,
  every hidden cell is checked against the whole linear system of the cube: where one is
  still determined, a shown cell of one of its relations is hidden as above, and the
  fixpoint runs again. Hidden cells are never zero, so this ends: with every non-zero cell of
  its relations hidden, a cell could only be solved as zero.

Zero is shown: an empty cell says nobody, which singles nobody out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

MIN_SHOWN = 5
"""Counts below this (and above zero) are hidden."""
PRIMARY_MARK = "<5"
SECONDARY_MARK = "x"

C = TypeVar("C", bound=Hashable)

_PRIME = (1 << 61) - 1
"""The audit solves the system modulo this prime (exact, and fast without fractions): a cell
determined over the rationals is determined modulo it, so nothing determined is missed."""


class Hidden(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Relation(Generic[C]):
    """`total` is the sum of `parts` (the parts exhaustive: an `unknown` part included)."""

    total: C
    parts: tuple[C, ...]

    @property
    def cells(self) -> tuple[C, ...]:
        return (*self.parts, self.total)


@dataclass(frozen=True)
class Shown:
    """A cell as it may be shown: the count, or None and the mark saying why not."""

    count: int | None
    hidden: Hidden | None

    @property
    def text(self) -> str:
        if self.hidden is Hidden.PRIMARY:
            return PRIMARY_MARK
        if self.hidden is Hidden.SECONDARY:
            return SECONDARY_MARK
        return str(self.count)


def is_small(count: int) -> bool:
    return 0 < count < MIN_SHOWN


def suppress(counts: Mapping[C, int], relations: Sequence[Relation[C]]) -> dict[C, Shown]:
    """Every cell of `counts` as it may be shown (module docstring)."""
    order = {cell: i for i, cell in enumerate(counts)}
    primary = {cell for cell, count in counts.items() if is_small(count)}
    hidden = set(primary)
    while True:
        _fixpoint(counts, relations, hidden, order)
        determined = _first_determined(relations, hidden, order)
        if determined is None:
            break
        for relation in relations:
            if determined in relation.cells and _hide_one(counts, relation, hidden, order):
                break
        else:  # pragma: no cover - impossible: a hidden cell is never solved as zero
            raise AssertionError("a hidden cell stays determined")
    return {
        cell: Shown(
            count=None if cell in hidden else count,
            hidden=(
                Hidden.PRIMARY if cell in primary else Hidden.SECONDARY if cell in hidden else None
            ),
        )
        for cell, count in counts.items()
    }


def _hide_one(
    counts: Mapping[C, int], relation: Relation[C], hidden: set[C], order: Mapping[C, int]
) -> bool:
    """Hide the smallest shown non-zero cell of `relation`; False if there is none."""
    candidates = [
        (counts[cell], position, order[cell], cell)
        for position, cell in enumerate(relation.cells)
        if cell not in hidden and counts[cell] > 0
    ]
    if not candidates:
        return False
    hidden.add(min(candidates, key=lambda c: (c[0], c[1], c[2]))[3])
    return True


def _fixpoint(
    counts: Mapping[C, int],
    relations: Sequence[Relation[C]],
    hidden: set[C],
    order: Mapping[C, int],
) -> None:
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if sum(cell in hidden for cell in relation.cells) == 1:
                changed |= _hide_one(counts, relation, hidden, order)


def determined_cells(relations: Iterable[Relation[C]], hidden: Iterable[C]) -> list[C]:
    """The hidden cells that the relations determine from the shown ones (exact recovery by
    any combination of sums and differences): the audit, and the tests' attacker."""
    hidden_set = set(hidden)
    order = {cell: i for i, cell in enumerate(sorted(hidden_set, key=repr))}
    return _solved(list(relations), hidden_set, order)


def _first_determined(
    relations: Sequence[Relation[C]], hidden: set[C], order: Mapping[C, int]
) -> C | None:
    solved = _solved(relations, hidden, order)
    return min(solved, key=lambda cell: order[cell]) if solved else None


def _solved(relations: Sequence[Relation[C]], hidden: set[C], order: Mapping[C, int]) -> list[C]:
    """Gauss-Jordan elimination modulo `_PRIME` over the hidden cells; a cell is determined
    where it is a pivot whose reduced row holds nothing else."""
    index = {cell: i for i, cell in enumerate(sorted(hidden, key=lambda c: order.get(c, 0)))}
    cells = list(index)
    rows: list[dict[int, int]] = []
    for relation in relations:
        row: dict[int, int] = {}
        for cell in relation.parts:
            if cell in index:
                row[index[cell]] = (row.get(index[cell], 0) + 1) % _PRIME
        if relation.total in index:
            row[index[relation.total]] = (row.get(index[relation.total], 0) - 1) % _PRIME
        row = {k: v for k, v in row.items() if v}
        if row:
            rows.append(row)
    pivots: dict[int, dict[int, int]] = {}
    for row in rows:
        row = _reduce(row, pivots)
        if not row:
            continue
        column = min(row)
        inverse = pow(row[column], _PRIME - 2, _PRIME)
        row = {k: v * inverse % _PRIME for k, v in row.items()}
        for other in pivots.values():  # keep every pivot row reduced (Gauss-Jordan)
            factor = other.get(column)
            if factor:
                for k, v in row.items():
                    value = (other.get(k, 0) - factor * v) % _PRIME
                    if value:
                        other[k] = value
                    else:
                        other.pop(k, None)
        pivots[column] = row
    return [cells[column] for column, row in pivots.items() if len(row) == 1]


def _reduce(row: dict[int, int], pivots: Mapping[int, dict[int, int]]) -> dict[int, int]:
    row = dict(row)
    for column in sorted(set(row) & set(pivots)):
        factor = row.get(column)
        if not factor:
            continue
        for k, v in pivots[column].items():
            value = (row.get(k, 0) - factor * v) % _PRIME
            if value:
                row[k] = value
            else:
                row.pop(k, None)
    return row
