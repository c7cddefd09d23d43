"""The one loader of rule files: ids, conditions, ``disabled``, merge over the defaults, provenance.

Every rule set (classification rules, procurement categories, the outturn service
map, the top-down themes) is a :class:`RuleKind`: the TOML table its rules sit in,
the fields its patterns may test and a ``build`` that reads its own fields. The
rest is done here, the same way for all of them:

* each rule has a unique ``id``; its conditions are ``<field> = 'regex'`` (and
  ``not_<field>``), checked by :mod:`totalplace.rules.regex`, plus ``partner``
  (and ``sector`` where the kind allows it);
* a workspace file is merged over the defaults: its new rules are tried first (in
  file order), a rule with a default's id replaces that default where it stands,
  ``disabled = true`` with an id switches a default off, and a top-level
  ``use_defaults = false`` drops the defaults (the kind says what a file that does
  not say means);
* every rule records where it came from: ``origin`` and ``where`` (file:line).

Errors are :class:`RulesError` (the kind's subclass) naming the file, the rule id
and what to fix; never a traceback.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from totalplace.rules import regex
from totalplace.rules.model import Rule, RulesError, RuleSet, Test
from totalplace.workspace import SECTORS, Workspace, slugify

NEGATION = "not_"
_META = frozenset({"id", "disabled", "partner", "sector"})


@dataclass(frozen=True)
class RuleKind:
    """What one rule set supplies: where its rules sit, what they may test, and its own fields.

    ``build(item, where)`` reads the rule set's own keys (``own``) from one table and
    returns the keyword arguments of ``make`` (it may add to ``within``); it raises
    ``error`` with ``where`` ("<file>: <noun> '<id>'") in the message.
    """

    noun: str
    table: str
    fields: Mapping[str, tuple[str, ...]]
    own: frozenset[str]
    build: Callable[[Mapping[str, Any], str], dict[str, Any]]
    make: Callable[..., Rule]
    error: type[RulesError] = RulesError
    negatable: bool = True
    partner: bool = True
    sector: bool = False
    required: tuple[str, ...] = ()
    use_defaults: bool = True
    default_noun: str = ""
    extra_top: frozenset[str] = field(default_factory=frozenset)

    def described(self) -> str:
        """Return how messages name a default of this kind ("default rule", "default category rule")."""
        return self.default_noun or self.noun


@dataclass(frozen=True)
class RuleFile:
    """One file read: its rules (and bare ids of ``disabled = true`` entries) and its settings."""

    path: str
    items: tuple[Rule | str, ...]
    use_defaults: bool | None = None


def read_toml(kind: RuleKind, text: str, path: str, origin: str, local: bool) -> RuleFile:
    """Return the rules of one TOML file (``local``: a workspace's, which may disable and say use_defaults)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise kind.error(f"{path}: not valid TOML ({exc}).") from exc
    allowed = {kind.table, *kind.extra_top} | ({"use_defaults"} if local else set())
    unknown = set(data) - allowed
    if unknown:
        raise kind.error(
            f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; the file holds "
            f"[[{kind.table}]] tables{' and use_defaults' if local else ''}."
        )
    use_defaults = data.get("use_defaults")
    if use_defaults is not None and not isinstance(use_defaults, bool):
        raise kind.error(f"{path}: use_defaults must be true or false.")
    raw = data.get(kind.table, [])
    if not isinstance(raw, list):
        raise kind.error(f"{path}: write the {kind.noun}s as [[{kind.table}]] tables.")
    lines = _header_lines(text, kind.table)
    where = [f"{path}:{n}" for n in lines] if len(lines) == len(raw) else [path] * len(raw)
    items = _read_items(kind, raw, path, where, origin, local)
    return RuleFile(path, items, use_defaults)


def read_csv(kind: RuleKind, text: str, path: str, origin: str = "default") -> RuleFile:
    """Return the rules of a CSV file: one rule a row, id = its row number, ``field,pattern`` its test."""
    rows = list(csv.DictReader(io.StringIO(text)))
    items = [
        {
            "id": str(n),
            r["field"]: r["pattern"],
            **{k: v for k, v in r.items() if k not in ("field", "pattern")},
        }
        for n, r in enumerate(rows, start=1)
    ]
    where = [f"{path}:{n + 1}" for n in range(1, len(rows) + 1)]
    return RuleFile(path, _read_items(kind, items, path, where, origin, local=False))


def load(kind: RuleKind, defaults: RuleFile, local: RuleFile | None) -> RuleSet:
    """Return the rules in force: ``local`` (a workspace's file) merged over ``defaults``."""
    default_rules = [r for r in defaults.items if isinstance(r, Rule)]
    if local is None:
        return RuleSet(tuple(default_rules), (), (defaults.path,))
    use = kind.use_defaults if local.use_defaults is None else local.use_defaults
    if not use:
        default_rules = []
    known = {r.id for r in default_rules}
    replacing: dict[str, Rule] = {}
    disabled: list[str] = []
    new: list[Rule] = []
    for item in local.items:
        if isinstance(item, str):
            if item not in known:
                raise kind.error(
                    f"{local.path}: {kind.noun} {item!r} sets disabled = true, but no "
                    f"default {kind.described()} has that id (check the spelling against {defaults.path})."
                )
            disabled.append(item)
        elif item.id in known:
            replacing[item.id] = replace(item, origin="workspace (replaces default)")
        else:
            new.append(item)
    merged = new + [replacing.get(r.id, r) for r in default_rules if r.id not in disabled]
    files = (local.path, defaults.path) if use else (local.path,)
    return RuleSet(tuple(merged), tuple(disabled), files)


def _header_lines(text: str, table: str) -> list[int]:
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), start=1) if header.match(line)]


def _read_items(
    kind: RuleKind,
    raw: Iterable[Any],
    path: str,
    where: list[str],
    origin: str,
    local: bool,
) -> tuple[Rule | str, ...]:
    seen: set[str] = set()
    out: list[Rule | str] = []
    for number, (item, source) in enumerate(zip(raw, where, strict=True), start=1):
        parsed = _read_rule(kind, item, number, path, source, origin, local)
        rule_id = parsed if isinstance(parsed, str) else parsed.id
        if rule_id in seen:
            raise kind.error(f"{path}: {kind.noun} {rule_id!r} appears twice; ids must be unique.")
        seen.add(rule_id)
        out.append(parsed)
    return tuple(out)


def _read_rule(
    kind: RuleKind,
    item: Any,
    number: int,
    path: str,
    source: str,
    origin: str,
    local: bool,
) -> Rule | str:
    if not isinstance(item, Mapping):
        raise kind.error(f"{path}: {kind.noun} number {number} is not a table.")
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise kind.error(f"{path}: {kind.noun} number {number} has no id; give it a stable id.")
    where = f"{path}: {kind.noun} {rule_id!r}"
    if item.get("disabled", False) is True:
        if not local:
            raise kind.error(f"{where}: default {kind.noun}s cannot be disabled here.")
        return rule_id
    unknown = [k for k in item if not _known(kind, k)]
    if unknown:
        raise kind.error(
            f"{where}: unknown key(s) {', '.join(unknown)}. Conditions may test "
            f"{', '.join(kind.fields)}"
            + (" (or not_<field>)" if kind.negatable else "")
            + (", sector" if kind.sector else "")
            + (", partner" if kind.partner else "")
            + (f"; its own keys are {', '.join(sorted(kind.own))}." if kind.own else ".")
        )
    tests = []
    for key, pattern in item.items():
        name = key.removeprefix(NEGATION) if kind.negatable else key
        if key in _META or key in kind.own or name not in kind.fields:
            continue
        problem = regex.check(pattern)
        if problem:
            raise kind.error(
                f"{where}: {key} = {pattern!r} {problem}. {regex.SUBSET} (RE2 syntax, the "
                "common part); put patterns in single quotes so backslashes need no doubling."
            )
        tests.append(Test(name, kind.fields[name], pattern, negated=name != key))
    missing = [k for k in kind.required if k not in item]
    if missing:
        raise kind.error(f"{where}: needs {' and '.join(missing)} (a regular expression).")
    within: dict[str, tuple[str, ...]] = {}
    if kind.sector and "sector" in item:
        sectors = _names(kind, item["sector"], "sector", where)
        for pattern in sectors:
            if not any(fnmatch.fnmatchcase(s, pattern) for s in SECTORS):
                raise kind.error(
                    f"{where}: sector {pattern!r} matches no known sector; use "
                    f"{', '.join(SECTORS)} (a trailing * is allowed, e.g. nhs_*)."
                )
        # Matched against the known sectors the patterns name ("nhs_*": every NHS sector).
        within["sector"] = tuple(
            s for s in SECTORS if any(fnmatch.fnmatchcase(s, p) for p in sectors)
        )
    if kind.partner and "partner" in item:
        within["partner"] = tuple(
            slugify(p) for p in _names(kind, item["partner"], "partner", where)
        )
    own = kind.build(item, where)
    within.update(own.pop("within", {}))
    if not (tests or within):
        raise kind.error(
            f"{where}: has no conditions, so it would match every line and hide what no rule "
            "explains; add a field regex"
            + (", sector or partner." if kind.sector else " or partner.")
        )
    return kind.make(
        id=rule_id, tests=tuple(tests), within=within, origin=origin, where=source, **own
    )


def _known(kind: RuleKind, key: str) -> bool:
    if key in ("id", "disabled") or key in kind.own or key in kind.fields:
        return True
    if key == "partner" and kind.partner or key == "sector" and kind.sector:
        return True
    return kind.negatable and key.startswith(NEGATION) and key.removeprefix(NEGATION) in kind.fields


def _names(kind: RuleKind, raw: Any, key: str, where: str) -> list[str]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise kind.error(f"{where}: {key} must be a name or a list of names.")
    return list(values)


def read_path(kind: RuleKind, path: Path, origin: str, local: bool) -> RuleFile:
    """Return the rules of a TOML rule file on disk (RulesError if it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise kind.error(f"{path}: cannot be read ({exc}).") from exc
    return read_toml(kind, text, str(path), origin, local)


def load_with_workspace(
    kind: RuleKind, defaults: Path, workspace: Workspace | Path | str | None, filename: str
) -> RuleSet:
    """Return the rules in force: the file ``defaults`` merged with the workspace's ``filename``.

    A workspace (or its folder) without that file, or none, gives the defaults alone;
    raises the kind's RulesError naming the file and rule if either file is wrong.
    """
    shipped = read_path(kind, defaults, origin="default", local=False)
    local = None
    if workspace is not None:
        root = workspace.root if isinstance(workspace, Workspace) else Path(workspace)
        path = root / filename
        if path.exists():
            local = read_path(kind, path, origin="workspace", local=True)
    return load(kind, shipped, local)
