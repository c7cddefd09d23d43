"""Customer journeys for the pages: the workspace's journey files listed, and one costed per agency.

Nothing is recomputed: :func:`totalplace.journey.list_journeys`, :func:`run_journey` and
:func:`journey_document` make every figure. A journey is looked up by its file's name among
the files of ``journeys/`` only -- never a path from the request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from totalplace.errors import UsageError
from totalplace.journey import journey_charts, journey_document, list_journeys, run_journey
from totalplace.journey.spec import journey_files
from totalplace.workspace import Workspace

__all__ = ["JourneyNotFound", "journey_page_data", "journeys_list"]


class JourneyNotFound(UsageError, LookupError):
    """No journey file of that name in the workspace's journeys folder."""


def journeys_list(ws: Workspace) -> list[dict[str, Any]]:
    """Return each journey file: its page name (the file's stem), name, cohort, contacts, or its problem."""
    return [
        {**row, "slug": Path(row["file"]).stem, "file": f"journeys/{Path(row['file']).name}"}
        for row in list_journeys(ws)
    ]


def journey_page_data(ws: Workspace, slug: str) -> dict[str, Any]:
    """Return the journey ``slug`` costed (journey_document: totals, agencies, contacts, method,
    citation; amounts Decimal) with its chart specs, its file named relative to the workspace.

    JourneyNotFound for a name with no file; JourneyFileError (each fault with its line) for a
    file that cannot be used; StageNotRun / StageStale when a local unit cost needs the count.
    """
    found = {p.stem: p for p in journey_files(ws)}
    if slug not in found:
        known = ", ".join(sorted(found)) or "none (add one with `totalplace journey new NAME`)"
        raise JourneyNotFound(f"there is no journey {slug!r}; the journeys are: {known}")
    doc = journey_document(run_journey(ws, found[slug]))
    doc["journey"]["file"] = f"journeys/{found[slug].name}"
    doc["slug"] = slug
    doc["charts"] = journey_charts(doc)
    return doc
