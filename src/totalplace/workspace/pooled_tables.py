"""``pooled_budgets.toml``: the pooled and aligned budgets the partners declare, checked line by line.

A file beside place.toml (not a table in it: place.toml says who serves the place,
this file what they have agreed to spend together). Each ``[[pooled_budgets]]`` block
is one arrangement::

    [[pooled_budgets]]
    name = "Hyndburn Community Safety Partnership fund"
    kind = "community safety partnership fund"   # or "section 75 pool", "Better Care Fund", "pooled", "aligned"
    theme = "Community safety"
    host = "Hyndburn Borough Council"
    year = "2024-25"
    source = "CSP agreement 2024-25"              # optional: where the figures come from
    [pooled_budgets.contributions]               # pounds, exact: 12500 or 12500.50
    "Hyndburn Borough Council" = 20000
    "Lancashire Police and Crime Commissioner" = 30000

Every fault is reported together, each with its line: an unknown key, kind, theme or
partner, a year that is not a financial year, an amount that is not whole pennies above
nought, a name used twice. Money is read as exact decimals (never binary floats).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from totalplace.errors import WorkspaceStateError
from totalplace.workspace.checks import (
    Checker,
    describe,
    in_line_order,
    problems_message,
    suggest,
)
from totalplace.workspace.model import Partner, PlaceFileProblem, slugify
from totalplace.workspace.toml_lines import KeyPath, TomlLines
from totalplace.years import YearError, parse_year, year_label

__all__ = [
    "KINDS",
    "POOLED_FILE",
    "Contribution",
    "PooledBudget",
    "PooledBudgetError",
    "read_pooled_budgets",
]

POOLED_FILE = "pooled_budgets.toml"
#: Kinds of arrangement (lower case) -> whether the money is pooled or only aligned.
KINDS: dict[str, str] = {
    "section 75 pool": "pooled",
    "better care fund": "pooled",
    "community safety partnership fund": "pooled",
    "pooled": "pooled",
    "aligned": "aligned",
}
BLOCK_KEYS = ("name", "kind", "theme", "host", "year", "contributions", "source")
_PENNIES = re.compile(r"^\d+(\.\d{1,2})?$")


class PooledBudgetError(WorkspaceStateError):
    """pooled_budgets.toml is wrong, or disagrees with the count; ``problems`` has each fault."""

    def __init__(self, message: str, problems: tuple[PlaceFileProblem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Contribution:
    """One partner's money in an arrangement, and the line of pooled_budgets.toml saying so."""

    partner: str  # the partner's slug
    amount: Decimal
    line: int | None


@dataclass(frozen=True)
class PooledBudget:
    """One declared arrangement: what, of which kind, on which theme, hosted by whom, and when."""

    name: str
    kind: str  # as written, lower case: 'section 75 pool' ...
    pooling: str  # 'pooled' or 'aligned'
    theme: str
    host: str  # the host partner's slug
    fy_start_year: int
    contributions: tuple[Contribution, ...]
    source: str
    line: int | None

    @property
    def financial_year(self) -> str:
        """Return the arrangement's financial year as a label ('2024-25')."""
        return year_label(self.fy_start_year)

    @property
    def total(self) -> Decimal:
        """Return the sum of the contributions."""
        return sum((c.amount for c in self.contributions), Decimal("0.00"))


def read_pooled_budgets(
    root: Path, partners: Sequence[Partner], themes: Sequence[str]
) -> list[PooledBudget]:
    """Return the arrangements of ``root/pooled_budgets.toml`` ([] when there is no such file).

    Raises PooledBudgetError listing every fault with its line.
    """
    path = root / POOLED_FILE
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PooledBudgetError(
            f"{path} is not valid TOML ({exc}); see the comments at the top of the file, or "
            "README 'Pooled and aligned budgets' for its layout"
        ) from exc
    checker = Checker(TomlLines(text))
    checker.unknown_keys(data, ("pooled_budgets",), (), POOLED_FILE)
    blocks = data.get("pooled_budgets", [])
    if not isinstance(blocks, list):
        checker.fault(
            ("pooled_budgets",),
            f"pooled_budgets is {describe(blocks)}; write each arrangement as its own "
            "[[pooled_budgets]] block (double brackets)",
        )
        blocks = []
    known = {p.slug: p for p in partners}
    found: list[PooledBudget] = []
    for index, block in enumerate(blocks):
        budget = _block(checker, index, block, known, themes)
        if budget is None:
            continue
        if any(slugify(b.name) == slugify(budget.name) for b in found):
            checker.fault(
                ("pooled_budgets", index, "name"),
                f"arrangement {budget.name!r} is declared twice; give each its own name",
            )
            continue
        found.append(budget)
    if checker.problems:
        problems = in_line_order(checker.problems)
        raise PooledBudgetError(
            problems_message(path, problems) + " Nothing was written.", tuple(problems)
        )
    return found


def _block(
    checker: Checker,
    index: int,
    block: object,
    partners: dict[str, Partner],
    themes: Sequence[str],
) -> PooledBudget | None:
    path: KeyPath = ("pooled_budgets", index)
    if not isinstance(block, dict):
        checker.fault(path, f"arrangement number {index + 1} is {describe(block)}, not a table")
        return None
    for key in ("name", "kind", "theme", "host", "year", "contributions"):
        if key not in block:
            checker.fault(path, f"arrangement number {index + 1} has no {key}; add {key} = ...")
    name = checker.text(block.get("name", ""), (*path, "name"), "name", '"Better Care Fund"')
    where = f"arrangement {name!r}" if name else f"arrangement number {index + 1}"
    checker.unknown_keys(block, BLOCK_KEYS, path, where)
    kind = _choice(checker, block.get("kind"), (*path, "kind"), f"{where}: kind", tuple(KINDS))
    theme = _choice(checker, block.get("theme"), (*path, "theme"), f"{where}: theme", themes)
    host = _partner(checker, block.get("host"), (*path, "host"), f"{where}: host", partners)
    year = _year(checker, block.get("year"), (*path, "year"), where)
    source = ""
    if "source" in block:
        source = (
            checker.text(block["source"], (*path, "source"), f"{where}: source", '"s75 agreement"')
            or ""
        )
    contributions = _contributions(checker, block.get("contributions"), path, where, partners)
    if None in (name, kind, theme, host, year) or contributions is None:
        return None
    assert name and kind and theme and host and year is not None  # for the type checker
    line = checker.lines.line(path) if checker.lines is not None else None
    return PooledBudget(name, kind, KINDS[kind], theme, host, year, contributions, source, line)


def _choice(
    checker: Checker, value: object, path: KeyPath, label: str, allowed: Sequence[str]
) -> str | None:
    """Return the allowed value ``value`` names (case ignored), else note a fault."""
    if value is None:
        return None
    text = checker.text(value, path, label, repr(allowed[0]))
    if text is None:
        return None
    match = next((a for a in allowed if a.lower() == text.lower()), None)
    if match is None:
        checker.fault(path, f"{label} {text!r} is not known; {suggest(text, list(allowed))}")
    return match


def _partner(
    checker: Checker, value: object, path: KeyPath, label: str, partners: dict[str, Partner]
) -> str | None:
    if value is None:
        return None
    text = checker.text(value, path, label, '"Hyndburn Borough Council"')
    if text is None:
        return None
    if slugify(text) in partners:
        return slugify(text)
    names = [p.name for p in partners.values()]
    checker.fault(
        path,
        f"{label} {text!r} is not a partner in place.toml; {suggest(text, names)} "
        "(a body that is not a partner: add it with 'totalplace partner add' first)",
    )
    return None


def _year(checker: Checker, value: object, path: KeyPath, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        checker.fault(path, f'{where}: year is {describe(value)}; write it as "2024-25"')
        return None
    try:
        return parse_year(value)
    except YearError as exc:
        checker.fault(path, f"{where}: year {value!r}: {exc}")
        return None


def _contributions(
    checker: Checker,
    value: object,
    path: KeyPath,
    where: str,
    partners: dict[str, Partner],
) -> tuple[Contribution, ...] | None:
    if value is None:
        return None
    table = checker.table(
        value,
        (*path, "contributions"),
        '; write [pooled_budgets.contributions] with one line per partner: "Partner name" = 12500',
    )
    if table is None:
        return None
    if not table:
        checker.fault(
            (*path, "contributions"), f"{where}: contributions is empty; name who pays what"
        )
        return None
    found: list[Contribution] = []
    ok = True
    for name, amount in table.items():
        at: KeyPath = (*path, "contributions", name)
        slug = _partner(checker, name, at, f"{where}: contribution from", partners)
        money = _amount(checker, amount, at, f"{where}: the contribution of {name!r}")
        if slug is None or money is None:
            ok = False
            continue
        if any(c.partner == slug for c in found):
            checker.fault(at, f"{where}: {name!r} contributes twice; give one amount per partner")
            ok = False
            continue
        line = checker.lines.line(at) if checker.lines is not None else None
        found.append(Contribution(slug, money, line))
    return tuple(found) if ok else None


def _amount(checker: Checker, value: object, path: KeyPath, label: str) -> Decimal | None:
    """Return ``value`` as exact pounds if it is a number of whole pennies above nought."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        hint = " (write the number without quotes)" if isinstance(value, str) else ""
        checker.fault(path, f"{label} must be an amount in pounds, not {describe(value)}{hint}")
        return None
    amount = Decimal(value)
    if amount <= 0 or not _PENNIES.match(format(amount, "f")):
        checker.fault(
            path,
            f"{label} is {value}: an amount must be above £0 and in whole pennies, e.g. 12500.50",
        )
        return None
    return amount.quantize(Decimal("0.01"))
