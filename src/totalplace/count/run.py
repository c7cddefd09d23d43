"""The count stage's verb: compute the count once, write its tables, record the run, return it."""

from __future__ import annotations

from typing import Any

from totalplace import stages
from totalplace.count.cells import write_count
from totalplace.count.result import CountError, CountResult, LedgerDoesNotReconcile
from totalplace.count.summary import read_count
from totalplace.workspace import Workspace

__all__ = ["count", "counted"]


def count(workspace: Workspace, year: str | None = None, con: Any | None = None) -> CountResult:
    """Compute the place count, write its tables, record the run, and return it with totals and reconciliation.

    ``year`` ('2024-25', or 'date missing') limits the returned rows, totals and notes to
    that financial year (the tables always hold every year); CountError if the count has
    no such year. ``con`` is the warehouse connection to run on (default: the workspace's).
    Raises LedgerDoesNotReconcile, writing no record of the run, if the counted lines do
    not add up to the imported sources.
    """
    with stages.using(workspace, con) as c:
        write_count(c, workspace)
        result = read_count(c, workspace)
        _check_reconciles(result)
        stages.record(c, workspace, "count")
    return _only(result, year)


def counted(workspace: Workspace, year: str | None = None, con: Any | None = None) -> CountResult:
    """Return the count as the count stage last wrote it, without computing it again.

    Raises StageNotRun / StageStale (say "run `totalplace count` first") when the
    count's tables are missing or were made from other inputs.
    """
    with stages.using(workspace, con) as c:
        stages.require(c, workspace, "count")
        result = read_count(c, workspace)
    return _only(result, year)


def _only(result: CountResult, year: str | None) -> CountResult:
    if year is not None and year not in result.years():
        raise CountError(
            f"no count for financial year {year}: the count has {', '.join(result.years())}"
        )
    return result.for_year(year)


def _check_reconciles(result: CountResult) -> None:
    bad = [r for r in result.reconciliation if not r["reconciles"]]
    if bad:
        raise LedgerDoesNotReconcile(
            "the count does not reconcile to the imported sources for "
            + ", ".join(
                f"{r['partner']} (sources record £{r['recorded']:,.2f}, ledger holds "
                f"£{r['imported']:,.2f}, count has £{r['gross_in_count']:,.2f})"
                for r in bad
            )
            + ", so no figure is given. What to do: run 'totalplace check' and follow its advice."
        )
