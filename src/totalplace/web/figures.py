"""Chart specifications of the place's pages: where the money goes (treemap), who pays for which
theme (Sankey, partner -> theme), and per head by theme (bars for residents).

Vega-Lite has no treemap or Sankey, so those two are Vega specifications whose geometry is
laid out here (a Sankey's bands are computed in Python over a handful of partners and
themes; the treemap uses Vega's own layout). Suppressed cells are left out of the pictures
and said to be left out; the tables beside them show every row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from totalplace.scenario.charts import number

__all__ = ["sankey", "theme_bars", "treemap"]

VEGA = "https://vega.github.io/schema/vega/v6.json"
VEGA_LITE = "https://vega.github.io/schema/vega-lite/v6.json"
# GOV.UK Design System colours (accessible on white), cycled over partners.
PALETTE = [
    "#1d70b8",
    "#00703c",
    "#d4351c",
    "#4c2c92",
    "#f47738",
    "#28a197",
    "#912b88",
    "#85994b",
    "#6f72af",
    "#b58840",
]


def treemap(
    themes: Sequence[Mapping[str, Any]], title: str, width: int = 640, height: int = 320
) -> dict[str, Any]:
    """Return a Vega treemap of amounts by theme (suppressed themes left out)."""
    values: list[dict[str, Any]] = [{"id": "root", "parent": None, "name": "All"}]
    values += [
        {"id": t["theme"], "parent": "root", "name": t["theme"], "amount": number(t["amount"]),
         "per_head": str(t.get("per_head") or "")}
        for t in themes
        if not t.get("suppressed") and number(t.get("amount")) > 0
    ]  # fmt: skip
    return {
        "$schema": VEGA,
        "title": title,
        "width": width,
        "height": height,
        "padding": 2,
        "data": [
            {
                "name": "tree",
                "values": values,
                "transform": [
                    {"type": "stratify", "key": "id", "parentKey": "parent"},
                    {
                        "type": "treemap",
                        "field": "amount",
                        "sort": {"field": "value", "order": "descending"},
                        "round": True,
                        "method": "squarify",
                        "size": [{"signal": "width"}, {"signal": "height"}],
                    },
                ],
            },
            {
                "name": "leaves",
                "source": "tree",
                "transform": [{"type": "filter", "expr": "datum.parent"}],
            },
        ],  # fmt: skip
        "scales": [
            {
                "name": "colour",
                "type": "ordinal",
                "domain": {"data": "leaves", "field": "name"},
                "range": PALETTE,
            }
        ],
        "marks": [
            {
                "type": "rect",
                "from": {"data": "leaves"},
                "encode": {
                    "enter": {
                        "fill": {"scale": "colour", "field": "name"},
                        "stroke": {"value": "#ffffff"},
                        "tooltip": {
                            "signal": "datum.name + ': £' + format(datum.amount, ',.0f') + ' (£' + datum.per_head + ' per head)'"
                        },
                    },
                    "update": {
                        "x": {"field": "x0"},
                        "y": {"field": "y0"},
                        "x2": {"field": "x1"},
                        "y2": {"field": "y1"},
                    },
                },
            },  # fmt: skip
            {
                "type": "text",
                "from": {"data": "leaves"},
                "interactive": False,
                "encode": {
                    "enter": {
                        "fill": {"value": "#ffffff"},
                        "fontSize": {"value": 13},
                        "limit": {"signal": "datum.x1 - datum.x0 - 8"},
                        "text": {"field": "name"},
                    },
                    "update": {
                        "x": {"signal": "datum.x0 + 6"},
                        "y": {"signal": "datum.y0 + 18"},
                        "opacity": {
                            "signal": "(datum.x1 - datum.x0 > 60 && datum.y1 - datum.y0 > 24) ? 1 : 0"
                        },
                    },
                },
            },  # fmt: skip
        ],
    }


def sankey(
    matrix: Sequence[Mapping[str, Any]], title: str, width: int = 640, height: int = 360
) -> dict[str, Any]:
    """Return a Vega Sankey of partner -> theme amounts (bands laid out here; suppressed cells left out)."""
    cells = [c for c in matrix if not c.get("suppressed") and number(c.get("amount")) > 0]
    partners = sorted(
        {c["partner"] for c in cells},
        key=lambda p: -sum(number(c["amount"]) for c in cells if c["partner"] == p),
    )
    themes = sorted(
        {c["theme"] for c in cells},
        key=lambda t: -sum(number(c["amount"]) for c in cells if c["theme"] == t),
    )
    total = sum(number(c["amount"]) for c in cells) or 1.0
    gap, node_width = 6.0, 14.0
    left_x, right_x = 180.0, width - 200.0

    def stack(names: list[str], key: str) -> dict[str, list[float]]:
        usable = height - gap * max(len(names) - 1, 0)
        y, found = 0.0, {}
        for name in names:
            size = usable * sum(number(c["amount"]) for c in cells if c[key] == name) / total
            found[name] = [y, y + size]
            y += size + gap
        return found

    left, right = stack(partners, "partner"), stack(themes, "theme")
    out_at = {p: left[p][0] for p in partners}
    in_at = {t: right[t][0] for t in themes}
    bands = []
    for partner in partners:  # a handful of partners x themes
        for theme in themes:
            amount = sum(
                number(c["amount"])
                for c in cells
                if c["partner"] == partner and c["theme"] == theme
            )
            if amount <= 0:
                continue
            size = (height - gap * max(len(partners) - 1, 0)) * amount / total
            size_in = (height - gap * max(len(themes) - 1, 0)) * amount / total
            y0, y1 = out_at[partner], in_at[theme]
            out_at[partner] += size
            in_at[theme] += size_in
            x0, x1, mid = left_x + node_width, right_x, (left_x + node_width + right_x) / 2
            path = (f"M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f} "
                    f"L{x1:.1f},{y1 + size_in:.1f} C{mid:.1f},{y1 + size_in:.1f} {mid:.1f},{y0 + size:.1f} {x0:.1f},{y0 + size:.1f} Z")  # fmt: skip
            bands.append({"partner": partner, "theme": theme, "amount": amount, "path": path})
    nodes = [
        {"name": p, "x": left_x, "y0": y[0], "y1": y[1], "side": "left"} for p, y in left.items()
    ]
    nodes += [
        {"name": t, "x": right_x, "y0": y[0], "y1": y[1], "side": "right"} for t, y in right.items()
    ]
    return {
        "$schema": VEGA,
        "title": title,
        "width": width,
        "height": height,
        "padding": 4,
        "data": [{"name": "bands", "values": bands}, {"name": "nodes", "values": nodes}],
        "scales": [{"name": "colour", "type": "ordinal", "domain": partners, "range": PALETTE}],
        "marks": [
            {
                "type": "path",
                "from": {"data": "bands"},
                "encode": {
                    "enter": {
                        "path": {"field": "path"},
                        "fill": {"scale": "colour", "field": "partner"},
                        "fillOpacity": {"value": 0.45},
                        "tooltip": {
                            "signal": "datum.partner + ' → ' + datum.theme + ': £' + format(datum.amount, ',.0f')"
                        },
                    }
                },
            },
            {
                "type": "rect",
                "from": {"data": "nodes"},
                "encode": {
                    "enter": {
                        "x": {"field": "x"},
                        "width": {"value": node_width},
                        "y": {"field": "y0"},
                        "y2": {"field": "y1"},
                        "fill": {"value": "#0b0c0c"},
                    }
                },
            },
            {
                "type": "text",
                "from": {"data": "nodes"},
                "encode": {
                    "enter": {
                        "x": {"signal": "datum.side === 'left' ? datum.x - 6 : datum.x + 20"},
                        "y": {"signal": "(datum.y0 + datum.y1) / 2"},
                        "baseline": {"value": "middle"},
                        "align": {"signal": "datum.side === 'left' ? 'right' : 'left'"},
                        "text": {"field": "name"},
                        "fontSize": {"value": 12},
                        "fill": {"value": "#0b0c0c"},
                        "limit": {"value": 175},
                    }
                },
            },
        ],  # fmt: skip
    }


def theme_bars(themes: Sequence[Mapping[str, Any]], title: str) -> dict[str, Any]:
    """Return a Vega-Lite bar chart of pounds per resident by theme (largest first)."""
    values = [
        {"theme": t["theme"], "per_head": number(t["per_head"])}
        for t in themes
        if not t.get("suppressed") and t.get("per_head") is not None
    ]
    return {
        "$schema": VEGA_LITE,
        "title": title,
        "width": 560,
        "data": {"values": values},
        "mark": {"type": "bar", "color": "#1d70b8"},
        "encoding": {
            "y": {
                "field": "theme",
                "type": "nominal",
                "sort": "-x",
                "title": None,
                "axis": {"labelLimit": 260},
            },
            "x": {"field": "per_head", "type": "quantitative", "title": "£ a year per resident"},
            "tooltip": [
                {"field": "theme"},
                {"field": "per_head", "format": ",.2f", "title": "£ per resident"},
            ],
        },
    }
