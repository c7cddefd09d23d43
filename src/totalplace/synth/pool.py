"""The real rows a synthetic England is sampled from, read through totalplace's own import.

The bundled example (Hyndburn's borough council, Lancashire's fire and police) is
copied to a scratch workspace and imported; with the real-data folder beside the repo,
Trafford's 2024-25 supplier spend is imported too, as the model of a unitary council's
ledger. The pool is one Arrow table of the imported rows, each with the sector whose
bodies may be sampled from it, in a stable order (so a seed gives the same England).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

import pyarrow as pa

from totalplace.ingest.columns import FIELDS

#: Columns a template row gives every row sampled from it (the rest are made afresh): the
#: stored fields of a spending line but its body, date and id, which each row gets anew.
TEMPLATE_COLUMNS = (
    *(f for f in FIELDS if f not in ("body", "date", "transaction_id")),
    "payee_status",
    "date_precision",
)

#: The example's partners, and the sector each models.
EXAMPLE_SECTORS = {
    "hyndburn-borough-council": "district_council",
    "lancashire-fire-and-rescue-service": "fire",
    "lancashire-police-and-crime-commissioner": "police",
}
TRAFFORD = "trafford_council/trafford-supplier-spend-2024-25.zip"

#: Which pool each sector of body samples from, best first (the first one present wins).
SECTOR_POOLS = {
    "district_council": ("district_council",),
    "unitary_council": ("unitary_council", "district_council"),
    "county_council": ("unitary_council", "district_council"),
    "police": ("police",),
    "fire": ("fire",),
}


def example_root() -> Path:
    """Return the bundled example workspace (examples/hyndburn in the repository)."""
    return Path(__file__).resolve().parents[3] / "examples" / "hyndburn"


def default_realdata() -> Path:
    """Return the shared real-data folder beside the repository (it may not exist)."""
    return Path(__file__).resolve().parents[4] / "shared" / "realdata"


def sample_pool(realdata: Path | None = None, example: Path | None = None) -> pa.Table:
    """Return the template rows: TEMPLATE_COLUMNS plus ``pool`` (the sector they model).

    Imports the example's files (and, if ``realdata`` holds it, Trafford's 2024-25
    spend) with ``totalplace.ingest`` into a scratch workspace; rows in a stable order.
    """
    from totalplace.ingest import import_files
    from totalplace.warehouse import connect
    from totalplace.workspace import open_workspace

    source = example or example_root()
    with tempfile.TemporaryDirectory(prefix="tp-synth-pool-") as tmp:
        root = Path(tmp) / "ws"
        shutil.copytree(source, root, ignore=shutil.ignore_patterns(".totalplace"))
        workspace = open_workspace(root)
        sectors = {p.slug: EXAMPLE_SECTORS.get(p.slug, p.sector) for p in workspace.partners}
        for partner in workspace.partners:
            import_files(workspace, partner.name, workspace.source_files(partner))
        zipped = realdata / TRAFFORD if realdata is not None else None
        if zipped is not None and zipped.exists():
            with zipfile.ZipFile(zipped) as zf:
                member = next(m for m in zf.namelist() if m.lower().endswith(".csv"))
                target = Path(tmp) / "trafford-2024-25.csv"
                target.write_bytes(zf.read(member))
            workspace = open_workspace(root)
            import_files(workspace, "Trafford Council", [target])
            sectors["trafford-council"] = "unitary_council"
        con = connect(open_workspace(root))
        try:
            t = con.table("transactions")
            rows = t.order_by(["partner", "source_file", "sheet", "row_number"]).to_pyarrow()
        finally:
            con.disconnect()
    pools = pa.array([sectors.get(p, "district_council") for p in rows["partner"].to_pylist()])
    return rows.select(list(TEMPLATE_COLUMNS)).append_column("pool", pools)
