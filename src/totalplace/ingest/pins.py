"""Columns pinned by a partner's profile in place.toml: by header text or column number.

The pinned fields are taken as given; the others are read from the header as usual,
from the columns the pins leave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from totalplace.ingest.columns import FIELDS, Mapping_
from totalplace.ingest.header_map import map_header
from totalplace.ingest.spellings import normalise_header


def _find_named(target: str, header: Sequence[object]) -> int | None:
    normalised = [normalise_header(c) for c in header]
    wanted = normalise_header(target)
    return normalised.index(wanted) if wanted in normalised else None


def pinned_mapping(spec: Mapping[str, str | int], header: Sequence[object] | None) -> Mapping_:
    """Return a mapping from a saved profile (field -> header text or 0-based column number).

    The fields the profile names are pinned; the others are read from the header as
    usual, from the columns the pins leave. Raises ValueError naming a header that
    could not be found.
    """
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    evidence: dict[str, str] = {}
    for fld, where in spec.items():
        if fld not in FIELDS:
            raise ValueError(
                f"profile names an unknown field {fld!r}; fields are {', '.join(FIELDS)}"
            )
        if isinstance(where, int):
            columns[fld] = where
            if header is not None and where < len(header) and header[where]:
                headers[fld] = str(header[where])
            evidence[fld] = f"{fld}: column {where} (pinned)"
            continue
        index = _find_named(where, header or [])
        if index is None:
            raise ValueError(
                f"profile says {fld} is in column {where!r}, but the header has "
                f"{', '.join(repr(str(c)) for c in (header or []) if c) or 'no such cell'}"
            )
        columns[fld] = index
        headers[fld] = where
        evidence[fld] = f"{fld}: {where!r} (pinned)"
    notes: tuple[str, ...] = ()
    if header is not None:
        auto = map_header(header, exclude=frozenset(columns.values()))
        for fld, index in auto.columns.items():
            if fld not in columns:
                columns[fld] = index
                headers[fld] = auto.headers[fld]
                evidence[fld] = auto.evidence[fld]
        notes = auto.notes if "amount" not in spec else ()
    return Mapping_(columns=columns, headers=headers, evidence=evidence, notes=notes)


def pinned_header_row(
    spec: Mapping[str, str | int], rows: Sequence[Sequence[object]]
) -> int | None:
    """Return the index of the first row holding every header text the profile pins, or None."""
    named = [w for w in spec.values() if isinstance(w, str)]
    if not named:
        return None
    for index, cells in enumerate(rows):
        if all(_find_named(w, cells) is not None for w in named):
            return index
    return None
