"""Scenarios: reform levers over the place's count, appraised the Green Book way, with who pays and who benefits.

Design note: ``docs/decisions/0017-scenarios-and-appraisal.md``.
"""
