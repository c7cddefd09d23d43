"""Charts on pages: a Vega-Lite specification drawn on the server as SVG (no JavaScript needed),
which the browser then makes interactive with vega-embed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Chart", "chart"]


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

    return str(vl_convert.vegalite_to_svg(json.loads(spec_json)))


def chart(spec: dict[str, Any], title: str) -> Chart:
    """Return a chart of ``spec`` (drawn once per distinct spec, then from memory)."""
    text = json.dumps(spec, sort_keys=True, default=str)
    key = hashlib.sha1(text.encode()).hexdigest()[:12]  # noqa: S324 -- an element id, not security
    # "</" could end the <script> element the spec sits in: escape it.
    return Chart(f"chart-{key}", text.replace("</", "<\\/"), _svg(text), title)
