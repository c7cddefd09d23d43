"""The schema of ``place.toml``, checked in one pass: every fault named by file, line and key.

A typo in place.toml changes totals (issue 13, finding 6: a police area one digit
short counted the police at 100%; a pasted partner block counted it twice), so
nothing is coerced: numbers must be whole numbers in range, lists must be lists of
strings, every ONS code must be a known area of the kind its sector covers, and an
unknown key is an error with the nearest known key suggested. All faults are
reported together. tomllib gives no positions, so lines are found by scanning the
text for table headers and keys (right for the usual layouts; omitted when unsure).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from totalplace import reference
from totalplace.limits import Limits
from totalplace.workspace import engine_url
from totalplace.workspace.areas import PLACE_AREA_KINDS, area_problem, sector_area_kinds
from totalplace.workspace.model import (
    SECTORS,
    Partner,
    Place,
    PlaceFileProblem,
    SourceProfile,
    WorkspaceError,
    slugify,
)

__all__ = ["parse_place_text", "partner_problems"]

TOP_KEYS = ("place", "partners", "limits", "wards", "warehouse")
WAREHOUSE_KEYS = ("url",)
PLACE_KEYS = ("code", "name", "population_year", "financial_year_start", "areas")
PARTNER_KEYS = (
    "name",
    "sector",
    "areas",
    "fy_start_month",
    "sources",
    "aliases",
    "columns",
    "profiles",
)
PROFILE_KEYS = ("sources", "columns", "period")
_PERIOD = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")
WARDS_KEYS = ("drivers", "default")

_Path = tuple[str | int, ...]

# ----------------------------------------------------------------------------- lines


_BARE = r"[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'"
_DOTTED = rf"(?:{_BARE})(?:\s*\.\s*(?:{_BARE}))*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_BARE)


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART.findall(dotted))


class _Lines:
    """Line numbers of the table headers and keys of a TOML text, by path ('partners', 1, 'sector')."""

    def __init__(self, text: str) -> None:
        self.at: dict[_Path, int] = {}
        arrays: dict[str, int] = {}  # [[name]] blocks seen so far
        nested: dict[_Path, int] = {}  # [[partners.profiles]] blocks seen, per partner
        current: _Path = ()
        open_quote: str | None = None
        for number, line in enumerate(text.splitlines(), 1):
            if open_quote is not None:  # inside a multi-line string
                if line.count(open_quote) % 2 == 1:
                    open_quote = None
                continue
            if header := _HEADER.match(line):
                parts = _parts(header.group(2))
                if header.group(1) == "[[" and len(parts) > 1 and parts[0] in arrays:
                    # [[partners.profiles]]: an array inside the last [[partners]] block
                    outer: _Path = (parts[0], arrays[parts[0]] - 1, *parts[1:])
                    count = nested.get(outer, 0)
                    nested[outer] = count + 1
                    current = (*outer, count)
                    self.at.setdefault(outer, number)
                elif header.group(1) == "[[":
                    arrays[parts[0]] = arrays.get(parts[0], 0) + 1
                    current = (parts[0], arrays[parts[0]] - 1, *parts[1:])
                    self.at.setdefault(parts, number)  # the array as a whole: its first block
                elif parts[0] in arrays:  # [partners.columns] belongs to the last [[partners]]
                    current = (parts[0], arrays[parts[0]] - 1, *parts[1:])
                    inner = current[: len(current) - 1]
                    if len(parts) > 2 and inner in nested:  # [partners.profiles.columns]
                        current = (*inner, nested[inner] - 1, parts[-1])
                else:
                    current = parts
                self.at.setdefault(current, number)
                continue
            if key := _KEY.match(line):
                self.at.setdefault((*current, *_parts(key.group(1))), number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) % 2 == 1:
                        open_quote = quote

    def line(self, path: _Path) -> int | None:
        """Return the line of a key, else of its nearest enclosing table or key, else None."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.at:
                return self.at[path[:end]]
        return None


# ----------------------------------------------------------------------------- checks


def _suggest(key: str, known: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"the keys allowed there are {', '.join(known)}"


def _describe(value: object) -> str:
    """Return a TOML-ish description of a value for messages ('the text "x"', 'a list')."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


class _Checker:
    """Collects the faults of one place.toml (or one new partner), each with its line and key."""

    def __init__(self, lines: _Lines | None) -> None:
        self.lines = lines
        self.problems: list[PlaceFileProblem] = []

    def fault(self, path: _Path, message: str) -> None:
        line = self.lines.line(path) if self.lines is not None else None
        key = ".".join(str(p) for p in path if isinstance(p, str))
        self.problems.append(PlaceFileProblem(line, key, message))

    def unknown_keys(
        self, table: Mapping[str, Any], known: tuple[str, ...], path: _Path, where: str
    ) -> None:
        for key in table:
            if key in known:
                continue
            advice = _suggest(key, known)
            if key in TOP_KEYS:  # e.g. partners = [...] written below [place]
                advice = (
                    f"{key} cannot go inside {where}: move it above the first [table] line, "
                    f"or write it as its own [{key}] table"
                )
                if key == "partners":
                    advice = (
                        "each partner needs its own [[partners]] block of name, sector, areas ..."
                    )
            self.fault((*path, key), f"unknown key {key!r} in {where}; {advice}")

    def whole(
        self,
        value: object,
        path: _Path,
        label: str,
        low: int,
        high: int | None,
        advice: str,
    ) -> int | None:
        """Return ``value`` if it is a whole number in ``low..high``, else note a fault and return None."""
        if isinstance(value, int) and not isinstance(value, bool):
            if value >= low and (high is None or value <= high):
                return value
            where = f"from {low} to {high}" if high is not None else f"{low} or more"
            self.fault(path, f"{label} = {value} is out of range: it must be {where}; {advice}")
            return None
        hint = ""
        if isinstance(value, str) and value.strip().isdigit():
            hint = f" (write {value.strip()} without quotes)"
        self.fault(path, f"{label} must be a whole number, not {_describe(value)}{hint}; {advice}")
        return None

    def text(self, value: object, path: _Path, label: str, example: str) -> str | None:
        """Return ``value`` stripped if it is non-empty text, else note a fault and return None."""
        if isinstance(value, str) and value.strip():
            return value.strip()
        what = "empty" if isinstance(value, str) else f"{_describe(value)}, not text"
        self.fault(path, f"{label} is {what}; write it in quotes, e.g. {example}")
        return None

    def texts(self, value: object, path: _Path, label: str, example: str) -> tuple[str, ...]:
        """Return ``value`` if it is a list of non-empty texts, else note a fault and return ()."""
        if isinstance(value, str):
            self.fault(
                path,
                f"{label} must be a list, e.g. {example} (in square brackets), "
                f"not the text {value!r}",
            )
            return ()
        if not isinstance(value, list):
            self.fault(path, f"{label} must be a list, e.g. {example}, not {_describe(value)}")
            return ()
        found: list[str] = []
        for number, item in enumerate(value, 1):
            if isinstance(item, str) and item.strip():
                found.append(item.strip())
            else:
                what = "empty" if isinstance(item, str) else f"{_describe(item)}, not text"
                self.fault(
                    path, f"item {number} of {label} is {what}; each item is text, e.g. {example}"
                )
        return tuple(found)

    def codes(
        self,
        value: object,
        path: _Path,
        label: str,
        kinds: tuple[str, ...],
        place: Place | None,
        example: str,
    ) -> tuple[str, ...]:
        """Return a list of known area codes of ``kinds`` (upper case), noting each unknown one."""
        found: list[str] = []
        for code in self.texts(value, path, label, example):
            problem = area_problem(code, kinds, place)
            if problem is None:
                found.append(code.upper())
            else:
                self.fault(path, f"{label}: {problem}")
        return tuple(found)

    # ------------------------------------------------------------------------- tables

    def place(self, data: dict[str, Any]) -> Place | None:
        if "place" not in data:
            self.fault(
                (),
                'there is no [place] table; add one naming the place, e.g. [place] then code = "E07000120" '
                'and name = "Hyndburn" on the lines below it',
            )
            return None
        table = data["place"]
        if not isinstance(table, dict):
            self.fault(
                ("place",),
                f"place is {_describe(table)}, but it must be one table: write [place] (single "
                'brackets) on its own line, then code = "..." and name = "..." below it',
            )
            return None
        self.unknown_keys(table, PLACE_KEYS, ("place",), "[place]")
        code = None
        if "code" not in table:
            self.fault(("place",), '[place] has no code; add its ONS code, e.g. code = "E07000120"')
        else:
            code = self.text(table["code"], ("place", "code"), "[place] code", '"E07000120"')
        if code is not None and area_problem(code, PLACE_AREA_KINDS) is not None:
            self.fault(
                ("place", "code"),
                f"[place] code {code!r} is not a known ONS area code; {_PLACE_EXAMPLES}",
            )
            code = None
        name = None
        if "name" not in table:
            self.fault(("place",), '[place] has no name; add one, e.g. name = "Hyndburn"')
        else:
            name = self.text(table["name"], ("place", "name"), "[place] name", '"Hyndburn"')
        first, last = reference.population_years()
        year = self.whole(
            table.get("population_year", 2024),
            ("place", "population_year"),
            "[place] population_year",
            first,
            last,
            f"the shipped ONS mid-year estimates cover {first} to {last}, e.g. population_year = {last}",
        )
        month = self.whole(
            table.get("financial_year_start", 4),
            ("place", "financial_year_start"),
            "[place] financial_year_start",
            1,
            12,
            "give the month number its financial year starts, e.g. 4 for April",
        )
        areas = self.codes(
            table.get("areas", []),
            ("place", "areas"),
            "[place] areas",
            PLACE_AREA_KINDS,
            None,
            'areas = ["E08000003", "E08000009"]',
        )
        if code is None:
            return None
        # With a known code the partners' areas can be checked against the place even when
        # another [place] key is wrong (that fault is already noted, so nothing is returned).
        return Place(code.upper(), name or code.upper(), year or last, month or 4, areas)

    def partners(self, data: dict[str, Any], place: Place | None) -> list[Partner]:
        items = data.get("partners", [])
        if isinstance(items, dict):
            self.fault(
                ("partners",),
                "[partners] is written as one table, but each partner needs its own block with "
                "double brackets: write [[partners]] above each partner's name, sector, areas ...",
            )
            return []
        if not isinstance(items, list):
            self.fault(
                ("partners",),
                f"partners is {_describe(items)}; write each partner as its own [[partners]] block",
            )
            return []
        found: list[Partner] = []
        seen: dict[str, tuple[str, int | None]] = {}
        for index, item in enumerate(items):
            partner = self.partner(index, item, place)
            if partner is None:
                continue
            line = self.lines.line(("partners", index, "name")) if self.lines is not None else None
            if partner.slug in seen:
                other, other_line = seen[partner.slug]
                at = f" (line {other_line})" if other_line is not None else ""
                self.fault(
                    ("partners", index, "name"),
                    f"partner {partner.name!r} is the same partner as {other!r}{at} (both are "
                    f"{partner.slug!r}); each partner must appear once, or its spending is "
                    "counted twice: remove the repeated [[partners]] block or rename one",
                )
                continue
            seen[partner.slug] = (partner.name, line)
            found.append(partner)
        return found

    def partner(self, index: int, item: object, place: Place | None) -> Partner | None:
        path: _Path = ("partners", index)
        if not isinstance(item, dict):
            self.fault(
                path,
                f"partner number {index + 1} is {_describe(item)}; write each partner as a "
                "[[partners]] block of name = ..., sector = ..., areas = [...]",
            )
            return None
        name = None
        if "name" not in item:
            self.fault(
                path,
                f'partner number {index + 1} has no name; add one, e.g. name = "Hyndburn Borough Council"',
            )
        else:
            name = self.text(
                item["name"],
                (*path, "name"),
                f"the name of partner number {index + 1}",
                '"Hyndburn Borough Council"',
            )
            if name is not None and not slugify(name):
                self.fault(
                    (*path, "name"),
                    f"partner name {name!r} has no letters or digits; give it a readable name",
                )
                name = None
        where = f"partner {name!r}" if name else f"partner number {index + 1}"
        self.unknown_keys(item, PARTNER_KEYS, path, where)
        sector: str | None = "unknown"
        if "sector" in item:
            sector = self.text(item["sector"], (*path, "sector"), f"{where}: sector", '"police"')
            if sector is not None and sector not in SECTORS:
                close = difflib.get_close_matches(sector, SECTORS, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.fault(
                    (*path, "sector"),
                    f"{where}: sector {sector!r} is not a sector; {hint}sectors are {', '.join(SECTORS)}",
                )
                sector = None
        areas: tuple[str, ...] = ()
        if "areas" in item:
            kinds = sector_area_kinds(sector or "unknown")
            areas = self.codes(
                item["areas"],
                (*path, "areas"),
                f"{where}: areas",
                kinds,
                place,
                'areas = ["E23000003"]',
            )
        default_month = place.financial_year_start if place is not None else 4
        month = self.whole(
            item.get("fy_start_month", default_month),
            (*path, "fy_start_month"),
            f"{where}: fy_start_month",
            1,
            12,
            "give the month number its financial year starts, e.g. 4 for April",
        )
        sources = self.texts(
            item.get("sources", []),
            (*path, "sources"),
            f"{where}: sources",
            'sources = ["data/*.csv"]',
        )
        aliases = self.texts(
            item.get("aliases", []),
            (*path, "aliases"),
            f"{where}: aliases",
            'aliases = ["Lancashire Constabulary"]',
        )
        columns = self.columns(item.get("columns", {}), (*path, "columns"), where)
        profiles = self.profiles(item.get("profiles", []), (*path, "profiles"), where)
        if name is None or sector is None or month is None:
            return None
        return Partner(name, sector, areas, month, sources, aliases, columns, profiles)

    def profiles(self, value: object, path: _Path, where: str) -> tuple[SourceProfile, ...]:
        """Return a partner's per-source profiles: globs, pinned columns and a summary's period."""
        example = (
            '[[partners.profiles]] then sources = ["data/old/*.csv"] and '
            'columns = { amount = "Net" }'
        )
        if not isinstance(value, list):
            self.fault(
                path,
                f"{where}: profiles is {_describe(value)}, but it must be a list of tables, "
                f"each written as {example}",
            )
            return ()
        found: list[SourceProfile] = []
        for index, item in enumerate(value):
            at = (*path, index)
            what = f"{where}: profile number {index + 1}"
            if not isinstance(item, dict):
                self.fault(at, f"{what} is {_describe(item)}; write it as {example}")
                continue
            self.unknown_keys(item, PROFILE_KEYS, at, what)
            if "sources" not in item:
                self.fault(
                    at,
                    f'{what} has no sources; say which files it is for, e.g. sources = ["data/old/*.csv"]',
                )
                continue
            globs = self.texts(
                item["sources"],
                (*at, "sources"),
                f"{what}: sources",
                'sources = ["data/old/*.csv"]',
            )
            columns = self.columns(item.get("columns", {}), (*at, "columns"), what)
            period = None
            if "period" in item:
                raw = item["period"]
                if isinstance(raw, str) and _PERIOD.match(raw.strip()):
                    period = raw.strip()
                else:
                    self.fault(
                        (*at, "period"),
                        f"{what}: period is {_describe(raw)}; give the month a summary file "
                        'covers as "YYYY-MM", e.g. period = "2019-09"',
                    )
                    continue
            if "columns" not in item and "period" not in item:
                self.fault(
                    at,
                    f'{what} pins no columns and no period; add columns = {{ amount = "Net" }} '
                    'or period = "2019-09", or remove it',
                )
                continue
            if globs:
                found.append(SourceProfile(globs, columns, period))
        return tuple(found)

    def columns(self, value: object, path: _Path, where: str) -> dict[str, str | int]:
        """Return a pinned column profile: field -> header text or column number (from 0)."""
        example = (
            '[partners.columns] then amount = "Amount Paid" or amount = 7 (columns count from 0)'
        )
        if not isinstance(value, dict):
            self.fault(
                path,
                f"{where}: columns is {_describe(value)}, but it must be a table, e.g. {example}",
            )
            return {}
        if not value:
            return {}
        # Imported here, only when columns are pinned: ingest imports this package (a
        # top-level import would be circular) and takes a second to load.
        from totalplace.ingest.columns import FIELDS

        found: dict[str, str | int] = {}
        taken: dict[str | int, str] = {}
        for fld, where_col in value.items():
            key_path = (*path, fld)
            if fld not in FIELDS:
                close = difflib.get_close_matches(fld, FIELDS, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.fault(
                    key_path,
                    f"{where}: columns names an unknown field {fld!r}; {hint}fields are {', '.join(FIELDS)}",
                )
                continue
            if isinstance(where_col, int) and not isinstance(where_col, bool):
                if where_col < 0:
                    self.fault(
                        key_path,
                        f"{where}: columns {fld} = {where_col} is negative; column numbers count from 0 (the first column)",
                    )
                    continue
                column: str | int = where_col
            elif isinstance(where_col, str) and where_col.strip():
                column = where_col
            else:
                self.fault(
                    key_path,
                    f"{where}: columns {fld} is {_describe(where_col)}; give the header text in quotes or a column number from 0, e.g. {fld} = 3",
                )
                continue
            same = column.strip().casefold() if isinstance(column, str) else column
            if same in taken:
                self.fault(
                    key_path,
                    f"{where}: columns {fld} and {taken[same]} both name {column!r}; each field needs its own column",
                )
                continue
            taken[same] = fld
            found[fld] = column
        return found

    def limits(self, data: dict[str, Any]) -> Limits:
        table = data.get("limits", {})
        if not isinstance(table, dict):
            self.fault(
                ("limits",),
                f"limits is {_describe(table)}; write [limits] on its own line, then e.g. max_file_mb = 4096",
            )
            return Limits()
        names = tuple(Limits.names())
        self.unknown_keys(table, names, ("limits",), "[limits]")
        values: dict[str, int] = {}
        for name, value in table.items():
            if name in names:
                default = getattr(Limits(), name)
                got = self.whole(
                    value,
                    ("limits", name),
                    f"[limits] {name}",
                    1,
                    None,
                    f"the default is {default}",
                )
                if got is not None:
                    values[name] = got
        return Limits(**values)

    def warehouse(self, data: dict[str, Any]) -> str | None:
        """Return ``[warehouse] url`` (None when absent), noting a fault if it is no engine's URL."""
        table = data.get("warehouse", {})
        if not isinstance(table, dict):
            self.fault(
                ("warehouse",),
                f"warehouse is {_describe(table)}; write [warehouse] on its own line, then "
                'e.g. url = "postgresql://totalplace@db.example.org/hyndburn"',
            )
            return None
        self.unknown_keys(table, WAREHOUSE_KEYS, ("warehouse",), "[warehouse]")
        if "url" not in table:
            return None
        url = self.text(
            table["url"], ("warehouse", "url"), "[warehouse] url", '"postgresql://user@host/db"'
        )
        if url is None:
            return None
        try:
            engine_url.parse(url)
        except ValueError as exc:
            self.fault(("warehouse", "url"), f"[warehouse] url: {exc}")
            return None
        return url

    def wards(self, data: dict[str, Any]) -> None:
        table = data.get("wards", {})
        if not isinstance(table, dict):
            self.fault(
                ("wards",),
                f'wards is {_describe(table)}; write [wards] on its own line, then e.g. default = "population"',
            )
            return
        self.unknown_keys(table, WARDS_KEYS, ("wards",), "[wards]")
        if "default" in table:
            self.text(table["default"], ("wards", "default"), "[wards] default", '"population"')
        drivers = table.get("drivers", {})
        if not isinstance(drivers, dict) or not all(isinstance(v, str) for v in drivers.values()):
            self.fault(
                ("wards", "drivers"),
                '[wards] drivers must be a table of theme = driver, e.g. drivers = { "Older people" = "older" }',
            )


_PLACE_EXAMPLES = (
    "use the ONS code of a district, county, combined authority area (metropolitan county), "
    "police or fire area, or ward, e.g. E07000120 for Hyndburn, E10000017 for Lancashire, "
    "E11000001 for Greater Manchester"
)

# ----------------------------------------------------------------------------- reading


def _message(path: Path, problems: list[PlaceFileProblem]) -> str:
    def at(p: PlaceFileProblem) -> str:
        return f"line {p.line}: {p.message}" if p.line is not None else p.message

    if len(problems) == 1:
        (only,) = problems
        return f"{path}, {at(only)}" if only.line is not None else f"{path}: {only.message}"
    listed = "\n".join(f"  {at(p)}" for p in problems)
    return f"{path} has {len(problems)} problems:\n{listed}\nFix them and run the command again."


def _ordered(problems: list[PlaceFileProblem]) -> list[PlaceFileProblem]:
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def parse_place_text(text: str, path: Path) -> tuple[Place, list[Partner], Limits, str | None]:
    """Return the place, partners, limits and warehouse URL a place.toml text describes.

    Raises WorkspaceError listing every fault, each with its line and key where found.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found.group(1)) if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "not valid TOML"
        problem = PlaceFileProblem(
            line,
            "",
            f"this is not valid TOML ({reason}); fix that line (or the end of the one above "
            "it, for a list or string left open): text goes in quotes "
            '(name = "Hyndburn"), lists in square brackets (sources = ["data/*.csv"]), '
            "each partner under its own [[partners]] line",
        )
        raise WorkspaceError(_message(path, [problem]), (problem,)) from exc
    checker = _Checker(_Lines(text))
    for key in data:
        if key not in TOP_KEYS:
            checker.fault((key,), f"unknown key or table {key!r}; {_suggest(key, TOP_KEYS)}")
    place = checker.place(data)
    partners = checker.partners(data, place)
    limits = checker.limits(data)
    checker.wards(data)
    warehouse = checker.warehouse(data)
    if checker.problems or place is None:
        problems = _ordered(checker.problems)
        raise WorkspaceError(_message(path, problems), tuple(problems))
    return place, partners, limits, warehouse


def partner_problems(
    partner: Partner, place: Place, existing: list[Partner]
) -> list[PlaceFileProblem]:
    """Return what is wrong with a partner about to be added (the same checks as place.toml)."""
    checker = _Checker(None)
    entry: dict[str, Any] = {
        "name": partner.name,
        "sector": partner.sector,
        "areas": list(partner.areas),
        "fy_start_month": partner.fy_start_month,
        "sources": list(partner.sources),
        "aliases": list(partner.aliases),
        "columns": dict(partner.columns),
        "profiles": [
            {"sources": list(p.sources), "columns": dict(p.columns)}
            | ({"period": p.period} if p.period else {})
            for p in partner.profiles
        ],
    }
    checked = checker.partner(0, entry, place)
    if checked is not None:
        for other in existing:
            if other.slug == checked.slug:
                checker.fault(
                    ("partners", 0, "name"),
                    f"partner {partner.name!r} is already in place.toml (as {other.name!r}); "
                    "edit that partner instead of adding it again",
                )
    return checker.problems
