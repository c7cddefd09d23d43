"""What a notebook user calls: a :class:`Place` (a workspace) with each stage's verb, and
every table as Arrow.

Each verb is the stage's own library function (the command line calls the same ones);
:class:`Place` only holds the workspace so a notebook need not pass it every time.
The verbs are methods rather than module functions because ``totalplace.count`` and
the like already name the stage packages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from totalplace.errors import UsageError
from totalplace.workspace import Workspace, open_workspace

if TYPE_CHECKING:
    import pyarrow as pa

    from totalplace.ingest import SheetReport

__all__ = [
    "Place",
    "import_batches_for",
    "import_files",
    "init_place",
    "open_place",
    "table",
    "tables",
]


def _workspace(workspace: Workspace | str | Path) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else open_workspace(workspace)


def import_batches_for(
    ws: Workspace, files: Sequence[Path | str] | None = None, partner: str | None = None
) -> list[tuple[str, list[Path]]]:
    """Return the (partner, files) batches to import: ``files`` of ``partner``, else the
    sources place.toml lists for ``partner`` (or for every partner).

    Raises UsageError for files without a partner, an unknown partner with no files, or
    nothing to import.
    """
    if files:
        if not partner:
            raise UsageError("say which partner the files belong to: --partner NAME")
        return [(partner, [Path(f) for f in files])]
    if partner and ws.partner(partner) is None:
        known = ", ".join(repr(p.name) for p in ws.partners)
        raise UsageError(f"unknown partner {partner!r}; the partners are: {known}")
    chosen = [ws.partner(partner)] if partner else ws.partners
    batches = [(p.name, ws.source_files(p)) for p in chosen if p is not None]
    if not any(paths for _, paths in batches):
        raise UsageError(
            "no files to import: name files, or list sources for partners in place.toml"
        )
    return batches


def import_files(
    workspace: Workspace | str | Path,
    files: Sequence[Path | str] | None = None,
    partner: str | None = None,
    keep: str | None = None,
) -> list[SheetReport]:
    """Import ``files`` of ``partner`` (default: every partner's sources); return a report
    per file and sheet. All or nothing, as ``totalplace import``."""
    from totalplace.ingest import import_batches

    ws = _workspace(workspace)
    return import_batches(ws, import_batches_for(ws, files, partner), keep=keep)


def tables(workspace: Workspace | str | Path) -> list[str]:
    """Return the names of the tables (and views) in the workspace's warehouse."""
    from totalplace import warehouse

    con = warehouse.connect(_workspace(workspace), read_only=True)
    try:
        return sorted(con.list_tables())
    finally:
        con.disconnect()


def table(workspace: Workspace | str | Path, name: str) -> pa.Table:
    """Return a warehouse table as an Arrow table (``.to_pandas()`` for a DataFrame).

    Raises UsageError naming the tables there are when ``name`` is not one of them.
    """
    from totalplace import warehouse

    con: Any = warehouse.connect(_workspace(workspace), read_only=True)
    try:
        if not warehouse.has_table(con, name):
            raise UsageError(
                f"there is no table {name!r} in the warehouse; the tables are: "
                + ", ".join(sorted(con.list_tables()))
            )
        return con.table(name).to_pyarrow()
    finally:
        con.disconnect()


class Place:
    """A workspace and the verbs of its stages, in the order a user runs them.

    Each verb returns the stage's own result object (``.as_json()``, rows) and writes
    the stage's tables; :meth:`table` reads any of them as Arrow.
    """

    def __init__(self, workspace: Workspace | str | Path) -> None:
        self.workspace = _workspace(workspace)

    def __repr__(self) -> str:
        return f"Place({self.workspace.place.name!r}, {str(self.workspace.root)!r})"

    def import_files(
        self,
        files: Sequence[Path | str] | None = None,
        partner: str | None = None,
        keep: str | None = None,
    ) -> list[SheetReport]:
        """Import files (default: every partner's sources); return a report per file and sheet."""
        return import_files(self.workspace, files, partner, keep)

    def classify(self) -> Any:
        """Classify every line; return the ClassifyResult (rules used, coverage)."""
        from totalplace.classify import classify

        return classify(self.workspace)

    def link(self) -> Any:
        """Build the supplier register; return the Register."""
        from totalplace.link import link

        return link(self.workspace)

    def count(self) -> Any:
        """Count the place by partner, theme and financial year; return the CountResult."""
        from totalplace.count import count

        return count(self.workspace)

    def count_by_ward(self) -> Any:
        """Apportion the count to the place's wards; return the WardCount."""
        from totalplace.needs.wards import count_by_ward

        return count_by_ward(self.workspace)

    def coverage(self, year: str | None = None) -> Any:
        """Return which bodies are loaded, apportioned, estimated top-down or missing."""
        from totalplace.coverage import coverage

        return coverage(self.workspace, year)

    def compare(self, theme: str | None = None, year: str | None = None, **options: Any) -> Any:
        """Return spend per head against need: the place, its wards and similar places."""
        from totalplace.needs.compare import compare

        return compare(self.workspace, theme=theme, year=year, **options)

    def opportunities(self, year: str | None = None) -> Any:
        """Find the savings from working together; return the Opportunities."""
        from totalplace.opportunities import opportunities

        return opportunities(self.workspace, year)

    def tables(self) -> list[str]:
        """Return the names of the warehouse's tables."""
        return tables(self.workspace)

    def table(self, name: str) -> pa.Table:
        """Return a warehouse table as Arrow (``.to_pandas()`` for a DataFrame)."""
        return table(self.workspace, name)


def open_place(path: str | Path = ".") -> Place:
    """Return the Place of the workspace in ``path``; raises WorkspaceError without one."""
    return Place(path)


def init_place(
    path: str | Path, code: str, name: str | None = None, population_year: int = 2024
) -> Place:
    """Make a workspace for the place with ONS ``code`` in ``path``; return its Place."""
    from totalplace.workspace import init_workspace

    init_workspace(path, code, name, population_year)
    return Place(path)
