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

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from totalplace.classify import THEMES
from totalplace.money import split
from totalplace.workspace import Workspace

__all__ = [
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
#: A workspace's own mapping (same layout), used instead of the shipped one when present.
WORKSPACE_MAPPING_FILE = "topdown_themes.toml"
_SOURCES = ("CRA", "RS")
_KEYS = {"id", "source", "line", "detail", "theme", "split", "split_source", "unthemed", "partly", "note"}  # fmt: skip
_SHARE_PLACES = Decimal("1e-15")


class ThemeMapError(ValueError):
    """The theme mapping file is not valid; the message names the rule and the problem."""


@dataclass(frozen=True)
class ThemeRule:
    """One mapping rule: which lines it matches and the theme(s) it gives them."""

    id: str
    source: str
    line: re.Pattern[str]
    detail: re.Pattern[str] | None
    parts: tuple[tuple[str, Fraction], ...]  # (theme, share of the line); shares sum to 1
    split_source: str
    partly: tuple[str, ...]
    note: str

    @property
    def unthemed(self) -> bool:
        """Return whether the rule leaves its lines unthemed."""
        return self.parts == ((UNTHEMED, Fraction(1)),)

    def matches(self, row: dict[str, Any]) -> bool:
        """Return whether the rule matches a top-down row (its source, ``line`` and ``detail``)."""
        if _source_of(row) != self.source:
            return False
        if not self.line.search(str(row.get("line") or "")):
            return False
        return self.detail is None or bool(self.detail.search(str(row.get("detail") or "")))


@dataclass(frozen=True)
class ThemeMap:
    """The ordered rules of a mapping file (the first that matches a line wins)."""

    path: str
    rules: tuple[ThemeRule, ...]

    def rule_for(self, row: dict[str, Any]) -> ThemeRule | None:
        """Return the first rule matching a top-down row, or None."""
        return next((rule for rule in self.rules if rule.matches(row)), None)

    def rule(self, rule_id: str) -> ThemeRule:
        """Return the rule with this id (KeyError if none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _source_of(row: dict[str, Any]) -> str:
    """Return 'CRA' or 'RS' for a top-down row, from its ``source`` text."""
    return "CRA" if str(row.get("source", "")).startswith("HM Treasury") else "RS"


def _pattern(rule_id: str, key: str, text: Any) -> re.Pattern[str]:
    if not isinstance(text, str) or not text:
        raise ThemeMapError(f"rule {rule_id!r}: {key} must be a non-empty regular expression")
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise ThemeMapError(
            f"rule {rule_id!r}: {key} {text!r} is not a regular expression ({exc})"
        ) from exc


def _theme(rule_id: str, name: Any) -> str:
    if name not in THEMES:
        raise ThemeMapError(
            f"rule {rule_id!r}: {name!r} is not a theme; use one of {', '.join(THEMES)}"
        )
    return str(name)


def _parse_rule(raw: dict[str, Any], seen: set[str]) -> ThemeRule:
    rule_id = str(raw.get("id") or "")
    if not rule_id:
        raise ThemeMapError(f"a rule has no id: {raw}")
    if rule_id in seen:
        raise ThemeMapError(f"rule id {rule_id!r} is used twice")
    seen.add(rule_id)
    unknown = set(raw) - _KEYS
    if unknown:
        raise ThemeMapError(f"rule {rule_id!r}: unknown keys {sorted(unknown)}")
    source = raw.get("source")
    if source not in _SOURCES:
        raise ThemeMapError(f"rule {rule_id!r}: source must be 'CRA' or 'RS', not {source!r}")
    given = [k for k in ("theme", "split", "unthemed") if k in raw]
    if len(given) != 1:
        raise ThemeMapError(f"rule {rule_id!r}: give exactly one of theme, split or unthemed")
    split_source = str(raw.get("split_source") or "")
    parts: tuple[tuple[str, Fraction], ...]
    if "theme" in raw:
        parts = ((_theme(rule_id, raw["theme"]), Fraction(1)),)
    elif "unthemed" in raw:
        if raw["unthemed"] is not True:
            raise ThemeMapError(f"rule {rule_id!r}: unthemed must be true")
        parts = ((UNTHEMED, Fraction(1)),)
    else:
        split = raw["split"]
        if not isinstance(split, dict) or len(split) < 2:
            raise ThemeMapError(f"rule {rule_id!r}: split needs two or more themes")
        if not split_source:
            raise ThemeMapError(
                f"rule {rule_id!r}: a split needs split_source (where it comes from)"
            )
        percents = {}
        for name, value in split.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ThemeMapError(
                    f"rule {rule_id!r}: split {name!r} must be a positive percentage"
                )
            percents[_theme(rule_id, name)] = Fraction(Decimal(repr(value)))
        if sum(percents.values()) != 100:
            raise ThemeMapError(
                f"rule {rule_id!r}: split percentages add up to "
                f"{float(sum(percents.values())):g}, not 100"
            )
        parts = tuple((name, pct / 100) for name, pct in percents.items())
    partly = raw.get("partly") or []
    if not isinstance(partly, list):
        raise ThemeMapError(f"rule {rule_id!r}: partly must be a list of themes")
    return ThemeRule(
        id=rule_id,
        source=str(source),
        line=_pattern(rule_id, "line", raw.get("line")),
        detail=_pattern(rule_id, "detail", raw["detail"]) if "detail" in raw else None,
        parts=parts,
        split_source=split_source,
        partly=tuple(_theme(rule_id, t) for t in partly),
        note=" ".join(str(raw.get("note") or "").split()),
    )


def _parse(text: str, where: str) -> ThemeMap:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeMapError(f"{where}: not valid TOML ({exc})") from exc
    seen: set[str] = set()
    rules = tuple(_parse_rule(raw, seen) for raw in data.get("rule", []))
    if not rules:
        raise ThemeMapError(f"{where}: no [[rule]] tables")
    return ThemeMap(where, rules)


def load_theme_map(path: Path | str) -> ThemeMap:
    """Return the theme mapping in a TOML file of the shipped layout (ThemeMapError if invalid)."""
    source = Path(path)
    return _parse(source.read_text(encoding="utf-8"), str(source))


@lru_cache(maxsize=1)
def shipped_theme_map() -> ThemeMap:
    """Return the mapping shipped with the package (``data/topdown/themes.toml``), cached."""
    resource = files("totalplace").joinpath("data").joinpath("topdown").joinpath(MAPPING_FILE)
    return _parse(resource.read_text(encoding="utf-8"), f"totalplace/data/topdown/{MAPPING_FILE}")


def theme_map_for(workspace: Workspace | None) -> ThemeMap:
    """Return the workspace's own mapping (``topdown_themes.toml`` in its folder) if it has one, else the shipped.

    A workspace file replaces the shipped mapping whole (copy the shipped
    ``data/topdown/themes.toml`` and edit it, e.g. to split a line by a cited source).
    The same mapping is used for the place and its comparators, so they stay like for like.
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

    Each row gains ``theme`` (one of THEMES, or ``Unclassified``), ``theme_rule`` (the
    rule id; None if no rule matched), ``theme_share`` (the part of the line in this
    theme, 1 unless split), ``line_estimate`` (the whole line's estimate; ``estimate``
    becomes this part of it), ``theme_partly`` (themes served in part, '; '-separated)
    and ``theme_split_source``. A split line becomes one row per theme.
    """
    mapping = mapping or shipped_theme_map()
    out: list[dict[str, Any]] = []
    for row in rows:
        rule = mapping.rule_for(row)
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
                        _SHARE_PLACES
                    ),
                    "estimate": amount,
                }
            )
    return out
