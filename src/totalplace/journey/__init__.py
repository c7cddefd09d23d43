"""Customer journeys (deep dives): one cohort's contacts across agencies, costed today and redesigned.

A journey file, ``journeys/NAME.toml`` (:mod:`.spec`), lists the contacts of a current and
a redesigned path; each is costed with a GMCA unit cost uplifted to the journey's price
year, or a local unit cost from the count (:mod:`.costs`), and summed per agency a year
(:mod:`.run`). The difference per agency feeds a scenario as a ``journey`` lever.
Design note: ``docs/decisions/0026-customer-journeys.md``.
"""

from totalplace.journey.charts import JOURNEY_CHARTS, journey_charts, write_journey_charts
from totalplace.journey.export import export_journey, journey_tables
from totalplace.journey.run import (
    AgencyCost,
    JourneyResult,
    journey_document,
    list_journeys,
    run_journey,
)
from totalplace.journey.spec import (
    JOURNEY_DIR,
    JourneyFileError,
    JourneySpec,
    journey_path,
    read_journey,
)
from totalplace.journey.template import JourneyExists, new_journey

__all__ = [
    "JOURNEY_CHARTS",
    "JOURNEY_DIR",
    "AgencyCost",
    "JourneyExists",
    "JourneyFileError",
    "JourneyResult",
    "JourneySpec",
    "export_journey",
    "journey_charts",
    "journey_document",
    "journey_path",
    "journey_tables",
    "list_journeys",
    "new_journey",
    "read_journey",
    "run_journey",
    "write_journey_charts",
]
