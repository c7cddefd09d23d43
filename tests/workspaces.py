"""Workspaces the test packages build alike: the bundled example and a Trafford of one ledger, imported."""

from __future__ import annotations

import shutil
from pathlib import Path

from totalplace.ingest import import_files
from totalplace.workspace import Partner, Workspace, add_partner, init_workspace, open_workspace

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hyndburn"
TRAFFORD = "E08000009"


#: The example's ledgers of years before 2024-25 (the police's from 2018-19, the fire
#: service's from 2022-23), there for `totalplace trend`.
HISTORY = tuple(
    [f"data/lancashire_pcc/pcc-{y}-{(y + 1) % 100:02d}.xlsx" for y in range(2018, 2024)]
    + [f"data/lancashire_fire/fire-{y}-{(y + 1) % 100:02d}.xlsx" for y in (2022, 2023)]
)


def one_year_example(root: Path) -> Path:
    """Return ``root``: a copy of examples/hyndburn with only its 2024-25 ledgers (no HISTORY).

    For tests of one year's figures (opportunities, the notebook front), written before
    the example carried earlier years.
    """
    shutil.copytree(EXAMPLE, root)
    for name in HISTORY:
        (root / name).unlink()
    return root


def imported_example(root: Path) -> Workspace:
    """Return a copy of examples/hyndburn at ``root`` with every partner's files imported."""
    shutil.copytree(EXAMPLE, root)
    ws = open_workspace(root)
    for partner in ws.partners:
        import_files(ws, partner.name, ws.source_files(partner))
    return ws


def imported_trafford(root: Path, ledger: Path) -> Workspace:
    """Return a new workspace for Trafford at ``root``, its council's ``ledger`` imported."""
    init_workspace(root, TRAFFORD)
    add_partner(
        open_workspace(root),
        Partner(
            name="Trafford Council",
            sector="unitary_council",
            areas=(TRAFFORD,),
            sources=(str(ledger),),
        ),
    )
    ws = open_workspace(root)
    import_files(ws, "Trafford Council", [ledger])
    return ws


def counted_example(root: Path) -> Workspace:
    """Return a copy of examples/hyndburn at ``root`` imported, classified, counted, with its
    opportunities found (the stages a scenario reads)."""
    from totalplace.classify import classify
    from totalplace.count import count
    from totalplace.opportunities import opportunities

    ws = imported_example(root)
    classify(ws)
    count(ws)
    opportunities(ws)
    return ws
