"""How far the shipped rules travel: theme coverage per publisher on real published files.

For each publisher of the real files beside the repository (``../shared/realdata``,
or ``TOTALPLACE_REALDATA``) it builds a workspace in a temporary folder, imports the
publisher's files, classifies them with the default rules and measures, by absolute
amount, the share of the spend the count counts (lines not passed on to another
body) that a theme rule explains, with the largest lines it does not. ``make eval``
prints the table; the README quotes it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from totalplace.classify import classify
from totalplace.classify.publishers import PUBLISHERS, Publisher, default_realdata, publisher_files
from totalplace.classify.report import theme_coverage_by_partner, theme_gaps
from totalplace.ingest import ImportFailed, import_files
from totalplace.money import ZERO
from totalplace.warehouse import connect
from totalplace.workspace import Partner, add_partner, init_workspace, open_workspace

#: The place the evaluation workspaces are made for; classification does not depend on it.
EVAL_PLACE = "E07000120"

#: The share of counted spend (by absolute amount) a publisher with descriptions should reach.
AIM = 0.90


@dataclass(frozen=True)
class PublisherResult:
    """A publisher's theme coverage: gross amounts by absolute value, and what is left."""

    publisher: Publisher
    rows: int = 0
    gross: Decimal = ZERO
    passed_on: Decimal = ZERO
    themed: Decimal = ZERO
    described: bool = True
    gaps: tuple[dict[str, Any], ...] = ()
    skipped: tuple[str, ...] = field(default=())

    @property
    def counted(self) -> Decimal:
        """Return the gross spend not passed on to another body (what the count counts)."""
        return self.gross - self.passed_on

    @property
    def share(self) -> float | None:
        """Return the themed share of counted gross spend (None when nothing is counted)."""
        return round(float(self.themed / self.counted), 4) if self.counted else None


def _import(ws: Any, name: str, files: list[Path]) -> tuple[str, ...]:
    """Import the files; a file the importer refuses is left out and named (nothing else is)."""
    skipped: list[str] = []
    remaining = list(files)
    while remaining:
        try:
            import_files(ws, name, remaining)
            break
        except ImportFailed as exc:
            refused = {str(Path(p.file).resolve()) for p in exc.problems}
            kept = [f for f in remaining if str(f.resolve()) not in refused]
            if len(kept) == len(remaining):  # a problem not tied to one file: give up
                raise
            skipped += [f"{f.name}: refused by import" for f in remaining if f not in kept]
            remaining = kept
    return tuple(skipped)


def evaluate_publisher(publisher: Publisher, realdata: Path, top: int = 5) -> PublisherResult:
    """Return one publisher's theme coverage, from a workspace built in a temporary folder."""
    files = publisher_files(publisher, realdata)
    if not files:
        return PublisherResult(publisher, skipped=("no files found",))
    with tempfile.TemporaryDirectory(prefix="totalplace-eval-") as tmp:
        root = Path(tmp) / "ws"
        init_workspace(root, EVAL_PLACE)
        ws = open_workspace(root)
        add_partner(ws, Partner(name=publisher.name, sector=publisher.sector))
        skipped = _import(ws, publisher.name, files)
        classify(ws)
        con = connect(ws, read_only=True)
        try:
            rows = theme_coverage_by_partner(con)
            gaps = theme_gaps(con, top)
        finally:
            con.disconnect()
    row = rows[0] if rows else {}
    gross = row.get("gross") or ZERO
    return PublisherResult(
        publisher,
        rows=int(row.get("rows") or 0),
        gross=gross,
        passed_on=row.get("passed_on") or ZERO,
        themed=row.get("themed") or ZERO,
        described=bool(gross) and (row.get("described") or ZERO) >= gross / 2,
        gaps=tuple(gaps),
        skipped=skipped,
    )


def evaluate_publishers(
    publishers: Iterable[Publisher] = PUBLISHERS,
    realdata: Path | None = None,
    top: int = 5,
    on_done: Callable[[PublisherResult], None] | None = None,
) -> list[PublisherResult]:
    """Return the theme coverage of each publisher whose files are present."""
    folder = realdata or default_realdata()
    results = []
    for publisher in publishers:
        result = evaluate_publisher(publisher, folder, top)
        results.append(result)
        if on_done is not None:
            on_done(result)
    return results


def _money(amount: Decimal) -> str:
    millions = amount / Decimal(1_000_000)
    return f"£{millions:,.1f}m" if millions >= 1 else f"£{amount / 1000:,.0f}k"


def _why(result: PublisherResult) -> str:
    """Return why a publisher is under the aim: its files, or what its largest gaps show."""
    if not result.described:
        return "its files carry no descriptions, only supplier names"
    return result.publisher.limitation or "see its largest unclassified lines"


def _note(result: PublisherResult) -> str:
    if result.share is None:
        return "; ".join(result.skipped) or "no spend"
    if result.share >= AIM:
        return ""
    return "no descriptions" if not result.described else "under the aim (see below)"


def format_table(results: Sequence[PublisherResult]) -> str:
    """Return the per-publisher table as aligned plain text (as the README quotes it)."""
    head = ("publisher", "family", "lines", "gross", "passed on", "themed", "note")
    lines = [head]
    for r in results:
        lines.append(
            (
                r.publisher.name,
                r.publisher.family,
                f"{r.rows:,}",
                _money(r.gross),
                _money(r.passed_on),
                "-" if r.share is None else f"{r.share:.1%}",
                _note(r),
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    right = {2, 3, 4, 5}
    out = []
    for row in lines:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def format_gaps(results: Sequence[PublisherResult]) -> str:
    """Return the largest unclassified counted lines of each publisher under the aim."""
    out = []
    for r in results:
        if r.share is None or r.share >= AIM or not r.gaps:
            continue
        out.append(f"{r.publisher.name} ({r.share:.1%}): {_why(r)}. Largest unclassified:")
        for g in r.gaps:
            what = " | ".join(
                str(g[f]) for f in ("service_area", "expense_type", "purpose") if g[f]
            )
            out.append(
                f"  {_money(Decimal(g['gross'])):>9}  {what or '(no description)'}"
                f"  [{g['largest_supplier']}]"
            )
    return "\n".join(out)


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null for the block.

    DuckDB draws its progress bar for long queries straight onto the process's standard
    output, past Python's sys.stdout; the table must not be interleaved with it.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def _progress(result: PublisherResult) -> None:
    share = "-" if result.share is None else f"{result.share:.1%}"
    print(f"  {result.publisher.name}: {share}", file=sys.stderr, flush=True)


def main() -> None:
    """Print the per-publisher theme coverage table and the gaps of those under the aim."""
    print("classifying every publisher's files in a temporary workspace ...", file=sys.stderr)
    with _quiet_stdout():
        results = evaluate_publishers(on_done=_progress)
    print(
        f"theme coverage per publisher (share of counted spend by absolute amount; aim {AIM:.0%})"
    )
    print(format_table(results))
    gaps = format_gaps(results)
    if gaps:
        print()
        print(gaps)


if __name__ == "__main__":
    main()
