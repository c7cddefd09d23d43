"""Import scenarios for the kill and interrupt experiments: a workspace before, a command, after.

Each scenario is built from outside with the CLI (init, partner add, import) and a data
file changed in place, so the command under test is a fresh, replacing, multi-file or
multi-partner import. "Before" is read from the prepared workspace; "after" from an
unkilled run of the same command on a copy.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tests.reliability.harness import (
    EXAMPLE,
    REALDATA,
    ledger,
    read_warehouse,
    run_cli,
    warehouse_of,
)

TRAFFORD_ZIP = "trafford_council/trafford-supplier-spend-2024-25.zip"
TRAFFORD_SMALL_ZIP = "trafford_council/trafford-supplier-spend-2026-27.zip"


@dataclass
class Scenario:
    """A prepared workspace and the import command whose interruption is tested."""

    name: str
    before_dir: Path
    args: list[str]
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    durations: list[float] = field(default_factory=list)
    # Partners whose rows this import must not touch (finding 2): checked on the unkilled run.
    untouched: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        ordered = sorted(self.durations)
        return ordered[len(ordered) // 2] if ordered else 5.0


def clone(src: Path, dst: Path) -> Path:
    """Copy a workspace for one trial: state copied, data files hard-linked (never written)."""
    if dst.exists():
        shutil.rmtree(dst)
    for dirpath, _dirs, files in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            source, target = Path(dirpath) / name, dst / rel / name
            if ".totalplace" in rel.parts or name == "place.toml":
                shutil.copy2(source, target)
            else:
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copy2(source, target)
    return dst


def _check(run: Any, what: str) -> None:
    if run.returncode != 0:
        raise RuntimeError(f"could not prepare the scenario ({what}): {run.brief()}")


def _init(ws: Path, place: str) -> None:
    if ws.exists():
        shutil.rmtree(ws)
    _check(run_cli(["init", str(ws), "--place", place], timeout=300), "init")


def _partner(ws: Path, name: str, source: str) -> None:
    _check(
        run_cli(["partner", "add", name, "--source", source, "-w", str(ws)], timeout=300),
        f"partner add {name}",
    )


def _import(ws: Path, *args: str) -> None:
    _check(run_cli(["import", "--json", *args], cwd=ws, timeout=600), "import")


def _csv_rows(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def variants(header: list[str], rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """Return changed versions of a ledger: fewer rows, more rows, changed amounts."""
    names = [h.strip().lower() for h in header]
    amount = next(i for i, h in enumerate(names) if h == "amount" or h.startswith("amount"))
    ident = next(
        (i for i, h in enumerate(names) if "transaction" in h or "ref" in h), 0 if amount else 1
    )
    more = rows + [
        [*r[:ident], f"{r[ident]}-X", *r[ident + 1 :]] for r in rows[: max(1, len(rows) // 4)]
    ]
    changed = [
        [*r[:amount], f"{_number(r[amount]) + Decimal('1.25'):.2f}", *r[amount + 1 :]]
        if n % 5 == 0 and len(r) > amount
        else r
        for n, r in enumerate(rows)
    ]
    return {
        "fewer": [r for n, r in enumerate(rows) if n % 7 != 3],
        "more": more,
        "changed": changed,
    }


def _number(text: str) -> Decimal:
    cleaned = re.sub(r"[^0-9.\-]", "", text)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return Decimal("0")


def source_texts(realdata: bool) -> tuple[str, str, str]:
    """Return (place code, a large ledger's CSV text, a second ledger's CSV text)."""
    if realdata and (REALDATA / TRAFFORD_ZIP).exists():
        with zipfile.ZipFile(REALDATA / TRAFFORD_ZIP) as z:
            big = z.read(z.namelist()[0]).decode("utf-8-sig")
        with zipfile.ZipFile(REALDATA / TRAFFORD_SMALL_ZIP) as z:
            small = z.read(z.namelist()[0]).decode("utf-8-sig")
        return "E08000009", big, small
    data = EXAMPLE / "data" / "hyndburn_bc"
    months = [_read_text(p).splitlines() for p in sorted(data.glob("*.csv"))]
    # Six months of the borough's ledger as one file (same header), the next as the second.
    same = [m for m in months if m[0].strip() == months[0][0].strip()]
    big = "\n".join(months[0] + [line for m in same[1:5] for line in m[1:]])
    return "E07000120", big, "\n".join(same[5] if len(same) > 5 else same[-1])


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def build(work: Path, realdata: bool, which: list[str] | None = None) -> list[Scenario]:
    """Prepare the scenarios in ``work`` and return them (before/after not yet measured).

    fresh: a large ledger into an empty warehouse. replace-fewer / -more / -changed: the
    same path with changed content. multi: two partners holding the same file and a second
    file, A's file changed and B given a new file, all imported in one command.
    """
    place, big_text, small_text = source_texts(realdata)
    header, rows = _csv_rows(big_text)
    small_header, small_rows = _csv_rows(small_text)
    changed = variants(header, rows)
    scenarios: list[Scenario] = []
    wanted = which or ["fresh", "replace-fewer", "replace-more", "replace-changed", "multi"]
    work.mkdir(parents=True, exist_ok=True)

    if "fresh" in wanted:
        ws = work / "fresh"
        _init(ws, place)
        _write_csv(ws / "data" / "ledger.csv", header, rows)
        scenarios.append(
            Scenario("fresh", ws, ["import", "--partner", "Council", "data/ledger.csv"])
        )
    replaced = [w for w in wanted if w.startswith("replace-")]
    if replaced:
        base = work / "replace-base"
        _init(base, place)
        _write_csv(base / "data" / "ledger.csv", header, rows)
        _import(base, "--partner", "Council", "data/ledger.csv")
        for name in replaced:
            ws = clone(base, work / name)
            (ws / "data" / "ledger.csv").unlink()  # a hard link: never write through it
            _write_csv(ws / "data" / "ledger.csv", header, changed[name.removeprefix("replace-")])
            scenarios.append(
                Scenario(name, ws, ["import", "--partner", "Council", "data/ledger.csv"])
            )
    if "multi" in wanted:
        ws = work / "multi"
        _init(ws, place)
        _write_csv(ws / "data" / "a" / "ledger.csv", header, rows)
        _partner(ws, "Partner A", "data/a/*.csv")
        _partner(ws, "Partner B", "data/b/*.csv")
        _import(ws, "--partner", "Partner A", "data/a/ledger.csv")
        # B imports A's very file by name (finding 2's set-up). The fixed import may report
        # or refuse this copy: whatever it keeps is the state "before".
        run_cli(["import", "--json", "--partner", "Partner B", "data/a/ledger.csv"], cwd=ws)
        (ws / "data" / "a" / "ledger.csv").unlink()
        _write_csv(ws / "data" / "a" / "ledger.csv", header, changed["changed"])
        _write_csv(ws / "data" / "a" / "second.csv", small_header, small_rows)
        _write_csv(ws / "data" / "b" / "second.csv", small_header, changed_small(small_rows))
        # Every partner's sources in one command: A's file replaced, two new files.
        scenarios.append(
            Scenario("multi", ws, ["import"], untouched=[("partner-b", "data/a/ledger.csv")])
        )
    for s in scenarios:
        s.before = read_warehouse(warehouse_of(s.before_dir))
    return scenarios


def changed_small(rows: list[list[str]]) -> list[list[str]]:
    """Return a second ledger's rows with the first half only (B's new, different file)."""
    return rows[: max(1, len(rows) // 2)]


def partner_rows(doc: dict[str, Any], partner: str, source: str) -> list[Any]:
    """Return one partner's rows of one source file in a warehouse reading (slug or name)."""
    return [
        row
        for row in ledger(doc)
        if (row[0] == partner or row[0].lower().replace(" ", "-") == partner) and row[1] == source
    ]


def calibrate(scenario: Scenario, work: Path, runs: int) -> None:
    """Run the command unkilled ``runs`` times: learn its duration and the state after it."""
    for n in range(runs):
        ws = clone(scenario.before_dir, work / f"{scenario.name}-calibrate-{n}")
        run = run_cli(scenario.args, cwd=ws, timeout=600)
        if run.returncode != 0 or run.traceback:
            scenario.problems.append(f"unkilled run failed: {run.brief()}")
            shutil.rmtree(ws, ignore_errors=True)
            continue
        scenario.durations.append(run.seconds)
        after = read_warehouse(warehouse_of(ws))
        if not scenario.after:
            scenario.after = after
        elif ledger(after) != ledger(scenario.after):
            scenario.problems.append("two unkilled runs left different warehouses")
        for partner, source in scenario.untouched:
            if partner_rows(after, partner, source) != partner_rows(
                scenario.before, partner, source
            ):
                scenario.problems.append(
                    f"replacing another partner's file changed {partner}'s copy of {source}: "
                    f"before {partner_rows(scenario.before, partner, source)} "
                    f"after {partner_rows(after, partner, source)}"
                )
        shutil.rmtree(ws, ignore_errors=True)
