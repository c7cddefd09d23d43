"""The stage contract: each stage records its run; a later stage asks for it, never recomputes it.

A stage (classify, count, count by ward, coverage ...) that finishes calls :func:`record`,
which writes one row per stage in the warehouse table ``stage_runs``: the stage, a run
id, the fingerprint of the inputs it depends on at the time (:data:`INPUTS`: the live
sources, the place and partners, rule files), the run ids of the stages it read, when it finished, and the
totalplace version. A stage that reads another's tables first calls :func:`require`,
which raises

* :class:`StageNotRun` -- "run `totalplace count` first" -- if the stage never ran here;
* :class:`StageStale` -- "re-run `totalplace count`: its inputs changed since" -- if the
  sources or rule files changed after it ran, or a stage it read has run again since.

So stages read tables and never run each other behind the user's back. Everything here
is Ibis over the warehouse connection: the same on DuckDB, PostgreSQL and Spark.
Design note: ``docs/decisions/0012-stage-contract.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata, resources
from typing import Any

import pyarrow as pa

from totalplace.warehouse import connect, has_table, replace_table
from totalplace.workspace import PLACE_FILE, Workspace, WorkspaceError

__all__ = [
    "COMMANDS",
    "INPUTS",
    "READS",
    "STAGE_RUNS",
    "StageError",
    "StageNotRun",
    "StageRun",
    "StageStale",
    "inputs_fingerprint",
    "last_run",
    "record",
    "require",
    "using",
]

STAGE_RUNS = "stage_runs"

#: The command a user runs to (re-)make each stage's tables.
COMMANDS = {
    "classify": "totalplace classify",
    "count": "totalplace count",
    "count_by_ward": "totalplace count --by ward",
    "coverage": "totalplace coverage",
    "link": "totalplace link",
    "opportunities": "totalplace opportunities",
}

#: The recorded stages whose tables each stage reads (import is the ``sources`` table itself).
READS: dict[str, tuple[str, ...]] = {
    "classify": (),
    "count": ("classify",),
    "count_by_ward": ("count",),
    "coverage": ("count",),
    "link": (),
    "opportunities": ("classify", "count"),
}

#: What each stage's tables depend on that a user changes, besides the stages it reads
#: (see :func:`inputs_fingerprint`): a change makes the stage stale.
INPUTS: dict[str, tuple[str, ...]] = {
    "classify": ("sources", "place", "file:rules.toml", "shipped:data/rules/default.toml"),
    "count": ("sources", "place"),
    "count_by_ward": ("place", "place.toml:wards"),
    "coverage": ("place", "file:topdown_themes.toml", "shipped:data/topdown/themes.toml"),
    "link": ("sources", "place"),
    "opportunities": ("sources", "place"),
}
DEFAULT_INPUTS = ("sources", "place")

SCHEMA = pa.schema(
    [
        ("stage", pa.string()),
        ("run_id", pa.string()),
        ("fingerprint", pa.string()),
        ("upstream", pa.string()),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("version", pa.string()),
    ]
)


class StageError(WorkspaceError):
    """A stage's tables are missing or out of date; the message says which command to run."""

    def __init__(self, message: str, stage: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.command = COMMANDS.get(stage, f"totalplace {stage}")


class StageNotRun(StageError):
    """The stage has never run in this workspace: run its command first."""


class StageStale(StageError):
    """The stage ran, but its inputs (or a stage it read) changed since: re-run it."""


@dataclass(frozen=True)
class StageRun:
    """One recorded run of a stage: its id, the inputs' fingerprint, what it read, when, which version."""

    stage: str
    run_id: str
    fingerprint: str
    upstream: dict[str, str]
    finished_at: dt.datetime
    version: str


@contextmanager
def using(workspace: Workspace, con: Any | None = None) -> Iterator[Any]:
    """Yield the connection a stage runs on: ``con`` if given, else the workspace's warehouse (closed after)."""
    if con is not None:
        yield con
        return
    own = connect(workspace)
    try:
        yield own
    finally:
        own.disconnect()


def _version() -> str:
    try:
        return metadata.version("totalplace")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "unknown"


def inputs_fingerprint(con: Any, workspace: Workspace, stage: str) -> str:
    """Return a hash of the inputs a user changes that ``stage`` depends on (see :data:`INPUTS`).

    'sources' is read from the ``sources`` table (partner and file hash of each live
    source), so an import, a re-publication or a removed file changes it; 'place' is the
    place and partners as place.toml declares them; 'file:NAME' a workspace file (absent
    counts as empty); 'place.toml:KEY' one table of place.toml; 'shipped:PATH' a file
    shipped in the package.
    """
    digest = hashlib.sha256()
    for item in INPUTS.get(stage, DEFAULT_INPUTS):
        digest.update(f"\0{item}\0".encode())
        if item == "sources":
            if has_table(con, "sources"):
                s = con.table("sources").select("partner", "source_hash").distinct()
                found = sorted((r["partner"], r["source_hash"]) for r in s.to_pyarrow().to_pylist())
                digest.update(json.dumps(found).encode())
        elif item == "place":
            digest.update(repr((workspace.place, workspace.partners)).encode())
        elif item.startswith("file:"):
            path = workspace.root / item.removeprefix("file:")
            digest.update(path.read_bytes() if path.exists() else b"")
        elif item.startswith("place.toml:"):
            path = workspace.root / PLACE_FILE
            data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            part = data.get(item.removeprefix("place.toml:"))
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        elif item.startswith("shipped:"):
            digest.update(
                (resources.files("totalplace") / item.removeprefix("shipped:")).read_bytes()
            )
    return digest.hexdigest()


_WORDS = {
    "sources": "the sources imported",
    "place": "the place and partners in place.toml",
    "file": "a workspace rule file",
    "place.toml": "a setting in place.toml",
    "shipped": "the shipped rules",
}


def _runs(con: Any) -> dict[str, StageRun]:
    if not has_table(con, STAGE_RUNS):
        return {}
    rows = con.table(STAGE_RUNS).to_pyarrow().to_pylist()
    return {
        r["stage"]: StageRun(
            stage=r["stage"],
            run_id=r["run_id"],
            fingerprint=r["fingerprint"],
            upstream=json.loads(r["upstream"] or "{}"),
            finished_at=r["finished_at"],
            version=r["version"],
        )
        for r in rows
    }


def last_run(con: Any, stage: str) -> StageRun | None:
    """Return the stage's last recorded run in this warehouse, or None if it never ran."""
    return _runs(con).get(stage)


def record(con: Any, workspace: Workspace, stage: str) -> StageRun:
    """Record that ``stage`` has just written its tables; return the run (written to ``stage_runs``).

    Call it after the stage's tables are written: the run keeps the fingerprint of the
    inputs now and the run ids of the stages it read (those recorded at this moment).
    """
    runs = _runs(con)
    run = StageRun(
        stage=stage,
        run_id=uuid.uuid4().hex,
        fingerprint=inputs_fingerprint(con, workspace, stage),
        upstream={s: runs[s].run_id for s in READS.get(stage, ()) if s in runs},
        finished_at=dt.datetime.now(dt.UTC),
        version=_version(),
    )
    kept = [r for s, r in runs.items() if s != stage] + [run]
    table = pa.Table.from_pylist(
        [
            {
                "stage": r.stage,
                "run_id": r.run_id,
                "fingerprint": r.fingerprint,
                "upstream": json.dumps(r.upstream, sort_keys=True),
                "finished_at": r.finished_at,
                "version": r.version,
            }
            for r in sorted(kept, key=lambda r: r.stage)
        ],
        schema=SCHEMA,
    )
    replace_table(con, STAGE_RUNS, table)
    return run


def require(con: Any, workspace: Workspace, stage: str) -> StageRun:
    """Return the stage's last run if its tables can be read as they are.

    Raises StageNotRun if it never ran here, StageStale if the workspace's inputs
    changed since it ran or a stage it read ran again after it.
    """
    runs = _runs(con)
    run = runs.get(stage)
    command = COMMANDS.get(stage, f"totalplace {stage}")
    if run is None:
        raise StageNotRun(f"run `{command}` first: its tables are not in the warehouse", stage)
    if run.fingerprint != inputs_fingerprint(con, workspace, stage):
        raise StageStale(
            f"re-run `{command}`: its inputs ("
            + ", ".join(_WORDS.get(i.split(":")[0], i) for i in INPUTS.get(stage, DEFAULT_INPUTS))
            + f") changed since it ran ({run.finished_at:%Y-%m-%d %H:%M} UTC)",
            stage,
        )
    for before in READS.get(stage, ()):
        now = runs.get(before)
        if now is not None and run.upstream.get(before) != now.run_id:
            raise StageStale(
                f"re-run `{command}`: `{COMMANDS.get(before, before)}` has run again since it ran",
                stage,
            )
    return run
