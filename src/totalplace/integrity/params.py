"""The integrity detectors' thresholds: packaged, cited defaults and a workspace's ``integrity.toml``.

The defaults ship in ``totalplace/data/integrity/parameters.toml``, each key with a
``KEY_source`` beside it saying why it has its value. Tables there only group the keys:
every key is a field of :class:`Params` of the same name, so a detector adds a threshold
by adding a field and a key. A workspace's ``integrity.toml`` sets only the keys it
changes (in any table, or none) and ``[split_thresholds_by_partner]``; it is checked
key by key and a mistake is reported with the file and line.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from totalplace.errors import WorkspaceStateError
from totalplace.workspace import Workspace
from totalplace.workspace.toml_lines import TomlLines

__all__ = [
    "INTEGRITY_FILE",
    "IntegrityParamsError",
    "Params",
    "default_params_path",
    "load_params",
]

INTEGRITY_FILE = "integrity.toml"
BY_PARTNER = "split_thresholds_by_partner"
SHIPPED = "shipped"


class IntegrityParamsError(WorkspaceStateError):
    """An integrity.toml that cannot be used; the message names the file, line and key."""


def default_params_path() -> Path:
    """Return the path of the packaged, commented parameters file."""
    return Path(str(resources.files("totalplace") / "data" / "integrity" / "parameters.toml"))


def _flatten(data: Mapping[str, Any]) -> dict[str, tuple[tuple[str, ...], Any]]:
    """Return key -> (path in the file, value) for every key, tables being only groups."""
    flat: dict[str, tuple[tuple[str, ...], Any]] = {}
    for name, value in data.items():
        if isinstance(value, dict) and name != BY_PARTNER:
            for key, inner in value.items():
                flat[key] = ((name, key), inner)
        else:
            flat[name] = ((name,), value)
    return flat


def _shipped() -> dict[str, Any]:
    return tomllib.loads(default_params_path().read_text(encoding="utf-8"))


_DEFAULTS = {key: value for key, (_, value) in _flatten(_shipped()).items()}


#: Money parameters whose name does not end in 'amount' (read as Decimal, never float).
_MONEY_KEYS = frozenset({"round_unit", "concentration_min_spend"})


def _default(key: str) -> Any:
    value = _DEFAULTS[key]
    if isinstance(value, list):
        return tuple(Decimal(str(v)) for v in value)
    if isinstance(value, int | float) and (key.endswith("amount") or key in _MONEY_KEYS):
        return Decimal(str(value))
    return value


@dataclass(frozen=True)
class Params:
    """Every threshold of the integrity detectors (defaults: the packaged parameters.toml).

    ``sources`` gives the reason for each value (see :meth:`citation`);
    ``split_thresholds_by_partner`` a partner's own thresholds by slug; ``origin`` the
    files read.
    """

    likely_days: int = _default("likely_days")
    possible_days: int = _default("possible_days")
    duplicate_min_amount: Decimal = _default("duplicate_min_amount")
    duplicate_confidence_exact: float = _default("duplicate_confidence_exact")
    duplicate_confidence_likely: float = _default("duplicate_confidence_likely")
    duplicate_confidence_possible: float = _default("duplicate_confidence_possible")
    repeated_max_row_gap: int = _default("repeated_max_row_gap")
    repeated_confidence: float = _default("repeated_confidence")
    standing_min_payments: int = _default("standing_min_payments")
    standing_tolerance: float = _default("standing_tolerance")
    standing_min_gap_days: int = _default("standing_min_gap_days")
    standing_max_gap_days: int = _default("standing_max_gap_days")
    split_thresholds: tuple[Decimal, ...] = _default("split_thresholds")
    split_near_fraction: float = _default("split_near_fraction")
    split_window_days: int = _default("split_window_days")
    split_min_payments: int = _default("split_min_payments")
    split_confidence_base: float = _default("split_confidence_base")
    split_confidence_per_payment: float = _default("split_confidence_per_payment")
    split_confidence_max: float = _default("split_confidence_max")
    round_unit: Decimal = _default("round_unit")
    round_min_payments: int = _default("round_min_payments")
    round_min_share: float = _default("round_min_share")
    round_min_lift: float = _default("round_min_lift")
    year_end_days: int = _default("year_end_days")
    year_end_spike_ratio: float = _default("year_end_spike_ratio")
    year_end_supplier_ratio: float = _default("year_end_supplier_ratio")
    year_end_min_amount: Decimal = _default("year_end_min_amount")
    year_end_min_payments: int = _default("year_end_min_payments")
    year_end_min_days_before: int = _default("year_end_min_days_before")
    one_off_min_amount: Decimal = _default("one_off_min_amount")
    one_off_percentile: float = _default("one_off_percentile")
    benford_min_amount: Decimal = _default("benford_min_amount")
    benford_min_n: int = _default("benford_min_n")
    benford_supplier_min_spread: float = _default("benford_supplier_min_spread")
    benford_mad_close: float = _default("benford_mad_close")
    benford_mad_acceptable: float = _default("benford_mad_acceptable")
    benford_mad_marginal: float = _default("benford_mad_marginal")
    benford_p_value: float = _default("benford_p_value")
    hhi_moderate: float = _default("hhi_moderate")
    hhi_high: float = _default("hhi_high")
    concentration_min_spend: Decimal = _default("concentration_min_spend")
    dependency_share: float = _default("dependency_share")
    dependency_min_partners: int = _default("dependency_min_partners")
    split_thresholds_by_partner: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)
    sources: Mapping[str, str] = field(
        default_factory=lambda: {
            k.removesuffix("_source"): str(v) for k, v in _DEFAULTS.items() if k.endswith("_source")
        }
    )
    origin: tuple[str, ...] = (SHIPPED,)

    def citation(self, name: str) -> str:
        """Return the reason given for parameter ``name`` (its own source, else its group's)."""
        for end in range(len(name), 0, -1):
            if name[:end] in self.sources:
                return self.sources[name[:end]]
        return ""

    def thresholds_for(self, partner: str) -> tuple[Decimal, ...]:
        """Return the split thresholds of ``partner`` (its own if set, else the defaults), ascending."""
        return tuple(sorted(self.split_thresholds_by_partner.get(partner, self.split_thresholds)))

    def as_json(self) -> dict[str, Any]:
        """Return every value with its reason, JSON-ready (amounts as decimal strings)."""
        values: dict[str, Any] = {}
        for f in _value_fields():
            value = getattr(self, f.name)
            values[f.name] = {"value": _jsonable(value), "source": self.citation(f.name)}
        values[BY_PARTNER] = {
            slug: [str(t) for t in ts] for slug, ts in self.split_thresholds_by_partner.items()
        }
        values["files"] = list(self.origin)
        return values


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _value_fields() -> list[dataclasses.Field[Any]]:
    return [
        f for f in dataclasses.fields(Params) if f.name not in (BY_PARTNER, "sources", "origin")
    ]


def _coerce(name: str, kind: Any, value: Any, where: str) -> Any:
    """Return ``value`` as the field's type, or raise IntegrityParamsError saying what is wrong."""
    text = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    if isinstance(value, bool):
        raise IntegrityParamsError(f"{where}: {name} = {value} is not a number")
    if text.startswith("tuple"):
        if not isinstance(value, list) or not value:
            raise IntegrityParamsError(
                f"{where}: {name} must be a list of amounts, e.g. {name} = [5000, 25000]"
            )
        return tuple(_coerce(name, "Decimal", v, where) for v in value)
    if text == "int":
        if not isinstance(value, int) or value < 0:
            raise IntegrityParamsError(
                f"{where}: {name} = {value!r} is not a whole number of 0 or more"
            )
        return value
    try:
        number = Decimal(str(value)) if isinstance(value, int | float | str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise IntegrityParamsError(f"{where}: {name} = {value!r} is not a number of 0 or more")
    if text == "Decimal":
        return number
    if number > 1 and name not in _UNBOUNDED_FLOATS:
        raise IntegrityParamsError(
            f"{where}: {name} = {value} must be between 0 and 1 (a fraction or confidence)"
        )
    return float(number)


#: Float parameters that are not fractions: ratios, a spread and HHI levels (0-10,000).
_UNBOUNDED_FLOATS: frozenset[str] = frozenset(
    {
        "round_min_lift",
        "year_end_spike_ratio",
        "year_end_supplier_ratio",
        "benford_supplier_min_spread",
        "hhi_moderate",
        "hhi_high",
    }
)


def _where(path: Path, lines: TomlLines, keypath: tuple[str, ...]) -> str:
    line = lines.line(keypath)
    return f"{path}, line {line}" if line else str(path)


def load_params(workspace: Workspace | Path | str | None = None) -> Params:
    """Return the parameters in force: the packaged defaults with the workspace's integrity.toml.

    Raises IntegrityParamsError naming the file, line and key for invalid TOML, an
    unknown key, a value of the wrong kind or out of range, or an unknown partner.
    """
    params = Params()
    if workspace is None:
        return params
    root = workspace.root if isinstance(workspace, Workspace) else Path(workspace)
    path = root / INTEGRITY_FILE
    if not path.exists():
        return params
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise IntegrityParamsError(
            f"{path}: not valid TOML ({exc}); fix the file and run again"
        ) from exc
    lines = TomlLines(text)
    fields = {f.name: f for f in _value_fields()}
    changes: dict[str, Any] = {}
    sources = dict(params.sources)
    for key, (keypath, value) in _flatten(data).items():
        where = _where(path, lines, keypath)
        if key == BY_PARTNER:
            changes[BY_PARTNER] = _by_partner(value, workspace, where, path, lines)
        elif key.endswith("_source"):
            sources[key.removesuffix("_source")] = str(value)
        elif key in fields:
            changes[key] = _coerce(key, fields[key].type, value, where)
            sources.setdefault(key, "")
            if f"{key}_source" not in _flatten(data):
                sources[key] = f"{INTEGRITY_FILE} (no source given)"
        else:
            raise IntegrityParamsError(
                f"{where}: unknown key {key!r}; the keys are "
                + ", ".join(sorted(fields))
                + f", and the table [{BY_PARTNER}]"
            )
    return dataclasses.replace(
        params, **changes, sources=sources, origin=(*params.origin, str(path))
    )


def _by_partner(
    value: Any, workspace: Workspace | Path | str, where: str, path: Path, lines: TomlLines
) -> dict[str, tuple[Decimal, ...]]:
    if not isinstance(value, dict):
        raise IntegrityParamsError(f"{where}: {BY_PARTNER} must be a table of partner = [amounts]")
    slugs = [p.slug for p in workspace.partners] if isinstance(workspace, Workspace) else None
    own: dict[str, tuple[Decimal, ...]] = {}
    for slug, amounts in value.items():
        at = _where(path, lines, (BY_PARTNER, slug))
        if slugs is not None and slug not in slugs:
            raise IntegrityParamsError(
                f"{at}: [{BY_PARTNER}] names {slug!r}, not a partner of this place; the partners are "
                + ", ".join(slugs)
            )
        own[slug] = _coerce(slug, "tuple", amounts, at)
    return own
