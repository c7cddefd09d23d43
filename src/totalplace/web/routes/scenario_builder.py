"""The scenario builder: a form over an existing scenario's settings and lever ranges that
writes a NEW scenario file -- never edits one in place.

The new file is the old one with the figures changed (tomlkit keeps its comments), checked
by the scenario reader exactly as the CLI checks it (``read_scenario`` then
``build_model``); each fault the reader finds is shown against the field on its line,
with a GOV.UK error summary, and nothing is written until the file is clean.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from totalplace.web.deps import require_signed_in
from totalplace.web.routes.scenarios import _known
from totalplace.web.templating import page_context
from totalplace.workspace import Workspace
from totalplace.workspace.toml_lines import KeyPath, TomlLines

__all__ = ["BUILDERS", "Field", "fields_of", "router", "write_scenario"]

router = APIRouter()

#: Who may build scenarios: analysts and board members (and administrators).
BUILDERS = ("administrator", "analyst", "board")
#: Lever keys that hold whole numbers or lists that are not ranges: not offered as ranges.
NOT_RANGES = ("start", "duration", "lag", "confidence_grade", "implementation_years", "ramp_up",
              "events", "persistence", "cost_price_year")  # fmt: skip
#: The [scenario] settings the form offers, with the reader's allowed choices where it has them.
CHOICES = {
    "discount": ("standard", "health"),
    "distribution": ("triangular", "pert"),
    "gain_share_on": ("fiscal", "cashable"),
}
WHOLE = ("horizon", "draws", "seed")
MAX_NAME = 80
MAX_TEXT = 500
MAX_FIELD = 40


@dataclass(frozen=True)
class Field:
    """One ranged figure of a lever in the file: its path, label and low/central/high."""

    path: KeyPath
    label: str
    low: float
    central: float
    high: float

    @property
    def id(self) -> str:
        """Return the form's id for this figure (its path, joined)."""
        return "f-" + "-".join(str(p) for p in self.path).replace("_", "-")


def _as_range(value: Any) -> tuple[float, float, float] | None:
    def number(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    if number(value):
        return float(value), float(value), float(value)
    if isinstance(value, list) and len(value) == 3 and all(number(v) for v in value):
        return float(value[0]), float(value[1]), float(value[2])
    if isinstance(value, dict) and number(value.get("central")):
        mid = float(value["central"])
        return float(value.get("low", mid)), mid, float(value.get("high", mid))
    return None


def fields_of(data: dict[str, Any]) -> list[Field]:
    """Return the ranged figures of every lever (and of a programme's outcomes) in a parsed file."""
    found: list[Field] = []

    def visit(table: dict[str, Any], path: KeyPath, title: str) -> None:
        for key, value in table.items():
            if key in NOT_RANGES:
                continue
            if key == "outcomes" and isinstance(value, list):
                for i, outcome in enumerate(value):
                    if isinstance(outcome, dict):
                        label = (
                            outcome.get("label") or outcome.get("unit_cost") or f"outcome {i + 1}"
                        )
                        visit(outcome, (*path, key, i), f"{title}: {label}")
                continue
            figures = _as_range(value)
            if figures is not None:
                found.append(Field((*path, key), f"{title}: {key.replace('_', ' ')}", *figures))

    for index, lever in enumerate(data.get("levers", [])):
        if isinstance(lever, dict):
            visit(lever, ("levers", index), str(lever.get("name") or f"lever {index + 1}"))
    return found


def _at(doc: Any, path: KeyPath) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _number(text: str) -> float | int | None:
    try:
        value = float(text.strip().replace(",", "").replace("£", ""))
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _parse_form(
    form: Any, data: dict[str, Any], fields: list[Field]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return (the values asked for by field id, form errors: not numbers, too long)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    name = str(form.get("name", "")).strip()
    if not name:
        errors["name"] = "Enter a name for the new scenario"
    elif len(name) > MAX_NAME:
        errors["name"] = f"The name must be {MAX_NAME} characters or fewer"
    values["name"] = name
    values["description"] = str(form.get("description", "")).strip()[:MAX_TEXT]
    for key in WHOLE:
        text = str(form.get(key, "")).strip()[:MAX_FIELD]
        values[key] = text
        found = _number(text)
        if not isinstance(found, int):
            errors[key] = f"Enter {key} as a whole number"
    for key, allowed in CHOICES.items():
        values[key] = str(form.get(key, allowed[0]))[:MAX_FIELD]
    for f in fields:
        for part in ("low", "central", "high"):
            fid = f"{f.id}-{part}"
            text = str(form.get(fid, "")).strip()[:MAX_FIELD]
            values[fid] = text
            if _number(text) is None:
                errors.setdefault(f"{f.id}-low", f"{f.label}: enter the {part} figure as a number")
    return values, errors


def _new_text(
    source: str, values: dict[str, Any], fields: list[Field], origin: str
) -> tuple[str, dict[int, str]]:
    """Return the new file's text and which field id sits on each line (for the reader's faults)."""
    doc = tomlkit.parse(source)
    head = doc.setdefault("scenario", tomlkit.table())
    head["name"] = values["name"]
    if values["description"]:
        head["description"] = values["description"]
    for key in WHOLE:
        head[key] = _number(values[key])
    for key in CHOICES:
        head[key] = values[key]
    for f in fields:
        low, mid, high = (_number(values[f"{f.id}-{p}"]) for p in ("low", "central", "high"))
        parent, last = _at(doc, f.path[:-1]), f.path[-1]
        old = parent[last]
        if isinstance(old, dict):  # keep its source: only the figures change
            old["low"], old["central"], old["high"] = low, mid, high
        elif low == mid == high:
            parent[last] = mid
        else:
            parent[last] = [low, mid, high]
    text = (
        f"# Made on the web from {origin}: only its figures and settings changed.\n"
        + tomlkit.dumps(doc)
    )
    lines = TomlLines(text)
    where: dict[int, str] = {}
    for key in (*WHOLE, *CHOICES, "name", "description"):
        if (line := lines.line(("scenario", key))) is not None:
            where.setdefault(line, key)
    for f in fields:
        if (line := lines.line(f.path)) is not None:
            where.setdefault(line, f"{f.id}-low")
    return text, where


def write_scenario(ws: Workspace, source: str, values: dict[str, Any], fields: list[Field],
                   origin: str) -> tuple[Path | None, dict[str, str]]:  # fmt: skip
    """Return (the new scenario file, {}) once the reader accepts it, or (None, errors by field
    id) with the reader's own messages; an existing file is never replaced."""
    from totalplace.scenario import ScenarioFileError, build_model, read_scenario
    from totalplace.scenario.spec import SCENARIO_DIR
    from totalplace.workspace.model import slugify

    stem = slugify(values["name"])
    if not stem:
        return None, {"name": "Use letters or numbers in the name"}
    target = ws.root / SCENARIO_DIR / f"{stem}.toml"
    if target.exists():
        return None, {
            "name": f"There is already a scenario file {target.name}: choose another name"
        }
    text, where = _new_text(source, values, fields, origin)
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / target.name
        trial.write_text(text, encoding="utf-8")
        try:
            build_model(ws, read_scenario(trial))
        except ScenarioFileError as exc:
            errors: dict[str, str] = {}
            for p in exc.problems:
                errors.setdefault(where.get(p.line or -1, "general"), p.message)
            return None, errors
    target.parent.mkdir(exist_ok=True)
    with target.open("x", encoding="utf-8") as out:  # "x": never over a file made meanwhile
        out.write(text)
    return target, {}


def _form_page(request: Request, who: Any, key: str, data: dict[str, Any], fields: list[Field],
               values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Response:  # fmt: skip
    title = f"Make a new scenario from {data.get('scenario', {}).get('name', key)}"
    summary = [{"text": message, "href": f"#{fid if fid != 'general' else 'name'}"}
               for fid, message in errors.items()]  # fmt: skip
    context = page_context(request, who, ("Error: " if errors else "") + title, heading=title,
                           key=key, fields=fields, values=values, errors=errors, summary=summary,
                           choices=CHOICES, whole=WHOLE)  # fmt: skip
    return request.app.state.templates.TemplateResponse(
        request, "pages/scenario_build.html", context, status_code=status
    )


def _source(ws: Workspace, name: str) -> tuple[str, dict[str, Any]]:
    from totalplace.scenario import scenario_path

    text = scenario_path(ws, _known(ws, name)).read_text(encoding="utf-8-sig")
    try:
        return text, tomlkit.parse(text).unwrap()
    except tomlkit.exceptions.ParseError:
        raise HTTPException(
            status_code=422, detail="That scenario file is not valid TOML."
        ) from None


@router.get("/scenarios/{name}/build", response_class=HTMLResponse)
def build_page(request: Request, name: str) -> Response:
    """Show the builder's form, filled with scenario ``name``'s settings and ranges."""
    who = require_signed_in(request, *BUILDERS)
    _, data = _source(request.app.state.workspace, name)
    head = data.get("scenario", {})
    fields = fields_of(data)
    values: dict[str, Any] = {"name": f"{head.get('name', name)} (changed)",
                              "description": head.get("description", "")}  # fmt: skip
    defaults = {"horizon": 10, "draws": 10_000, "seed": 1}
    for key in WHOLE:
        values[key] = str(head.get(key, defaults[key]))
    for key, allowed in CHOICES.items():
        values[key] = head.get(key, allowed[0])
    for f in fields:
        for part in ("low", "central", "high"):
            values[f"{f.id}-{part}"] = f"{getattr(f, part):g}"
    return _form_page(request, who, name, data, fields, values, {})


@router.post("/scenarios/{name}/build", response_class=HTMLResponse)
async def build_submit(request: Request, name: str) -> Response:
    """Write a new scenario file from the form, or show the reader's faults against the fields."""
    from totalplace.web.people import audit

    who = require_signed_in(request, *BUILDERS)
    ws = request.app.state.workspace
    source, data = _source(ws, name)
    fields = fields_of(data)
    form = await request.form()
    values, errors = _parse_form(form, data, fields)
    if not errors:
        written, errors = write_scenario(ws, source, values, fields, f"{name}.toml")
    if errors:
        return _form_page(request, who, name, data, fields, values, errors, status=400)
    assert written is not None
    with request.app.state.db.session() as session:
        audit(session, who.name or who.role, "scenario built", file=written.name, source=name)
    return RedirectResponse(f"/scenarios/{written.stem}", status_code=303)
