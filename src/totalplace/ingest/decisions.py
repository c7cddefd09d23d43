"""Re-publication decisions remembered: what ``import --keep`` chose is not asked again.

A decision is written to ``republications.toml`` beside ``place.toml`` (readable, kept
when ``.totalplace/`` is rebuilt): per partner, the file (by content hash) kept and the
one left out, or both kept. A later plain ``import`` meeting the same pair applies the
decision it finds there instead of stopping to ask; a pair nobody decided still stops
the import (``RepublicationFound``), and a changed file (new bytes) is a new question.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import tomlkit

from totalplace.ingest.republication import Overlap, RepublicationFound
from totalplace.ingest.store import ParsedFile, SheetReport
from totalplace.workspace import Workspace

DECISIONS_FILE = "republications.toml"

_HEAD = (
    "Re-publication decisions taken with `totalplace import --keep`, applied by later\n"
    "imports of the same files. Delete an entry to be asked again.\n"
)


@dataclass(frozen=True)
class Decision:
    """One remembered choice between two files of a partner that hold the same transactions."""

    partner: str
    kept: tuple[str, ...]  # content hashes of the files loaded
    left_out: tuple[str, ...]  # content hashes of the files not loaded
    files: tuple[str, ...]  # the two file names, for the reader
    keep: str

    def covers(self, a: str, b: str) -> bool:
        """Return whether this decision is about the pair of files with hashes a and b."""
        return {a, b} <= {*self.kept, *self.left_out}


def load_decisions(workspace: Workspace) -> list[Decision]:
    """Return the decisions recorded in the workspace (none when the file is absent)."""
    path = workspace.root / DECISIONS_FILE
    if not path.exists():
        return []
    data = tomlkit.parse(path.read_text(encoding="utf-8")).unwrap()
    return [
        Decision(
            partner=str(d["partner"]),
            kept=tuple(d.get("kept", ())),
            left_out=tuple(d.get("left_out", ())),
            files=tuple(d.get("files", ())),
            keep=str(d.get("keep", "")),
        )
        for d in data.get("decision", [])
    ]


def _save(workspace: Workspace, decisions: Sequence[Decision]) -> None:
    doc = tomlkit.document()
    for line in _HEAD.splitlines():
        doc.add(tomlkit.comment(line))
    table = tomlkit.aot()
    for d in decisions:
        item = tomlkit.table()
        item["partner"] = d.partner
        item["keep"] = d.keep
        item["files"] = list(d.files)
        item["kept"] = list(d.kept)
        item["left_out"] = list(d.left_out)
        table.append(item)
    doc["decision"] = table
    (workspace.root / DECISIONS_FILE).write_text(tomlkit.dumps(doc), encoding="utf-8")


def resolve(
    overlaps: Sequence[Overlap], hashes: dict[str, str], decisions: Sequence[Decision]
) -> str | None:
    """Return the ``keep`` that applies the remembered decisions to every overlap, or None.

    ``hashes`` maps a new file's path to its content hash. An overlap whose new file was
    left out is 'old' (skip it again); whose loaded file was left out, 'new'; both kept,
    'both'. None when an overlap has no decision, or the overlaps need different ones.
    """
    wanted: set[str] = set()
    for o in overlaps:
        new = hashes.get(o.new_file, "")
        found = [d for d in decisions if d.partner == o.partner and d.covers(new, o.old_hash)]
        if not found:
            return None
        d = found[-1]  # the latest decision about the pair
        wanted.add("old" if new in d.left_out else "new" if o.old_hash in d.left_out else "both")
    return wanted.pop() if len(wanted) == 1 else None


def _decided(overlaps: Sequence[Overlap], hashes: dict[str, str], keep: str) -> list[Decision]:
    out = []
    for o in overlaps:
        new = hashes.get(o.new_file, "")
        pair = {"new": ((new,), (o.old_hash,)), "old": ((o.old_hash,), (new,))}
        kept, left_out = pair.get(keep, ((o.old_hash, new), ()))
        out.append(Decision(o.partner, kept, left_out, (o.old_file, o.new_file), keep))
    return out


def store_deciding(
    workspace: Workspace,
    con: Any,
    parsed: list[ParsedFile],
    keep: str | None,
    store: Callable[..., list[SheetReport]],
) -> list[SheetReport]:
    """Store parsed files with ``store`` (store_files), deciding re-publications; return its reports.

    Without ``keep``, a re-publication the workspace has decided before is stored as then
    decided; one it has not stops the import as before. With ``keep``, the decision is
    applied and recorded for the pairs of files it settled. A store that finds an overlap
    stores nothing (it rolls back), so trying without a decision first is safe.
    """
    try:
        return store(con, parsed)
    except RepublicationFound as found:
        hashes = {p.path: p.source_hash for p in parsed}
        decisions = load_decisions(workspace)
        wanted = keep or resolve(found.overlaps, hashes, decisions)
        if wanted is None:
            raise
        reports = store(con, parsed, wanted)
        if keep:
            fresh = _decided(found.overlaps, hashes, keep)
            older = [d for d in decisions if not any(_same(d, f) for f in fresh)]
            _save(workspace, [*older, *fresh])
        else:
            for report in reports:
                report.notes.append(
                    f"re-publication decided as before (--keep {wanted}, {DECISIONS_FILE})"
                )
        return reports


def _same(a: Decision, b: Decision) -> bool:
    return a.partner == b.partner and {*a.kept, *a.left_out} == {*b.kept, *b.left_out}
