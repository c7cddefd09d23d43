"""Charts on pages: a Vega-Lite (or Vega) specification drawn on the server as SVG (no JavaScript needed),
which the browser then makes interactive with vega-embed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Chart", "accessible", "chart"]


@dataclass(frozen=True)
class Chart:
    """A chart for a template: its element id, its spec as JSON text and its SVG drawing."""

    id: str
    spec_json: str
    svg: str
    title: str


@lru_cache(maxsize=256)
def _svg(spec_json: str) -> str:
    import vl_convert

    spec = json.loads(spec_json)
    if "/schema/vega/" in str(spec.get("$schema", "")):  # a Vega spec (treemap, Sankey)
        return str(vl_convert.vega_to_svg(spec))
    return str(vl_convert.vegalite_to_svg(spec))


def accessible(spec: dict[str, Any], title: str) -> dict[str, Any]:
    """Return ``spec`` described by ``title`` (the SVG's accessible name) with the marks hidden from
    assistive technology: the table beside every chart carries the figures in words."""
    found = {**spec, "description": spec.get("description") or title}
    if "/schema/vega/" in str(spec.get("$schema", "")):
        found["marks"] = [{**mark, "aria": False} for mark in spec.get("marks", [])]
    else:
        config = spec.get("config", {})
        found["config"] = {
            **config,
            "aria": False,
            "mark": {**config.get("mark", {}), "aria": False},
        }
        found = _quiet_marks(found)
    return found


def _quiet_marks(spec: dict[str, Any]) -> dict[str, Any]:
    """Return a Vega-Lite spec with ``aria: false`` on every mark, layers and concatenations too."""
    found = dict(spec)
    mark = found.get("mark")
    if isinstance(mark, str):
        found["mark"] = {"type": mark, "aria": False}
    elif isinstance(mark, dict):
        found["mark"] = {**mark, "aria": False}
    for key in ("layer", "hconcat", "vconcat", "concat"):
        if isinstance(found.get(key), list):
            found[key] = [_quiet_marks(part) for part in found[key]]
    return found


def chart(spec: dict[str, Any], title: str) -> Chart:
    """Return a chart of ``spec`` (drawn once per distinct spec, then from memory)."""
    text = json.dumps(accessible(spec, title), sort_keys=True, default=str)
    key = hashlib.sha1(text.encode()).hexdigest()[:12]  # noqa: S324 -- an element id, not security
    # "</" could end the <script> element the spec sits in: escape it.
    return Chart(f"chart-{key}", text.replace("</", "<\\/"), _svg(text), title)
