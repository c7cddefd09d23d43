"""Ingest: load what UK bodies publish into the warehouse, losing and doubling nothing.

Files are read in parallel (per-file work) and their rows typed together (one query
per group of files, see ``parse.py``), then stored in one transaction: if any file
cannot be imported, nothing is stored and every problem is reported together.
A file that re-publishes rows already loaded for its partner is stored only as the
user decides (``keep``, see ``republication.py``); a partner not yet in place.toml is
identified from the reference lists (``totalplace.identify``) before it is added.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from totalplace.errors import BadInputError
from totalplace.identify import Candidate, Identification, identify_body
from totalplace.ingest.decisions import store_deciding
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.parse import parse_file, parse_files, read_file
from totalplace.ingest.republication import KEEP_CHOICES, Overlap, RepublicationFound
from totalplace.ingest.store import ParsedFile, SheetReport, store_files
from totalplace.warehouse import connect
from totalplace.workspace import Partner, Workspace, add_partner
from totalplace.workspace.placefile import partner_problems

__all__ = [
    "KEEP_CHOICES",
    "ImportFailed",
    "ImportProblem",
    "NewPartner",
    "Overlap",
    "RepublicationFound",
    "SheetReport",
    "import_batches",
    "import_files",
    "parse_file",
    "read_file",
]


class ImportFailed(BadInputError):
    """One or more files could not be imported; nothing was stored."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _display_path(path: Path, root: Path) -> str:
    try:
        full = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: reading the file reports it
        return str(path.absolute())
    try:
        return str(full.relative_to(root))
    except ValueError:
        return str(full)


@dataclass(frozen=True)
class NewPartner:
    """A partner an import added to place.toml: what its name was identified as, and how."""

    partner: Partner
    identification: Identification
    body: Candidate | None  # the body it was identified as (None: sector 'unknown')
    chosen: bool = False  # True when the user picked the body among candidates

    def text(self) -> str:
        """Return what was identified, or a warning saying how to set sector and areas."""
        name = self.partner.name
        if self.body is not None:
            how = "chosen as" if self.chosen else "identified as"
            said = f"{name}: {how} {self.body.text()}; added with sector {self.partner.sector}"
            if self.partner.areas:
                return said + f" and {len(self.partner.areas)} area(s)"
            return (
                f"{said} and no areas: a {self.partner.sector.replace('_', ' ')} has no area "
                "of its own in the reference lists, so coverage cannot place its spending. "
                "Give it the districts it serves in place.toml (e.g. areas = "
                '["E07000120"])'
            )
        found = self.identification.candidates
        why = (
            "it may be " + " or ".join(c.text() for c in found)
            if found
            else "no council, police, fire, combined authority or NHS body has that name"
        )
        return (
            f"{name}: not identified ({why}); added with sector 'unknown' and no areas, so "
            "coverage cannot tell its spending apart from the bodies it estimates top-down "
            "and may count it twice. Set its sector and areas in place.toml (e.g. sector = "
            '"unitary_council", areas = ["E08000003"]), or, for a partner not yet added, '
            f'run: totalplace partner add "{name}" --sector SECTOR --area CODE'
        )


ChooseBody = Callable[[Identification], Candidate | None]


def _new_partner(workspace: Workspace, name: str, choose: ChooseBody | None) -> NewPartner:
    """Return a partner for a name not in place.toml, identified from the reference lists."""
    found = identify_body(name)
    body, chosen = found.body, False
    if body is None and found.candidates and choose is not None:
        body, chosen = choose(found), True
    if body is None:
        return NewPartner(Partner(name=name), found, None)
    partner = Partner(name=name, sector=body.sector, areas=body.areas)
    if partner_problems(partner, workspace.place, workspace.partners):
        return NewPartner(Partner(name=name), found, None)  # never add what place.toml refuses
    return NewPartner(partner, found, body, chosen)


def import_files(
    workspace: Workspace,
    partner_name: str,
    paths: Sequence[Path],
    allow_truncated: bool = False,
    on_file: Callable[[str], None] | None = None,
    keep: str | None = None,
) -> list[SheetReport]:
    """Import files for one partner and return a report per file and sheet.

    A partner not yet in place.toml is identified and added once the import has
    succeeded (see ``import_batches``). Raises ImportFailed, storing nothing, if any file
    fails; RepublicationFound if a file re-publishes loaded rows and ``keep`` is None.
    """
    return import_batches(workspace, [(partner_name, paths)], allow_truncated, on_file, keep)


def import_batches(
    workspace: Workspace,
    batches: Sequence[tuple[str, Sequence[Path]]],
    allow_truncated: bool = False,
    on_file: Callable[[str], None] | None = None,
    keep: str | None = None,
    choose: ChooseBody | None = None,
    on_partner: Callable[[NewPartner], None] | None = None,
) -> list[SheetReport]:
    """Import several partners' files in one all-or-nothing step; return a report per file and sheet.

    A partner not in place.toml is identified from its name (council, police, fire,
    combined authority, NHS body); when no single body fits, ``choose`` may pick one of
    the candidates, else it is added with sector 'unknown'. Each added partner is passed
    to ``on_partner``. Raises ImportFailed, storing nothing, if any file of any partner
    fails; RepublicationFound, storing nothing, if a file re-publishes rows already
    loaded for its partner and ``keep`` ('new', 'old' or 'both') is None.
    """
    new = {
        name: _new_partner(workspace, name, choose)
        for name, _ in batches
        if workspace.partner(name) is None
    }
    partners = {name: workspace.partner(name) or new[name].partner for name, _ in batches}
    jobs = [
        (partners[name], Path(p), _display_path(Path(p), workspace.root))
        for name, paths in batches
        for p in paths
    ]
    workers = max(1, min(len(jobs), os.cpu_count() or 1, 4))
    outcomes = parse_files(jobs, allow_truncated, on_file, workers, workspace.limits)
    problems = [p for p in outcomes if isinstance(p, ImportProblem)]
    if problems:
        raise ImportFailed(problems)
    parsed = [p for p in outcomes if isinstance(p, ParsedFile)]
    con = connect(workspace)
    try:
        # A re-publication decided before (republications.toml) is not asked again; tests
        # stand in for store_files with (con, files), which is how it is called first.
        reports = store_deciding(workspace, con, parsed, keep, store_files)
    finally:
        con.disconnect()
    for name, partner in partners.items():
        if workspace.partner(name) is None:
            add_partner(workspace, partner)
            if on_partner is not None:
                on_partner(new[name])
    return reports
