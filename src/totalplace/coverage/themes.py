"""Themes of the top-down estimate lines: a readable mapping from CRA functions and RS lines.

The mapping lives in ``totalplace/data/topdown/themes.toml`` (its header explains the
format). Each top-down row — one published line apportioned to the place — gets a
Total Place theme from the fixed list the bottom-up count uses
(:data:`totalplace.classify.THEMES`) and the id of the rule that gave it. A rule gives
one theme, a percentage split between themes (with its source), or leaves the line
unthemed (theme ``Unclassified``) and visible; ``partly`` names themes a line serves
in part without being split into them. A split line becomes one row per theme, its
estimate divided in pennies by largest remainder so the parts add up to the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from totalplace import rules as engine
from totalplace.classify.rules import THEMES
from totalplace.money import SHARE_PLACES, split
from totalplace.workspace import Workspace

__all__ = [
    "KIND",
    "MAPPING_FILE",
    "UNTHEMED",
    "WORKSPACE_MAPPING_FILE",
    "ThemeMap",
    "ThemeMapError",
    "ThemeRule",
    "apply_themes",
    "load_theme_map",
    "shipped_theme_map",
    "theme_map_for",
]

#: The theme of a line no rule themes (the bottom-up count's label for the same).
UNTHEMED = "Unclassified"
MAPPING_FILE = "themes.toml"
SHIPPED_LABEL = f"totalplace/data/topdown/{MAPPING_FILE}"
#: A workspace's own mapping (same layout). It replaces the shipped one whole, unless it
#: says ``use_defaults = true`` (then its rules are merged over the shipped ones by id).
WORKSPACE_MAPPING_FILE = "topdown_themes.toml"
_SOURCES = ("CRA", "RS")
#: Columns the rules are matched on (NULL read as empty text, as the rules expect).
_PREFIX = "_theme_"


class ThemeMapError(engine.RulesError):
    """The theme mapping file is not valid; the message names the file, the rule and the problem."""


@dataclass(frozen=True, kw_only=True)
class ThemeRule(engine.Rule):
    """One mapping rule: which lines it matches and the theme(s) it gives them."""

    source: str
    parts: tuple[tuple[str, Fraction], ...]  # (theme, share of the line); shares sum to 1
    split_source: str = ""
    partly: tuple[str, ...] = ()
    note: str = ""

    @property
    def unthemed(self) -> bool:
        """Return whether the rule leaves its lines unthemed."""
        return self.parts == ((UNTHEMED, Fraction(1)),)


@dataclass(frozen=True)
class ThemeMap:
    """The ordered rules of a mapping (the first that matches a line wins) and the file it came from."""

    path: str
    rules: tuple[ThemeRule, ...]

    def rule(self, rule_id: str) -> ThemeRule:
        """Return the rule with this id (KeyError if none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def with_rule(self, table: ir.Table, dialect: str = "duckdb") -> ir.Table:
        """Return the top-down rows (``source``, ``line``, ``detail``) with ``theme_rule``: the first rule each meets."""
        m = _matchable(table)
        m = m.mutate(theme_rule=engine.first_match(self.rules, m, dialect, prefix=_PREFIX))
        return m.drop("source_kind", *[_PREFIX + c for c in ("line", "detail")])

    def rules_for(self, rows: list[dict[str, Any]]) -> list[ThemeRule | None]:
        """Return the first rule matching each top-down row (None where none does).

        Matched by :meth:`with_rule` in the in-process engine (DuckDB): reference rows, no warehouse.
        """
        if not rows:
            return []
        text = {
            k: [None if r.get(k) is None else str(r[k]) for r in rows]
            for k in ("source", "line", "detail")
        }
        table = ibis.memtable(pa.table({**text, "_n": list(range(len(rows)))}))
        found = self.with_rule(table).select("_n", rule="theme_rule").order_by("_n").to_pyarrow()
        by_id = {r.id: r for r in self.rules}
        return [by_id.get(i) if i is not None else None for i in found.column("rule").to_pylist()]

    def rule_for(self, row: dict[str, Any]) -> ThemeRule | None:
        """Return the first rule matching a top-down row, or None."""
        return self.rules_for([row])[0]


def _matchable(table: ir.Table) -> ir.Table:
    """Return the table with what the rules test: the source kind (CRA or RS), line and detail."""
    return table.mutate(
        source_kind=ibis.ifelse(table.source.startswith("HM Treasury"), "CRA", "RS"),
        **{_PREFIX + c: table[c].cast("string").fill_null("") for c in ("line", "detail")},
    )


def _theme(where: str, name: Any) -> str:
    if name not in THEMES:
        raise ThemeMapError(f"{where}: {name!r} is not a theme; use one of {', '.join(THEMES)}")
    return str(name)


def _build(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    source = raw.get("source")
    if source not in _SOURCES:
        raise ThemeMapError(f"{where}: source must be 'CRA' or 'RS', not {source!r}")
    given = [k for k in ("theme", "split", "unthemed") if k in raw]
    if len(given) != 1:
        raise ThemeMapError(f"{where}: give exactly one of theme, split or unthemed")
    split_source = str(raw.get("split_source") or "")
    parts: tuple[tuple[str, Fraction], ...]
    if "theme" in raw:
        parts = ((_theme(where, raw["theme"]), Fraction(1)),)
    elif "unthemed" in raw:
        if raw["unthemed"] is not True:
            raise ThemeMapError(f"{where}: unthemed must be true")
        parts = ((UNTHEMED, Fraction(1)),)
    else:
        split = raw["split"]
        if not isinstance(split, dict) or len(split) < 2:
            raise ThemeMapError(f"{where}: split needs two or more themes")
        if not split_source:
            raise ThemeMapError(f"{where}: a split needs split_source (where it comes from)")
        percents = {}
        for name, value in split.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ThemeMapError(f"{where}: split {name!r} must be a positive percentage")
            percents[_theme(where, name)] = Fraction(Decimal(repr(value)))
        if sum(percents.values()) != 100:
            raise ThemeMapError(
                f"{where}: split percentages add up to {float(sum(percents.values())):g}, not 100"
            )
        parts = tuple((name, pct / 100) for name, pct in percents.items())
    partly = raw.get("partly") or []
    if not isinstance(partly, list):
        raise ThemeMapError(f"{where}: partly must be a list of themes")
    return {
        "source": str(source),
        "parts": parts,
        "split_source": split_source,
        "partly": tuple(_theme(where, t) for t in partly),
        "note": " ".join(str(raw.get("note") or "").split()),
        "within": {"source_kind": (str(source),)},
    }


#: The top-down theme mapping as the rule engine reads it.
KIND = engine.RuleKind(
    noun="rule",
    table="rule",
    fields={"line": ("line",), "detail": ("detail",)},
    own=frozenset({"source", "theme", "split", "split_source", "unthemed", "partly", "note"}),
    build=_build,
    make=ThemeRule,
    error=ThemeMapError,
    negatable=False,
    partner=False,
    required=("line",),
    use_defaults=False,
)


def _mapping(found: engine.RuleSet, path: str) -> ThemeMap:
    if not found.rules:
        raise ThemeMapError(f"{path}: no [[rule]] tables")
    return ThemeMap(path, tuple(found.rules))


def _shipped_file() -> engine.RuleFile:
    resource = files("totalplace").joinpath("data").joinpath("topdown").joinpath(MAPPING_FILE)
    return engine.read_toml(
        KIND, resource.read_text(encoding="utf-8"), SHIPPED_LABEL, "default", False
    )


def load_theme_map(path: Path | str) -> ThemeMap:
    """Return the theme mapping in a TOML file of the shipped layout (ThemeMapError if invalid).

    A file that says ``use_defaults = true`` is merged over the shipped mapping.
    """
    local = engine.read_path(KIND, Path(path), "workspace", local=True)
    return _mapping(engine.load(KIND, _shipped_file(), local), str(path))


@lru_cache(maxsize=1)
def shipped_theme_map() -> ThemeMap:
    """Return the mapping shipped with the package (``data/topdown/themes.toml``), cached."""
    return _mapping(engine.load(KIND, _shipped_file(), None), SHIPPED_LABEL)


def theme_map_for(workspace: Workspace | None) -> ThemeMap:
    """Return the workspace's own mapping (``topdown_themes.toml`` in its folder) if it has one, else the shipped.

    A workspace file replaces the shipped mapping whole (copy the shipped
    ``data/topdown/themes.toml`` and edit it, e.g. to split a line by a cited source),
    or, with ``use_defaults = true``, holds only its changes (new rules, rules with a
    shipped id, ``disabled = true``). The same mapping is used for the place and its
    comparators, so they stay like for like. Raises ThemeMapError naming the file.
    """
    if workspace is not None:
        own = workspace.root / WORKSPACE_MAPPING_FILE
        if own.is_file():
            return load_theme_map(own)
    return shipped_theme_map()


def apply_themes(
    rows: list[dict[str, Any]], mapping: ThemeMap | None = None
) -> list[dict[str, Any]]:
    """Return the top-down rows with a theme each: ``theme``, ``theme_rule``, ``theme_share``...

    Rows that carry ``theme_rule`` already (matched in the engine by
    :meth:`ThemeMap.with_rule`) keep it; others are matched here. Each row gains ``theme`` (one of THEMES, or ``Unclassified``), ``theme_rule`` (the
    rule id; None if no rule matched), ``theme_share`` (the part of the line in this
    theme, 1 unless split), ``line_estimate`` (the whole line's estimate; ``estimate``
    becomes this part of it), ``theme_partly`` (themes served in part, '; '-separated)
    and ``theme_split_source``. A split line becomes one row per theme.
    """
    mapping = mapping or shipped_theme_map()
    if all("theme_rule" in row for row in rows):
        rules = [mapping.rule(r["theme_rule"]) if r["theme_rule"] else None for r in rows]
    else:
        rules = mapping.rules_for(rows)
    out: list[dict[str, Any]] = []
    for row, rule in zip(rows, rules, strict=True):
        base = {
            **row,
            "line_estimate": row["estimate"],
            "theme_rule": rule.id if rule else None,
            "theme_partly": "; ".join(rule.partly) if rule and rule.partly else None,
            "theme_split_source": (rule.split_source or None) if rule else None,
        }
        if rule is None:
            out.append({**base, "theme": UNTHEMED, "theme_share": Decimal(1)})
            continue
        shares = [share for _, share in rule.parts]
        amounts = [row["estimate"]] if len(shares) == 1 else split(row["estimate"], shares)
        for (theme, share), amount in zip(rule.parts, amounts, strict=True):
            out.append(
                {
                    **base,
                    "theme": theme,
                    "theme_share": (Decimal(share.numerator) / Decimal(share.denominator)).quantize(
                        SHARE_PLACES
                    ),
                    "estimate": amount,
                }
            )
    return out
