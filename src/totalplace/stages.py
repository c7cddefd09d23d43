"""The stage contract: each stage records its run; a later stage asks for it, never recomputes it.

A stage (classify, link, count, count by ward, coverage, opportunities) that finishes
calls :func:`record`, which writes one row per stage in the warehouse table
``stage_runs``: the stage, a run id, the fingerprint of the inputs it depends on at the
time (:data:`INPUTS`: the live sources, the place and partners, rule, override and
assumption files) with a digest of each input, the run ids of the stages it read, when
it finished, and the totalplace version. A stage that reads another's tables first
calls :func:`require`, which raises

* :class:`StageNotRun` -- "run `totalplace count` first" -- if the stage never ran here;
* :class:`StageStale` -- "re-run `totalplace count`: its inputs (...) changed since" -- if
  the sources or workspace files changed after it ran, or a stage it read has run again
  since (a reader may ignore inputs it expects to change, see :func:`require`).

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
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    "input_digests",
    "inputs_fingerprint",
    "last_run",
    "record",
    "require",
    "using",
]

STAGE_RUNS = "stage_runs"

#: The command a user runs to (re-)make each stage's tables.
COMMANDS = {
    "assets": "totalplace assets",
    "classify": "totalplace classify",
    "count": "totalplace count",
    "count_by_ward": "totalplace count --by ward",
    "count_pooled": "totalplace count",
    "coverage": "totalplace coverage",
    "link": "totalplace link",
    "opportunities": "totalplace opportunities",
    "economy": "totalplace economy",
    "outcomes": "totalplace outcomes",
    "integrity": "totalplace integrity",
}

#: The recorded stages whose tables each stage reads (import is the ``sources`` table itself).
READS: dict[str, tuple[str, ...]] = {
    "assets": ("count",),
    "classify": (),
    "count": ("classify",),
    "count_by_ward": ("count",),
    "count_pooled": ("count",),
    "coverage": ("count",),
    "link": (),
    "opportunities": ("classify", "count", "link"),
    "economy": ("classify", "count", "link"),
    "outcomes": (),
    "integrity": ("count", "link"),
}

#: What each stage's tables depend on that a user changes, besides the stages it reads
#: (see :func:`inputs_fingerprint`): a change makes the stage stale.
INPUTS: dict[str, tuple[str, ...]] = {
    "assets": ("place", "place.toml:assets"),
    "classify": ("sources", "place", "file:rules.toml", "shipped:data/rules/default.toml"),
    "count": ("sources", "place"),
    "count_by_ward": ("place", "place.toml:wards"),
    "count_pooled": ("place", "file:pooled_budgets.toml"),
    "coverage": ("place", "file:topdown_themes.toml", "shipped:data/topdown/themes.toml"),
    "link": (
        "sources",
        "place",
        "file:supplier_overrides.toml",
        "shipped:link/data/model.json",
        "shipped:link/data/public_bodies.csv",
    ),
    "opportunities": (
        "sources",
        "place",
        "file:assumptions.toml",
        "file:categories.toml",
        "shipped:data/assumptions/opportunities.toml",
        "shipped:data/assumptions/categories.toml",
    ),
    "economy": (
        "sources",
        "place",
        "file:economy.toml",
        "file:supplier_locations.csv",
        "file:postcodes.csv",
        "file:categories.toml",
        "shipped:data/economy/economy.toml",
        "shipped:data/economy/sectors.toml",
        "shipped:data/assumptions/categories.toml",
    ),
    "outcomes": ("place.toml:outcomes",),
    "integrity": (
        "sources",
        "place",
        "file:integrity.toml",
        "shipped:data/integrity/parameters.toml",
    ),
}
DEFAULT_INPUTS = ("sources", "place")

SCHEMA = pa.schema(
    [
        ("stage", pa.string()),
        ("run_id", pa.string()),
        ("fingerprint", pa.string()),
        ("inputs", pa.string()),
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
    """One recorded run of a stage: its id, the inputs' fingerprint (and each input's digest),
    what it read, when, which version."""

    stage: str
    run_id: str
    fingerprint: str
    upstream: dict[str, str]
    finished_at: dt.datetime
    version: str
    inputs: dict[str, str] = field(default_factory=dict)


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
    return _measure(con, workspace, stage)[0]


def input_digests(con: Any, workspace: Workspace, stage: str) -> dict[str, str]:
    """Return a digest of each input of ``stage`` (see :func:`inputs_fingerprint`), by input."""
    return _measure(con, workspace, stage)[1]


def _measure(con: Any, workspace: Workspace, stage: str) -> tuple[str, dict[str, str]]:
    """Return the fingerprint of the stage's inputs now, and a digest of each."""
    whole = hashlib.sha256()  # as recorded before per-input digests, so old runs still compare
    digests = {}
    for item in INPUTS.get(stage, DEFAULT_INPUTS):
        content = _content(con, workspace, item)
        whole.update(f"\0{item}\0".encode())
        whole.update(content)
        digests[item] = hashlib.sha256(content).hexdigest()
    return whole.hexdigest(), digests


def _content(con: Any, workspace: Workspace, item: str) -> bytes:
    """Return the bytes of one input as it is now."""
    if item == "sources":
        if not has_table(con, "sources"):
            return b""
        s = con.table("sources").select("partner", "source_hash").distinct()
        found = sorted((r["partner"], r["source_hash"]) for r in s.to_pyarrow().to_pylist())
        return json.dumps(found).encode()
    if item == "place":
        drivers = [(p.slug, p.apportion) for p in workspace.partners if p.apportion != "population"]
        return (
            repr((workspace.place, workspace.partners)) + (repr(drivers) if drivers else "")
        ).encode()
    if item.startswith("file:"):
        path = workspace.root / item.removeprefix("file:")
        return path.read_bytes() if path.exists() else b""
    if item.startswith("place.toml:"):
        path = workspace.root / PLACE_FILE
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        part = data.get(item.removeprefix("place.toml:"))
        return json.dumps(part, sort_keys=True, default=str).encode()
    if item.startswith("shipped:"):
        return (resources.files("totalplace") / item.removeprefix("shipped:")).read_bytes()
    raise ValueError(f"unknown stage input {item!r}")


_WORDS = {
    "sources": "the sources imported",
    "place": "the place and partners in place.toml",
    "place.toml": "a setting in place.toml",
    "shipped": "the shipped rules",
}


def _word(item: str) -> str:
    kind, _, name = item.partition(":")
    return name if kind == "file" else _WORDS.get(kind, item)


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
            inputs=json.loads(r.get("inputs") or "{}"),  # none in runs recorded before digests
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
    fingerprint, digests = _measure(con, workspace, stage)
    run = StageRun(
        stage=stage,
        run_id=uuid.uuid4().hex,
        fingerprint=fingerprint,
        upstream={s: runs[s].run_id for s in READS.get(stage, ()) if s in runs},
        finished_at=dt.datetime.now(dt.UTC),
        version=_version(),
        inputs=digests,
    )
    kept = [r for s, r in runs.items() if s != stage] + [run]
    table = pa.Table.from_pylist(
        [
            {
                "stage": r.stage,
                "run_id": r.run_id,
                "fingerprint": r.fingerprint,
                "inputs": json.dumps(r.inputs, sort_keys=True),
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


def require(con: Any, workspace: Workspace, stage: str, ignoring: Collection[str] = ()) -> StageRun:
    """Return the stage's last run if its tables can be read as they are.

    Raises StageNotRun if it never ran here, StageStale if the workspace's inputs
    changed since it ran or a stage it read ran again after it. ``ignoring`` names
    inputs (as in :data:`INPUTS`) the reader expects to change meanwhile: the review
    queue reads the register while the reviewer's decisions accumulate.
    """
    runs = _runs(con)
    run = runs.get(stage)
    command = COMMANDS.get(stage, f"totalplace {stage}")
    if run is None:
        raise StageNotRun(
            f"run `{command}` first: this warehouse has no record of it having run", stage
        )
    fingerprint, digests = _measure(con, workspace, stage)
    if run.fingerprint != fingerprint:
        # (A run recorded before per-input digests has none: every input counts as changed.)
        changed = [i for i in digests if i not in ignoring and run.inputs.get(i) != digests[i]]
        if changed:
            raise StageStale(
                f"re-run `{command}`: its inputs ("
                + ", ".join(dict.fromkeys(_word(i) for i in changed))
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
