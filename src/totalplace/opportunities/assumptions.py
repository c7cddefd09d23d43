"""Benchmark saving rates: the packaged, cited defaults, a workspace's overrides, the command line's.

The defaults ship in ``totalplace/data/assumptions/opportunities.toml`` (each rate
citing its source in domain.md §8). A workspace may hold an ``assumptions.toml``
with the same keys (only those it changes); options such as
``--back-office-saving 0.15`` come last. Every merged rate is checked: a number
between 0 and 1, with low <= central <= high.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from totalplace.classify.rules import BACK_OFFICE_FUNCTIONS
from totalplace.errors import WorkspaceStateError
from totalplace.workspace import Workspace

WORKSPACE_ASSUMPTIONS_FILE = "assumptions.toml"
COMMAND_LINE = "command line"
RATE_PLACES = Decimal("0.000001")  # rates are used to 6 decimal places

_RATE_KEYS = ("low", "central", "high")
_SECTIONS: dict[str, tuple[str, ...]] = {
    "back_office": ("label", *_RATE_KEYS, "source", "function"),
    "procurement": ("label", *_RATE_KEYS, "source", "min_partners"),
    "shared_suppliers": ("label", "min_partners"),
}
_FUNCTION_KEYS = (*_RATE_KEYS, "source")


class AssumptionsError(WorkspaceStateError):
    """An assumptions file or override that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Benchmark:
    """A saving rate range (fractions, e.g. 0.2222) with the source that justifies it."""

    key: str
    label: str
    low: Decimal
    central: Decimal
    high: Decimal
    source: str
    origin: str = "default"

    def as_json(self) -> dict[str, Any]:
        """Return the benchmark as a JSON-ready mapping (rates as decimal strings)."""
        return {
            "key": self.key,
            "label": self.label,
            "low": str(self.low),
            "central": str(self.central),
            "high": str(self.high),
            "source": self.source,
            "origin": self.origin,
        }


@dataclass(frozen=True)
class Assumptions:
    """The benchmarks in force: back office (with per-function rates), procurement, thresholds."""

    back_office: Benchmark
    functions: dict[str, Benchmark]
    procurement: Benchmark
    procurement_min_partners: int = 2
    shared_min_partners: int = 2
    files: tuple[str, ...] = field(default_factory=tuple)

    def for_function(self, function: str) -> Benchmark:
        """Return the benchmark for a back-office function (its own, else the back-office one)."""
        return self.functions.get(function, self.back_office)

    def benchmarks(self) -> list[Benchmark]:
        """Return every benchmark in force, back office first, then functions, then procurement."""
        own = [self.functions[f] for f in BACK_OFFICE_FUNCTIONS if f in self.functions]
        return [self.back_office, *own, self.procurement]

    def as_json(self) -> dict[str, Any]:
        """Return the assumptions as a JSON-ready mapping."""
        return {
            "benchmarks": [b.as_json() for b in self.benchmarks()],
            "procurement_min_partners": self.procurement_min_partners,
            "shared_suppliers_min_partners": self.shared_min_partners,
            "files": list(self.files),
        }


def default_assumptions_path() -> Path:
    """Return the path of the packaged, commented assumptions file."""
    return Path(str(resources.files("totalplace") / "data" / "assumptions" / "opportunities.toml"))


def rate_overrides(
    back_office: float | None = None, procurement: float | None = None
) -> dict[str, Any]:
    """Return overrides applying one rate (low = central = high) to every function or category.

    ``back_office`` replaces the rate of every back-office function, including those
    with their own benchmark; None leaves a benchmark as it is.
    """
    overrides: dict[str, Any] = {}
    if back_office is not None:
        flat = {"low": back_office, "central": back_office, "high": back_office}
        overrides["back_office"] = {
            **flat,
            "source": f"set on the command line ({_percent(back_office)})",
            "function": {
                f: {**flat, "source": f"set on the command line ({_percent(back_office)})"}
                for f in BACK_OFFICE_FUNCTIONS
            },
        }
    if procurement is not None:
        overrides["procurement"] = {
            "low": procurement,
            "central": procurement,
            "high": procurement,
            "source": f"set on the command line ({_percent(procurement)})",
        }
    return overrides


def _percent(value: Any) -> str:
    try:
        return f"{format((Decimal(str(value)) * 100).normalize(), 'f')}%"
    except ArithmeticError:
        return str(value)


def load_assumptions(
    workspace: Workspace | Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Assumptions:
    """Return the assumptions in force: defaults, then the workspace file, then ``overrides``.

    ``overrides`` has the same keys as the file (see :func:`rate_overrides`). Raises
    AssumptionsError naming the file (or the command line) and the faulty key.
    """
    default_path = default_assumptions_path()
    layers: list[tuple[str, dict[str, Any]]] = [(str(default_path), _read(default_path))]
    if workspace is not None:
        root = workspace.root if isinstance(workspace, Workspace) else Path(workspace)
        local = root / WORKSPACE_ASSUMPTIONS_FILE
        if local.exists():
            layers.append((str(local), _read(local)))
    if overrides:
        layers.append((COMMAND_LINE, copy.deepcopy(dict(overrides))))
    for origin, data in layers:
        _check_shape(data, origin)
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for origin, data in layers:
        _merge(merged, data, origins, origin, prefix="")
    return _build(merged, origins, tuple(origin for origin, _ in layers))


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AssumptionsError(f"{path}: not valid TOML ({exc}).") from exc
    except OSError as exc:
        raise AssumptionsError(f"{path}: cannot be read ({exc}).") from exc


def _check_shape(data: Mapping[str, Any], origin: str) -> None:
    unknown = set(data) - set(_SECTIONS)
    if unknown:
        raise AssumptionsError(
            f"{origin}: unknown section(s) {', '.join(sorted(unknown))}; "
            f"use {', '.join(_SECTIONS)}."
        )
    for section, allowed in _SECTIONS.items():
        body = data.get(section)
        if body is None:
            continue
        if not isinstance(body, Mapping):
            raise AssumptionsError(f"{origin}: [{section}] must be a table of keys.")
        bad = set(body) - set(allowed)
        if bad:
            raise AssumptionsError(
                f"{origin}: [{section}] has unknown key(s) {', '.join(sorted(bad))}; "
                f"use {', '.join(allowed)}."
            )
        functions = body.get("function", {})
        if not isinstance(functions, Mapping):
            raise AssumptionsError(f"{origin}: [back_office.function] must hold function tables.")
        for name, entry in functions.items():
            if name not in BACK_OFFICE_FUNCTIONS:
                raise AssumptionsError(
                    f"{origin}: [back_office.function.{name}] is not a back-office function; "
                    f"use one of {', '.join(BACK_OFFICE_FUNCTIONS)}."
                )
            if not isinstance(entry, Mapping) or set(entry) - set(_FUNCTION_KEYS):
                raise AssumptionsError(
                    f"{origin}: [back_office.function.{name}] may only set "
                    f"{', '.join(_FUNCTION_KEYS)}."
                )


def _merge(
    into: dict[str, Any],
    data: Mapping[str, Any],
    origins: dict[str, str],
    origin: str,
    prefix: str,
) -> None:
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _merge(into.setdefault(key, {}), value, origins, origin, prefix=f"{path}.")
        else:
            into[key] = value
            origins[path] = origin


def _rate(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AssumptionsError(f"{where} must be a number between 0 and 1, not {value!r}.")
    try:
        rate = Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise AssumptionsError(f"{where} must be a number between 0 and 1, not {value!r}.") from exc
    if not rate.is_finite() or rate < 0 or rate > 1:
        hint = (
            f" (a fraction: {_plain(rate / 100)} for {_plain(rate)}%)"
            if rate.is_finite() and rate > 1
            else ""
        )
        raise AssumptionsError(f"{where} = {value} is not between 0 and 1{hint}.")
    return rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP).normalize()


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AssumptionsError(f"{where} must be non-empty text.")
    return value.strip()


def _benchmark(
    key: str,
    label: str,
    body: Mapping[str, Any],
    inherit: Mapping[str, Any],
    origins: Mapping[str, str],
    order: tuple[str, ...],
) -> Benchmark:
    rates = {}
    for name in _RATE_KEYS:
        if name not in body and name not in inherit:
            raise AssumptionsError(f"[{key}] has no {name} rate; give low, central and high.")
        source_key = f"{key}.{name}" if name in body else None
        where = f"{origins.get(source_key or '', 'default')}: [{key}] {name}"
        rates[name] = _rate(body.get(name, inherit.get(name)), where)
    low, central, high = rates["low"], rates["central"], rates["high"]
    origin = _latest(origins, [f"{key}.{n}" for n in _RATE_KEYS], order)
    if not low <= central <= high:
        raise AssumptionsError(
            f"[{key}] needs low <= central <= high, but low = {low}, central = {central}, "
            f"high = {high} (set in {origin}). Set all three when you change one."
        )
    source = _text(body.get("source", inherit.get("source", "")), f"[{key}] source")
    return Benchmark(key, label, low, central, high, source, origin)


def _latest(origins: Mapping[str, str], keys: list[str], order: tuple[str, ...]) -> str:
    """Return the last layer (file or command line) that set one of ``keys``; 'default' if none."""
    found = [order.index(origins[k]) for k in keys if k in origins and origins[k] in order]
    latest = order[max(found)] if found else order[0]
    return "default" if latest == order[0] else latest


def _min_partners(body: Mapping[str, Any], key: str, origins: Mapping[str, str]) -> int:
    value = body.get("min_partners", 2)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        where = origins.get(f"{key}.min_partners", "default")
        raise AssumptionsError(f"{where}: [{key}] min_partners must be a whole number >= 1.")
    return value


def _build(
    merged: Mapping[str, Any], origins: Mapping[str, str], files: tuple[str, ...]
) -> Assumptions:
    bo = merged.get("back_office", {})
    back_office = _benchmark(
        "back_office", str(bo.get("label", "Shared back office")), bo, {}, origins, files
    )
    functions = {
        name: _benchmark(
            f"back_office.function.{name}",
            f"{back_office.label}: {name}",
            body,
            bo,
            origins,
            files,
        )
        for name, body in (bo.get("function") or {}).items()
    }
    pr = merged.get("procurement", {})
    procurement = _benchmark(
        "procurement", str(pr.get("label", "Collaborative procurement")), pr, {}, origins, files
    )
    return Assumptions(
        back_office=back_office,
        functions=functions,
        procurement=procurement,
        procurement_min_partners=_min_partners(pr, "procurement", origins),
        shared_min_partners=_min_partners(
            merged.get("shared_suppliers", {}), "shared_suppliers", origins
        ),
        files=files,
    )
