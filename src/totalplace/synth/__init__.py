"""A synthetic England for national-scale runs: every English body, ledgers sampled from real rows.

See :mod:`totalplace.synth.ledgers` (the Parquet writer), :mod:`totalplace.synth.bodies`
(which bodies) and :mod:`totalplace.synth.pool` (the real rows sampled from).
"""

from totalplace.synth.bodies import Body, england_bodies, england_place
from totalplace.synth.ledgers import ROWS_FILE, SOURCES_FILE, SynthResult, generate
from totalplace.synth.load import load
from totalplace.synth.pool import sample_pool

__all__ = [
    "ROWS_FILE",
    "SOURCES_FILE",
    "Body",
    "SynthResult",
    "england_bodies",
    "england_place",
    "generate",
    "load",
    "sample_pool",
]
