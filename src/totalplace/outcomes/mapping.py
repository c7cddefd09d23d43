"""Which Total Place theme each outcome indicator speaks to, and which way is good.

The shipped mapping is ``data/outcomes/indicator_themes.csv`` (indicator_code,
indicator, theme, polarity, why); a workspace's own ``outcome_themes.csv`` of the same
columns adds indicators or replaces shipped rows by code. ``polarity`` is ``higher``
(higher is better), ``lower`` or empty (no direction of good); a file's own polarity
column (ONS ``polarity``, Oflog ``rank_order``) wins over the mapping's.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from totalplace.classify.rules import THEMES
from totalplace.errors import WorkspaceStateError
from totalplace.workspace import Workspace

__all__ = [
    "MAPPING_FILE",
    "IndicatorTheme",
    "OutcomeMapError",
    "SHIPPED_MAPPING",
    "load_mapping",
]

MAPPING_FILE = "outcome_themes.csv"
SHIPPED_MAPPING = "data/outcomes/indicator_themes.csv"
_COLUMNS = ("indicator_code", "indicator", "theme", "polarity", "why")
_POLARITIES = ("higher", "lower", "")


class OutcomeMapError(WorkspaceStateError):
    """An indicator-to-theme mapping file is wrong; the message names the file, line and fix."""


@dataclass(frozen=True)
class IndicatorTheme:
    """One indicator's theme, direction of good ('higher', 'lower' or None), reason and origin."""

    code: str
    indicator: str
    theme: str
    polarity: str | None
    why: str
    origin: str  # 'shipped' or the workspace file's name


def _parse(text: str, origin: str, where: str) -> dict[str, IndicatorTheme]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise OutcomeMapError(
            f"{where}: the columns {', '.join(missing)} are missing; the file needs "
            f"{', '.join(_COLUMNS)} (one indicator a line)"
        )
    found: dict[str, IndicatorTheme] = {}
    for line, row in enumerate(reader, 2):  # the mapping file: a few dozen indicators
        code = (row["indicator_code"] or "").strip()
        theme = (row["theme"] or "").strip()
        polarity = (row["polarity"] or "").strip().lower()
        if not code:
            raise OutcomeMapError(f"{where}, line {line}: no indicator_code; fill it in")
        if theme not in THEMES:
            raise OutcomeMapError(
                f"{where}, line {line}: {theme!r} is not a theme; use one of {', '.join(THEMES)}"
            )
        if polarity not in _POLARITIES:
            raise OutcomeMapError(
                f"{where}, line {line}: polarity {polarity!r} must be higher, lower or empty "
                "(no direction of good)"
            )
        found[code.lower()] = IndicatorTheme(
            code=code,
            indicator=(row["indicator"] or "").strip(),
            theme=theme,
            polarity=polarity or None,
            why=(row["why"] or "").strip(),
            origin=origin,
        )
    return found


def load_mapping(workspace: Workspace | None = None) -> dict[str, IndicatorTheme]:
    """Return the indicator mapping by lower-case indicator code: the shipped rows, the workspace's over them.

    Raises OutcomeMapError naming the file and line of a wrong row.
    """
    shipped = (resources.files("totalplace") / SHIPPED_MAPPING).read_text(encoding="utf-8")
    mapping = _parse(shipped, "shipped", f"totalplace/{SHIPPED_MAPPING}")
    if workspace is not None:
        path = workspace.root / MAPPING_FILE
        if path.exists():
            mapping.update(_parse(path.read_text(encoding="utf-8"), MAPPING_FILE, str(path)))
    return mapping
