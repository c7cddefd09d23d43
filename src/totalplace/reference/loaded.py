"""Newer reference files a user loads into a workspace, preferred to the shipped copies.

:func:`load_reference` copies a user's newer file of a published layout into the
workspace's ``.totalplace/reference/`` (with a manifest, ``loaded.json``); readers
then prefer it to the shipped copy whenever that workspace is passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from totalplace.reference.layouts import KINDS, LayoutError, read_layout

if TYPE_CHECKING:
    import pyarrow as pa

    from totalplace.workspace import Workspace

__all__ = [
    "LoadedReference",
    "known_kinds",
    "load_reference",
    "loaded",
    "loaded_references",
]

MANIFEST = "loaded.json"


def _loaded_dir(workspace: Workspace) -> Path:
    return workspace.state_dir / "reference"


def loaded_references(workspace: Workspace | None) -> dict[str, dict[str, Any]]:
    """Return the workspace's loaded reference files by key (kind, or kind_edition), as recorded at load."""
    if workspace is None:
        return {}
    path = _loaded_dir(workspace) / MANIFEST
    if not path.exists():
        return {}
    loaded: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def loaded(workspace: Workspace | None, key: str) -> tuple[pa.Table, dict[str, Any]] | None:
    """Return (table, manifest entry) of the workspace's loaded file for ``key``, or None."""
    entry = loaded_references(workspace).get(key)
    if entry is None or workspace is None:
        return None
    return read_layout(entry["kind"], _loaded_dir(workspace) / entry["file"]), entry


@dataclass(frozen=True)
class LoadedReference:
    """A reference file copied into a workspace: what it is, where it came from, what it holds."""

    kind: str
    key: str
    file: str
    original: str
    sha256: str
    rows: int
    loaded_at: str
    edition: int | None


def _edition_from(name: str) -> int | None:
    match = re.search(r"(?:IoD|IMD)[ _-]?(20\d\d)", name, re.IGNORECASE)
    return int(match.group(1)) if match else None


def load_reference(kind: str, path: Path | str, workspace: Workspace) -> LoadedReference:
    """Copy a newer reference file into the workspace, after checking it reads; return what was stored.

    ``kind`` is one of ``lsoa_ward``, ``lsoa_population``, ``lsoa_imd``,
    ``ward_population``, ``district_population``, ``district_deprivation`` (see
    :mod:`totalplace.reference.layouts`). A file of the same kind (and, for district
    deprivation, the same IoD edition) loaded before is replaced. Raises LayoutError
    (a ValueError) if the file is not in the published layout, FileNotFoundError if absent.
    """
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"no such file: {source}")
    table = read_layout(kind, source)
    edition: int | None = None
    key = kind
    if kind == "district_deprivation":
        editions = sorted(set(table.column("edition").to_pylist()))
        if len(editions) != 1:
            raise LayoutError(f"{source.name}: holds IoD editions {editions}; load one at a time")
        edition = int(editions[0])
        key = f"{kind}_{edition}"
    elif kind == "lsoa_imd":
        edition = _edition_from(source.name)
    folder = _loaded_dir(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "".join(source.suffixes[-2:]) if source.name.endswith(".gz") else source.suffix
    target = folder / f"{key}{suffix}"
    manifest = loaded_references(workspace)
    previous = manifest.get(key)
    tmp = folder / f".{target.name}.tmp"
    shutil.copyfile(source, tmp)
    tmp.replace(target)
    if previous and previous["file"] != target.name:
        (folder / previous["file"]).unlink(missing_ok=True)
    item = LoadedReference(
        kind=kind,
        key=key,
        file=target.name,
        original=str(source.resolve()),
        sha256=hashlib.sha256(target.read_bytes()).hexdigest(),
        rows=table.num_rows,
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        edition=edition,
    )
    manifest[key] = asdict(item)
    tmp_manifest = folder / f".{MANIFEST}.tmp"
    tmp_manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    tmp_manifest.replace(folder / MANIFEST)
    return item


def known_kinds() -> list[str]:
    """Return the kinds of reference file :func:`load_reference` accepts."""
    return list(KINDS)
