"""Scenarios: reform levers over the place's count, appraised the Green Book way, with who pays and who benefits.

A scenario is a readable file, ``scenarios/NAME.toml`` (:mod:`.spec`), of levers
(:mod:`.sharing`, :mod:`.outcomes`, :mod:`.budget`) built against the count and the
opportunities (:mod:`.baseline`), appraised (:mod:`.appraise`), shared out between the
partners (:mod:`.gainshare`) and drawn many times over its ranges (:mod:`.uncertainty`).
Design note: ``docs/decisions/0017-scenarios-and-appraisal.md``.
"""

from totalplace.scenario.compare import compare_scenarios, list_scenarios
from totalplace.scenario.document import document
from totalplace.scenario.engine import LEVER_TYPES, Model, build_model
from totalplace.scenario.export import export_document
from totalplace.scenario.run import ScenarioResult, run_model, run_scenario
from totalplace.scenario.spec import ScenarioFileError, read_scenario, scenario_path
from totalplace.scenario.template import TEMPLATES, ScenarioExists, new_scenario

__all__ = [
    "LEVER_TYPES",
    "TEMPLATES",
    "Model",
    "ScenarioExists",
    "ScenarioFileError",
    "ScenarioResult",
    "build_model",
    "compare_scenarios",
    "document",
    "export_document",
    "list_scenarios",
    "new_scenario",
    "read_scenario",
    "run_model",
    "run_scenario",
    "scenario_path",
]
