"""Chart specifications written to files: Vega-Lite ``.vl.json`` and, with vl-convert, SVG for print.

The one chart writer of the stages that draw (the scenario's and the journey's charts):
each stage builds its specifications as plain dicts; this module saves them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = ["number", "write_specs"]


def number(value: Any) -> float:
    """Return an amount of a document (Decimal, decimal text or None) as a float for a chart (None: 0)."""
    return float(Decimal(str(value))) if value not in (None, "") else 0.0


def write_specs(specs: Mapping[str, dict[str, Any]], folder: Path, svg: bool = True) -> list[Path]:
    """Write each specification as ``NAME.vl.json`` (and ``NAME.svg`` when ``svg``) in ``folder``;
    return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in specs.items():
        path = folder / f"{name}.vl.json"
        path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
        written.append(path)
        if svg:
            import vl_convert

            drawing = folder / f"{name}.svg"
            drawing.write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
            written.append(drawing)
    return written
